/* gregorctl's ZooKeeper access: a session opened within a bounded time and
 * reads that never trust a znode's size or shape. The C client's own
 * logging stays off unless --verbose, so errors are one line each. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coord/gregorctl/gctl.h"
#include "coord/zkacl.h"

struct gctl_conn {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;
};

void gctl_err(const char *fmt, ...)
{
	va_list ap;
	fputs("gregorctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int gctl_path(char *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, GCTL_PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= GCTL_PATH_MAX) {
		gctl_err("znode path too long");
		return 1;
	}
	return 0;
}

static void gctl_watcher(zhandle_t *zh, int type, int state, const char *path,
			 void *ctx)
{
	(void)zh;
	(void)path;
	struct gctl_conn *c = ctx;
	if (type != ZOO_SESSION_EVENT)
		return;
	pthread_mutex_lock(&c->mu);
	c->state = state;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

/* Lives as long as the process: the client thread may call the watcher
 * until zookeeper_close returns. */
static struct gctl_conn gctl_conn = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0
};

static int gctl_wait_connected(int timeout_s)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_s;
	pthread_mutex_lock(&gctl_conn.mu);
	int rc = 0;
	while (gctl_conn.state != ZOO_CONNECTED_STATE && rc != ETIMEDOUT &&
	       gctl_conn.state != ZOO_AUTH_FAILED_STATE &&
	       gctl_conn.state != ZOO_EXPIRED_SESSION_STATE)
		rc = pthread_cond_timedwait(&gctl_conn.cv, &gctl_conn.mu, &dl);
	int st = gctl_conn.state;
	pthread_mutex_unlock(&gctl_conn.mu);
	return st;
}

/* --zk-digest / --zk-digest-file: the brokers' zookeeper.digest, so that
 * writes pass znodes created with zookeeper.set.acl (creator-all). */
static int gctl_add_digest(struct gctl *g)
{
	char line[512];
	const char *cred = g->o.zk_digest;
	if (g->o.zk_digest_file) {
		FILE *f = fopen(g->o.zk_digest_file, "r");
		int ok = f && fgets(line, sizeof line, f);
		if (f)
			fclose(f);
		if (!ok) {
			gctl_err("cannot read ZooKeeper credentials from %s", g->o.zk_digest_file);
			gctl_close(g);
			return 1;
		}
		line[strcspn(line, "\r\n")] = 0;
		cred = line;
	}
	if (!cred)
		return 0;
	if (!strchr(cred, ':') || cred[0] == ':') {
		gctl_err("ZooKeeper credentials must be user:password");
		gctl_close(g);
		return 1;
	}
	int rc = zk_add_digest(g->zh, cred, g->o.timeout_s * 1000);
	if (rc != ZOK) {
		gctl_err("ZooKeeper digest authentication failed: %s", zerror(rc));
		gctl_close(g);
		return 1;
	}
	g->secure = 1;
	return 0;
}

int gctl_connect(struct gctl *g)
{
	zoo_set_debug_level(g->o.verbose ? ZOO_LOG_LEVEL_INFO : (ZooLogLevel)0);
	/* the session outlives a slow command; the connect wait is --timeout */
	int recv_ms = g->o.timeout_s * 1000;
	if (recv_ms < 6000)
		recv_ms = 6000;
	if (recv_ms > 30000)
		recv_ms = 30000;
	g->zh = zookeeper_init(g->o.zookeeper, gctl_watcher, recv_ms, NULL,
			       &gctl_conn, 0);
	if (!g->zh) {
		gctl_err("invalid or unresolvable ZooKeeper address '%s'", g->o.zookeeper);
		return 1;
	}
	int st = gctl_wait_connected(g->o.timeout_s);
	if (st == ZOO_CONNECTED_STATE)
		return gctl_add_digest(g);
	gctl_err("cannot connect to ZooKeeper at %s within %d s%s", g->o.zookeeper,
		 g->o.timeout_s, st == ZOO_AUTH_FAILED_STATE ? " (authentication failed)" : "");
	gctl_close(g);
	return 1;
}

void gctl_close(struct gctl *g)
{
	if (g->zh)
		zookeeper_close(g->zh);
	g->zh = NULL;
}

int gctl_get(struct gctl *g, const char *path, char **data, int *len,
	     struct Stat *st)
{
	/* size first, then read; retry if the node grew in between */
	for (int tries = 0; tries < 5; tries++) {
		struct Stat s1, s2;
		int rc = zoo_exists(g->zh, path, 0, &s1);
		if (rc == ZOK && (s1.dataLength < 0 || s1.dataLength > GCTL_DATA_MAX)) {
			gctl_err("%s: data of %d bytes is out of range", path, s1.dataLength);
			return GCTL_FAIL;
		}
		char *buf = rc == ZOK ? malloc((size_t)s1.dataLength + 1) : NULL;
		int l = s1.dataLength;
		if (rc == ZOK && !buf) {
			gctl_err("out of memory");
			return GCTL_FAIL;
		}
		if (rc == ZOK)
			rc = zoo_get(g->zh, path, 0, buf, &l, &s2);
		if (rc == ZNONODE) {
			free(buf);
			return GCTL_NONODE;
		}
		if (rc != ZOK) {
			free(buf);
			gctl_err("ZooKeeper read of %s failed: %s", path, zerror(rc));
			return GCTL_FAIL;
		}
		if (s2.dataLength > s1.dataLength) {
			free(buf);
			continue;
		}
		if (l < 0)
			l = 0;
		buf[l] = '\0';
		*data = buf;
		*len = l;
		if (st)
			*st = s2;
		return 0;
	}
	gctl_err("%s keeps changing size; giving up", path);
	return GCTL_FAIL;
}

static int gctl_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gctl_children(struct gctl *g, const char *path, struct String_vector *out)
{
	out->count = 0;
	out->data = NULL;
	int rc = zoo_get_children(g->zh, path, 0, out);
	if (rc == ZNONODE)
		return GCTL_NONODE;
	if (rc != ZOK) {
		gctl_err("ZooKeeper list of %s failed: %s", path, zerror(rc));
		return GCTL_FAIL;
	}
	if (out->count > 0)
		qsort(out->data, (size_t)out->count, sizeof *out->data, gctl_cmp_str);
	return 0;
}

const char *gctl_no_cluster(const char *path)
{
	static char msg[GCTL_PATH_MAX + 64];
	snprintf(msg, sizeof msg, "%s does not exist: no cluster at this ZooKeeper "
		 "address (wrong chroot?)", path);
	return msg;
}

static int gctl_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

int gctl_contains(const int32_t *v, int n, int32_t x)
{
	for (int k = 0; k < n; k++)
		if (v[k] == x)
			return 1;
	return 0;
}

/* A broker id as Kafka writes it: decimal, no sign or padding games. */
static int gctl_parse_id(const char *s, int32_t *out)
{
	char *e;
	if (!*s || *s < '0' || *s > '9' || strlen(s) > 10)
		return -1;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (*e || errno || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

int gctl_live_brokers(struct gctl *g, int32_t **ids)
{
	struct String_vector kids;
	int rc = gctl_children(g, "/brokers/ids", &kids);
	if (rc == GCTL_NONODE)
		gctl_err("%s", gctl_no_cluster("/brokers/ids"));
	if (rc != 0)
		return -1;
	int32_t *v = calloc((size_t)kids.count + 1, sizeof *v);
	int n = 0;
	for (int k = 0; v && k < kids.count; k++)
		if (gctl_parse_id(kids.data[k], &v[n]) == 0)
			n++;
	deallocate_String_vector(&kids);
	if (!v) {
		gctl_err("out of memory");
		return -1;
	}
	qsort(v, (size_t)n, sizeof *v, gctl_cmp_i32);
	*ids = v;
	return n;
}

/* The topic's id from /brokers/topics/<t>: *have 1 with id set, 0 when the
 * znode has none yet (the controller assigns one); 0 or GCTL_* (printed). A writer
 * of that znode must carry the id over, or the controller would give the
 * topic a new one and clients addressing it by id would be refused. */
int gctl_read_topic_id(struct gctl *g, const char *topic, uint8_t id[16], int *have)
{
	char path[GCTL_PATH_MAX], *d;
	int l;
	struct Stat st;
	if (gctl_path(path, "/brokers/topics/%s", topic))
		return GCTL_FAIL;
	int rc = gctl_get(g, path, &d, &l, &st);
	if (rc)
		return rc;
	*have = zn_topic_id_parse(d, (size_t)l, id) == 0;
	free(d);
	return 0;
}

int gctl_read_assignment(struct gctl *g, const char *topic,
			 struct zn_assign **as, int *n, int32_t *version)
{
	char path[GCTL_PATH_MAX], *d;
	int l;
	struct Stat st;
	if (gctl_path(path, "/brokers/topics/%s", topic))
		return GCTL_FAIL;
	int rc = gctl_get(g, path, &d, &l, &st);
	if (rc)
		return rc;
	/* every partition takes at least 6 bytes ("0":[]), so this bounds n */
	int max = l / 6 + 1;
	struct zn_assign *v = calloc((size_t)max, sizeof *v);
	if (!v) {
		free(d);
		gctl_err("out of memory");
		return GCTL_FAIL;
	}
	int cnt = zn_topic_parse(d, (size_t)l, v, max);
	free(d);
	if (cnt < 0) {
		gctl_err("malformed data in %s", path);
		free(v);
		return GCTL_FAIL;
	}
	*as = v;
	*n = cnt;
	if (version)
		*version = st.version;
	return 0;
}

int gctl_write_new(struct gctl *g, const char *path, const char *data, size_t len)
{
	if (len > GCTL_DATA_MAX) {
		gctl_err("%s: %zu bytes exceed ZooKeeper's 1 MiB limit", path, len);
		return GCTL_FAIL;
	}
	/* with credentials, the ACL the brokers give their znodes */
	int rc = zoo_create(g->zh, path, data, data ? (int)len : -1,
			    zk_acl_for(g->secure, path), 0, NULL, 0);
	if (rc == ZNODEEXISTS)
		return GCTL_EXISTS;
	if (rc != ZOK) {
		gctl_err("ZooKeeper create of %s failed: %s", path, zerror(rc));
		return GCTL_FAIL;
	}
	return 0;
}
