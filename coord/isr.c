/* Partition leaders' ISR writes (docs/zookeeper.md §3): a conditional setData of
 * the state znode at the leader's cached zkVersion, then an entry queued for
 * /isr_change_notification. Entries are batched as Kafka's ReplicaManager
 * does: checked every 2.5 s, written once 5 s passed without a new change or
 * 60 s since the last write. Runs on the coordination thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"

#define ISR_CHECK_MS 2500
#define ISR_QUIET_MS 5000
#define ISR_MAX_DELAY_MS 60000
#define ISR_NOTIFY_PREFIX "/isr_change_notification/isr_change_"


struct isr_op {
	struct coord *c;
	char topic[250];
	int32_t partition;
	struct zn_pstate st;
	int32_t zk_version;
	coord_isr_done_fn done;
	void *arg;
	int16_t kerr;
	int32_t new_version;
};

static void isr_deliver(void *arg)
{
	struct isr_op *op = arg;
	op->done(op->arg, op->kerr, op->new_version);
	free(op);
}

static void isr_queue(struct coord *c, const char *topic, int32_t partition)
{
	for (int k = 0; k < c->n_isr_pending; k++)
		if (c->isr_pending[k].partition == partition &&
		    strcmp(c->isr_pending[k].topic, topic) == 0)
			goto touched;
	if (c->n_isr_pending == c->cap_isr_pending) {
		int cap = c->cap_isr_pending ? c->cap_isr_pending * 2 : 16;
		struct zn_tp *v = realloc(c->isr_pending, (size_t)cap * sizeof *v);
		if (!v) {
			log_warn(COORD_MOD, "out of memory queueing ISR change of %s-%d",
				 topic, partition);
			return;
		}
		c->isr_pending = v;
		c->cap_isr_pending = cap;
	}
	struct zn_tp *e = &c->isr_pending[c->n_isr_pending++];
	memset(e, 0, sizeof *e);
	snprintf(e->topic, sizeof e->topic, "%s", topic);
	e->partition = partition;
	e->n_replicas = -1;
touched:
	c->isr_last_change_ms = clock_mono_ms();
}

/* The znode's current content equals what we meant to write. */
static int isr_already_written(struct isr_op *op, const char *path, int32_t *version)
{
	char *d;
	int l;
	struct Stat st;
	struct zn_pstate cur;
	if (zk_get_alloc(op->c, path, 0, &d, &l, &st) != ZOK)
		return 0;
	int same = zn_pstate_parse(d, (size_t)l, &cur) == 0 &&
		   cur.controller_epoch == op->st.controller_epoch &&
		   elect_same_state(&cur, &op->st);
	free(d);
	*version = st.version;
	return same;
}

static void isr_run(void *arg)
{
	struct isr_op *op = arg;
	struct coord *c = op->c;
	char path[512];
	struct zbuf b;
	struct Stat st;
	op->new_version = -1;
	op->kerr = KERR_REQUEST_TIMED_OUT;
	if (atomic_load(&c->stopping) || !c->zh || zoo_state(c->zh) != ZOO_CONNECTED_STATE)
		goto out;
	snprintf(path, sizeof path, "/brokers/topics/%s/partitions/%d/state", op->topic,
		 op->partition);
	zb_init(&b);
	zn_pstate_build(&b, &op->st);
	int rc = b.oom ? ZSYSTEMERROR :
		 zoo_set2(c->zh, path, b.p, (int)b.len, op->zk_version, &st);
	zb_free(&b);
	int32_t v = -1;
	if (rc == ZOK) {
		op->kerr = 0;
		op->new_version = st.version;
	} else if (rc == ZBADVERSION && isr_already_written(op, path, &v)) {
		op->kerr = 0;
		op->new_version = v;
	} else if (rc == ZBADVERSION) {
		log_info(COORD_MOD, "%s-%d: ISR update at zkVersion %d lost to a newer "
			 "state (now %d); waiting for the controller", op->topic,
			 op->partition, op->zk_version, v);
		op->kerr = KERR_INVALID_UPDATE_VERSION;
	} else if (rc == ZNONODE) {
		op->kerr = KERR_UNKNOWN_TOPIC_OR_PARTITION;
	} else if (rc != ZCONNECTIONLOSS && rc != ZOPERATIONTIMEOUT) {
		log_warn(COORD_MOD, "%s: %s", path, zerror(rc));
		op->kerr = KERR_UNKNOWN_SERVER_ERROR;
	}
	if (op->kerr == 0) {
		log_debug(COORD_MOD, "%s-%d: ISR now has %d member(s) (zkVersion %d)",
			 op->topic, op->partition, op->st.n_isr, op->new_version);
		isr_queue(c, op->topic, op->partition);
	}
out:
	mbox_post(c->loop_mbox, isr_deliver, op);
}

void coord_update_isr(struct coord *c, const char *topic, int32_t partition,
		      int32_t leader, int32_t leader_epoch, int32_t controller_epoch,
		      const int32_t *isr, int32_t nisr, int32_t zk_version,
		      coord_isr_done_fn done, void *arg)
{
	struct isr_op *op = calloc(1, sizeof *op);
	if (!op || !topic || strlen(topic) >= sizeof op->topic || nisr < 1 ||
	    nisr > ZN_MAX_REPLICAS || partition < 0) {
		free(op);
		done(arg, op ? KERR_UNKNOWN_TOPIC_OR_PARTITION : KERR_UNKNOWN_SERVER_ERROR, -1);
		return;
	}
	op->c = c;
	memcpy(op->topic, topic, strlen(topic) + 1);
	op->partition = partition;
	op->st.leader = leader;
	op->st.leader_epoch = leader_epoch;
	op->st.controller_epoch = controller_epoch;
	op->st.n_isr = nisr;
	memcpy(op->st.isr, isr, sizeof *isr * (size_t)nisr);
	op->zk_version = zk_version;
	op->done = done;
	op->arg = arg;
	mbox_post(c->events, isr_run, op);
}

/* Writes the queued partitions as one persistent sequential znode. */
static void isr_flush(struct coord *c, int64_t now)
{
	struct zbuf b;
	char created[128];
	zb_init(&b);
	zn_tp_list_build(&b, c->isr_pending, c->n_isr_pending);
	int rc = b.oom ? ZSYSTEMERROR :
		 zoo_create(c->zh, ISR_NOTIFY_PREFIX, b.p, (int)b.len,
			    zk_acl(c, ISR_NOTIFY_PREFIX), ZOO_SEQUENCE, created, sizeof created);
	zb_free(&b);
	if (rc != ZOK) {
		log_warn(COORD_MOD, "writing ISR change notification: %s (will retry)",
			 zerror(rc));
		return;
	}
	log_debug(COORD_MOD, "%s: %d partition(s)", created, c->n_isr_pending);
	c->n_isr_pending = 0;
	c->isr_last_flush_ms = now;
}

void coord_isr_tick(struct coord *c)
{
	int64_t now = clock_mono_ms();
	if (c->isr_last_flush_ms == 0)
		c->isr_last_flush_ms = now;
	if (now < c->isr_next_check_ms || !c->zh)
		return;
	c->isr_next_check_ms = now + ISR_CHECK_MS;
	if (c->n_isr_pending > 0 && (now - c->isr_last_change_ms >= ISR_QUIET_MS ||
				     now - c->isr_last_flush_ms >= ISR_MAX_DELAY_MS))
		isr_flush(c, now);
}

void coord_isr_free(struct coord *c)
{
	free(c->isr_pending);
	c->isr_pending = NULL;
	c->n_isr_pending = c->cap_isr_pending = 0;
}
