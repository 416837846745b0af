/* Synchronous ZooKeeper helpers for the coordination thread: bounded reads,
 * recursive create and delete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/coord_int.h"

int zk_get_alloc(struct coord *c, const char *path, int watch, char **data,
		 int *len, struct Stat *st)
{
	struct Stat s;
	*data = NULL;
	*len = 0;
	/* read into a small buffer first; grow to dataLength if it did not fit */
	int cap = 4096;
	for (int attempt = 0; attempt < 3; attempt++) {
		char *buf = malloc((size_t)cap + 1);
		if (!buf)
			return ZSYSTEMERROR;
		int l = cap;
		int rc = zoo_get(c->zh, path, watch, buf, &l, &s);
		if (rc != ZOK) {
			free(buf);
			return rc;
		}
		if (s.dataLength <= cap) {
			if (l < 0)
				l = 0; /* null data */
			buf[l] = 0;
			*data = buf;
			*len = l;
			if (st)
				*st = s;
			return ZOK;
		}
		free(buf);
		if (s.dataLength > ZK_DATA_MAX)
			return ZMARSHALLINGERROR;
		cap = s.dataLength;
	}
	return ZOPERATIONTIMEOUT; /* kept growing under us */
}

int zk_create_path(zhandle_t *zh, const char *path)
{
	char buf[512];
	size_t l = strlen(path);
	if (l == 0 || l >= sizeof buf || path[0] != '/')
		return ZBADARGUMENTS;
	memcpy(buf, path, l + 1);
	for (size_t k = 1; k <= l; k++) {
		if (buf[k] != '/' && buf[k] != 0)
			continue;
		char save = buf[k];
		buf[k] = 0;
		int rc = zoo_create(zh, buf, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
		buf[k] = save;
		if (rc != ZOK && rc != ZNODEEXISTS)
			return rc;
	}
	return ZOK;
}

int zk_delete_recursive(zhandle_t *zh, const char *path, int depth)
{
	if (depth > 8)
		return ZBADARGUMENTS; /* Kafka's trees are at most 5 deep */
	struct String_vector kids = { 0, NULL };
	int rc = zoo_get_children(zh, path, 0, &kids);
	if (rc == ZNONODE)
		return ZOK;
	if (rc != ZOK)
		return rc;
	for (int k = 0; k < kids.count && rc == ZOK; k++) {
		char child[1024];
		if (snprintf(child, sizeof child, "%s/%s", path, kids.data[k]) >=
		    (int)sizeof child) {
			rc = ZBADARGUMENTS;
			break;
		}
		rc = zk_delete_recursive(zh, child, depth + 1);
	}
	deallocate_String_vector(&kids);
	if (rc != ZOK)
		return rc;
	rc = zoo_delete(zh, path, -1);
	return rc == ZNONODE ? ZOK : rc;
}
