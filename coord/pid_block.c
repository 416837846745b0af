/* Producer id blocks (docs/zookeeper.md §4): a broker claims the next 1000 ids
 * by a conditional setData of /latest_producer_id_block, Kafka's JSON
 * {"version":1,"broker":B,"block_start":"S","block_end":"E"} (strings,
 * inclusive). Every claim extends the previous end, so ids are unique
 * cluster-wide and across restarts. Runs on the coordination thread;
 * results are posted to the loop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"
#include "coord/zjson.h"

#define PID_BLOCK_PATH "/latest_producer_id_block"
#define PID_BLOCK_SIZE 1000
#define PID_CLAIM_ATTEMPTS 20


struct pid_op {
	struct coord *c;
	void (*done)(void *arg, int16_t kerr, int64_t start, int64_t end);
	void *arg;
	int16_t kerr;
	int64_t start, end;
};

static void pid_deliver(void *arg)
{
	struct pid_op *op = arg;
	op->done(op->arg, op->kerr, op->start, op->end);
	free(op);
}

/* Parses the node's data: 0 with *broker, *start, *end; empty data gives
 * end = -1 (so the first block is [0, 999]); -1 when malformed. */
static int pid_parse(const char *d, int len, int32_t *broker, int64_t *start, int64_t *end)
{
	*broker = -1;
	*start = -1;
	*end = -1;
	if (len == 0)
		return 0;
	struct zjson j;
	if (zj_parse(&j, d, (size_t)len) < 0)
		return -1;
	int64_t b = -1;
	int rc = zj_int(&j, zj_get(&j, 0, "broker"), -1, INT32_MAX, &b) |
		 zj_int(&j, zj_get(&j, 0, "block_start"), 0, INT64_MAX, start) |
		 zj_int(&j, zj_get(&j, 0, "block_end"), 0, INT64_MAX, end);
	zj_free(&j);
	*broker = (int32_t)b;
	return rc == 0 && *end >= *start ? 0 : -1;
}

/* One attempt: read, and either recognise our own earlier write (a lost
 * answer to a setData that succeeded) or write the next block. Returns a
 * ZooKeeper rc; ZOK with op->start/end set on success. */
static int pid_try(struct pid_op *op, int64_t *want_start)
{
	struct coord *c = op->c;
	char *d;
	int l;
	struct Stat st;
	int rc = zk_get_alloc(c, PID_BLOCK_PATH, 0, &d, &l, &st);
	if (rc == ZNONODE) {
		rc = zoo_create(c->zh, PID_BLOCK_PATH, NULL, -1, zk_acl(c, PID_BLOCK_PATH), 0, NULL, 0);
		/* someone (maybe us) created it: read again */
		return rc == ZOK || rc == ZNODEEXISTS ? ZBADVERSION : rc;
	}
	if (rc != ZOK)
		return rc;
	int32_t broker;
	int64_t start, end;
	int bad = pid_parse(d, l, &broker, &start, &end);
	free(d);
	if (bad) {
		log_error(COORD_MOD, "%s holds malformed data; cannot claim producer ids",
			  PID_BLOCK_PATH);
		return ZMARSHALLINGERROR;
	}
	if (*want_start >= 0 && broker == c->cfg.broker_id && start == *want_start &&
	    end == *want_start + PID_BLOCK_SIZE - 1) {
		op->start = start;
		op->end = end;
		return ZOK;
	}
	if (end > INT64_MAX - PID_BLOCK_SIZE) {
		log_error(COORD_MOD, "producer ids exhausted");
		return ZMARSHALLINGERROR;
	}
	*want_start = end + 1;
	char buf[160];
	int n = snprintf(buf, sizeof buf,
			 "{\"version\":1,\"broker\":%d,\"block_start\":\"%" PRId64
			 "\",\"block_end\":\"%" PRId64 "\"}",
			 c->cfg.broker_id, *want_start, *want_start + PID_BLOCK_SIZE - 1);
	rc = zoo_set(c->zh, PID_BLOCK_PATH, buf, n, st.version);
	if (rc == ZOK) {
		op->start = *want_start;
		op->end = *want_start + PID_BLOCK_SIZE - 1;
	}
	return rc;
}

static void pid_run(void *arg)
{
	struct pid_op *op = arg;
	struct coord *c = op->c;
	op->kerr = KERR_COORDINATOR_NOT_AVAILABLE;
	int64_t want = -1;
	int rc = ZCONNECTIONLOSS;
	for (int k = 0; k < PID_CLAIM_ATTEMPTS; k++) {
		if (atomic_load(&c->stopping) || !c->zh || zoo_state(c->zh) != ZOO_CONNECTED_STATE)
			break;
		rc = pid_try(op, &want);
		if (rc != ZBADVERSION && rc != ZCONNECTIONLOSS && rc != ZOPERATIONTIMEOUT)
			break;
	}
	if (rc == ZOK) {
		op->kerr = 0;
		log_info(COORD_MOD, "claimed producer id block [%" PRId64 ", %" PRId64 "]",
			 op->start, op->end);
	} else {
		log_warn(COORD_MOD, "cannot claim a producer id block: %s", zerror(rc));
		op->start = op->end = -1;
	}
	mbox_post(c->loop_mbox, pid_deliver, op);
}

void coord_claim_pid_block(struct coord *c,
			   void (*done)(void *arg, int16_t kerr, int64_t start, int64_t end),
			   void *arg)
{
	struct pid_op *op = calloc(1, sizeof *op);
	if (!op) {
		done(arg, KERR_UNKNOWN_SERVER_ERROR, -1, -1);
		return;
	}
	op->c = c;
	op->done = done;
	op->arg = arg;
	mbox_post(c->events, pid_run, op);
}
