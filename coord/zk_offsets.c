/* Consumer offsets kept in ZooKeeper, for OffsetCommit and OffsetFetch v0:
 * Kafka 3.9's ZooKeeper-mode broker stores a v0 commit as the znode
 * /consumers/<group>/offsets/<topic>/<partition> holding the offset as a
 * decimal string (the layout of the 0.8 consumers and their tools), and a
 * v0 fetch reads it back. Runs on the coordination thread; results are
 * posted to the loop thread. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/kerr.h"
#include "coord/coord_int.h"

struct zk_offsets_op {
	struct coord *c;
	int commit;
	char *group;
	struct coord_zk_offset *offs;
	int n;
	coord_zk_offsets_fn done;
	void *arg;
};

static int zko_connected(struct coord *c)
{
	return !atomic_load(&c->stopping) && c->zh && zoo_state(c->zh) == ZOO_CONNECTED_STATE;
}

static int zko_path(char *buf, size_t cap, const char *group, const char *topic, int32_t p)
{
	int n = snprintf(buf, cap, "/consumers/%s/offsets/%s/%d", group, topic, (int)p);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Kafka's errors for a failed ZooKeeper call: retriable while the session
 * is away, else UNKNOWN_SERVER_ERROR (e.g. a group id ZooKeeper refuses
 * as a path). */
static int16_t zko_kerr(struct coord *c, int rc)
{
	if (!zko_connected(c) || rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	return KERR_UNKNOWN_SERVER_ERROR;
}

/* setOrCreateConsumerOffset: set the node, creating it and its parents. */
static int16_t zko_commit_one(struct coord *c, const char *group, const struct coord_zk_offset *o)
{
	char path[1024], val[24];
	if (zko_path(path, sizeof path, group, o->topic, o->partition) < 0)
		return KERR_UNKNOWN_SERVER_ERROR;
	int len = snprintf(val, sizeof val, "%" PRId64, o->offset);
	int rc = zoo_set(c->zh, path, val, len, -1);
	if (rc == ZNONODE) {
		char *slash = strrchr(path, '/');
		*slash = 0;
		rc = zk_create_path(c, path);
		*slash = '/';
		if (rc == ZOK)
			rc = zoo_create(c->zh, path, val, len, zk_acl(c, path), 0, NULL, 0);
		if (rc == ZNODEEXISTS) /* a concurrent commit created it */
			rc = zoo_set(c->zh, path, val, len, -1);
	}
	return rc == ZOK ? 0 : zko_kerr(c, rc);
}

/* getConsumerOffset: none committed answers -1 and UNKNOWN_TOPIC_OR_PARTITION
 * (Kafka's OffsetFetchResponse.UNKNOWN_PARTITION). */
static void zko_fetch_one(struct coord *c, const char *group, struct coord_zk_offset *o)
{
	char path[1024];
	o->offset = -1;
	if (zko_path(path, sizeof path, group, o->topic, o->partition) < 0) {
		o->error = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	char *data = NULL;
	int len = 0;
	struct Stat st;
	int rc = zk_get_alloc(c, path, 0, &data, &len, &st);
	if (rc == ZNONODE) {
		o->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
	} else if (rc != ZOK) {
		o->error = zko_kerr(c, rc);
	} else {
		char *end = NULL;
		errno = 0;
		long long v = data ? strtoll(data, &end, 10) : 0;
		int bad = !data || end == data || *end || errno;
		o->offset = bad ? -1 : (int64_t)v;
		o->error = bad ? KERR_UNKNOWN_SERVER_ERROR : 0;
	}
	free(data);
}

static void zko_free(struct zk_offsets_op *op)
{
	for (int i = 0; i < op->n; i++)
		free(op->offs[i].topic);
	free(op->offs);
	free(op->group);
	free(op);
}

static void zko_deliver(void *arg)
{
	struct zk_offsets_op *op = arg;
	op->done(op->arg, op->offs, op->n);
	zko_free(op);
}

static void zko_run(void *arg)
{
	struct zk_offsets_op *op = arg;
	struct coord *c = op->c;
	for (int i = 0; i < op->n; i++) {
		if (!zko_connected(c))
			op->offs[i].error = KERR_COORDINATOR_NOT_AVAILABLE;
		else if (op->commit)
			op->offs[i].error = zko_commit_one(c, op->group, &op->offs[i]);
		else
			zko_fetch_one(c, op->group, &op->offs[i]);
	}
	mbox_post(c->loop_mbox, zko_deliver, op);
}

static void zko_queue(struct coord *c, int commit, const char *group,
		      const struct coord_zk_offset *offs, int n, coord_zk_offsets_fn done,
		      void *arg)
{
	struct zk_offsets_op *op = calloc(1, sizeof *op);
	if (op) {
		op->c = c;
		op->commit = commit;
		op->done = done;
		op->arg = arg;
		op->group = strdup(group);
		op->offs = calloc((size_t)n + 1, sizeof *op->offs);
	}
	int ok = op && op->group && op->offs;
	for (int i = 0; ok && i < n; i++, op->n++) {
		op->offs[i] = offs[i];
		ok = (op->offs[i].topic = strdup(offs[i].topic)) != NULL;
	}
	if (!ok) {
		if (op)
			zko_free(op);
		done(arg, NULL, -1);
		return;
	}
	mbox_post(c->events, zko_run, op);
}

void coord_zk_offsets_commit(struct coord *c, const char *group,
			     const struct coord_zk_offset *offs, int n,
			     coord_zk_offsets_fn done, void *arg)
{
	zko_queue(c, 1, group, offs, n, done, arg);
}

void coord_zk_offsets_fetch(struct coord *c, const char *group,
			    const struct coord_zk_offset *offs, int n,
			    coord_zk_offsets_fn done, void *arg)
{
	zko_queue(c, 0, group, offs, n, done, arg);
}
