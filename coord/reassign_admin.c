/* AlterPartitionReassignments and ListPartitionReassignments from any
 * broker, on the coordination thread. Like Kafka's ZooKeeper-era tools they
 * only touch znodes: a new target is merged into /admin/reassign_partitions
 * (versioned set, so concurrent writers do not lose entries) and the
 * controller's watch (coord/reassign.c) does the rest. A cancellation
 * (null replicas) targets the original replicas (replicas - adding), which
 * the controller applies as a reassignment back to them. The list reads the
 * topic znodes' adding/removing maps, which are non-empty exactly while a
 * reassignment is in progress. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"

#define RA_PATH "/admin/reassign_partitions"
#define RA_MAX_TRIES 5

struct ra_alter {
	struct coord *c;
	struct zn_tp e;          /* n_replicas -1: cancel */
	coord_done_fn done;
	void *arg;
};

struct ra_list {
	struct coord *c;
	char **topics;           /* NULL: every topic */
	int n_topics;
	coord_reassign_list_fn done;
	void *arg;
	struct coord_reassignment *out;
	int n_out, cap_out;
};

/* Reads /brokers/topics/<t>; returns the partition count or a negative
 * ZooKeeper-ish failure (-1 missing, -2 unreadable). */
static int ra_read_topic(struct coord *c, const char *topic, struct zn_assign **out)
{
	char path[512], *d;
	int l;
	*out = NULL;
	snprintf(path, sizeof path, "/brokers/topics/%s", topic);
	int rc = zk_get_alloc(c, path, 0, &d, &l, NULL);
	if (rc == ZNONODE)
		return -1;
	if (rc != ZOK)
		return -2;
	int max = l / 8 + 1;
	struct zn_assign *v = calloc((size_t)max, sizeof *v);
	int n = v ? zn_topic_parse(d, (size_t)l, v, max) : -1;
	free(d);
	if (n < 0) {
		free(v);
		return -2;
	}
	*out = v;
	return n;
}

static int ra_broker_registered(struct coord *c, int32_t id)
{
	char path[64];
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/ids/%d", id);
	return zoo_exists(c->zh, path, 0, &st) == ZOK;
}

/* Kafka's checks of a new target (KafkaController.onPartitionReassignment
 * callers): non-empty, no duplicates, every broker registered. */
static const char *ra_check_target(struct coord *c, const struct zn_tp *e)
{
	if (e->n_replicas < 1)
		return "The replica list is empty.";
	for (int k = 0; k < e->n_replicas; k++) {
		if (e->replicas[k] < 0)
			return "The replica list contains a negative broker id.";
		for (int j = 0; j < k; j++)
			if (e->replicas[j] == e->replicas[k])
				return "The replica list contains duplicate brokers.";
		if (!ra_broker_registered(c, e->replicas[k]))
			return "The replica list names a broker that is not registered.";
	}
	return NULL;
}

/* Merges e into the admin node (replacing an entry of the same partition);
 * returns a ZooKeeper rc. */
static int ra_merge(struct coord *c, const struct zn_tp *e)
{
	for (int tries = 0; tries < RA_MAX_TRIES; tries++) {
		char *d = NULL;
		int l = 0;
		struct Stat st;
		int rc = zk_get_alloc(c, RA_PATH, 0, &d, &l, &st);
		if (rc != ZOK && rc != ZNONODE)
			return rc;
		int max = (rc == ZOK ? l / 24 : 0) + 2;
		struct zn_tp *v = calloc((size_t)max, sizeof *v);
		int n = 0;
		if (v && rc == ZOK) {
			n = zn_tp_list_parse(d, (size_t)l, v, max - 1);
			if (n < 0)
				n = 0; /* malformed: the controller drops it too */
		}
		free(d);
		if (!v)
			return ZSYSTEMERROR;
		int k = 0;
		while (k < n && (v[k].partition != e->partition || strcmp(v[k].topic, e->topic)))
			k++;
		v[k] = *e;
		if (k == n)
			n++;
		struct zbuf b;
		zb_init(&b);
		zn_tp_list_build(&b, v, n);
		free(v);
		int wrc = b.oom ? ZSYSTEMERROR
			 : rc == ZNONODE ? zoo_create(c->zh, RA_PATH, b.p, (int)b.len,
						      zk_acl(c, RA_PATH), 0, NULL, 0)
			 : zoo_set(c->zh, RA_PATH, b.p, (int)b.len, st.version);
		zb_free(&b);
		if (wrc != ZBADVERSION && wrc != ZNODEEXISTS && wrc != ZNONODE)
			return wrc;
	}
	return ZBADVERSION;
}

static void ra_alter_run(void *p)
{
	struct ra_alter *a = p;
	struct coord *c = a->c;
	int16_t kerr = 0;
	const char *msg = NULL;
	struct zn_assign *parts = NULL;
	/* a name that is not a topic name never reaches a znode path */
	int n = zn_topic_name_valid(a->e.topic) ? ra_read_topic(c, a->e.topic, &parts) : -1;
	if (n < 0 || a->e.partition < 0 || a->e.partition >= n) {
		kerr = n == -2 ? KERR_UNKNOWN_SERVER_ERROR : KERR_UNKNOWN_TOPIC_OR_PARTITION;
		msg = n == -2 ? "cannot read the topic's assignment" : NULL;
	} else if (a->e.n_replicas < 0) {
		struct zn_assign *pa = &parts[a->e.partition];
		if (pa->n_adding == 0 && pa->n_removing == 0) {
			kerr = KERR_NO_REASSIGNMENT_IN_PROGRESS;
		} else {
			int m = 0;
			for (int k = 0; k < pa->n_replicas; k++) {
				int added = 0;
				for (int j = 0; j < pa->n_adding; j++)
					added |= pa->adding[j] == pa->replicas[k];
				if (!added)
					a->e.replicas[m++] = pa->replicas[k];
			}
			a->e.n_replicas = m;
		}
	} else if ((msg = ra_check_target(c, &a->e)) != NULL) {
		kerr = KERR_INVALID_REPLICA_ASSIGNMENT;
	}
	free(parts);
	if (!kerr) {
		int rc = ra_merge(c, &a->e);
		if (rc != ZOK) {
			kerr = KERR_UNKNOWN_SERVER_ERROR;
			msg = zerror(rc);
		} else {
			log_info("admin", "%s-%d: reassignment to %d replica(s) written to "
				 RA_PATH, a->e.topic, a->e.partition, a->e.n_replicas);
		}
	}
	coord_post_done(c, a->done, a->arg, kerr, msg);
	free(a);
}

void coord_alter_reassignment(struct coord *c, const char *topic, int32_t partition,
			      const int32_t *replicas, int n_replicas,
			      coord_done_fn done, void *arg)
{
	struct ra_alter *a = calloc(1, sizeof *a);
	if (!a || strlen(topic) >= sizeof a->e.topic || n_replicas > ZN_MAX_REPLICAS) {
		coord_post_done(c, done, arg, a ? KERR_INVALID_REPLICA_ASSIGNMENT
					      : KERR_UNKNOWN_SERVER_ERROR,
				a ? "too many replicas or topic name too long" : "out of memory");
		free(a);
		return;
	}
	a->c = c;
	a->done = done;
	a->arg = arg;
	snprintf(a->e.topic, sizeof a->e.topic, "%s", topic);
	a->e.partition = partition;
	a->e.n_replicas = n_replicas < 0 ? -1 : n_replicas;
	if (n_replicas > 0)
		memcpy(a->e.replicas, replicas, sizeof *replicas * (size_t)n_replicas);
	mbox_post(c->events, ra_alter_run, a);
}

/* ---- list ---- */

static void ra_list_topic(struct ra_list *l, const char *topic)
{
	struct zn_assign *parts = NULL;
	int n = zn_topic_name_valid(topic) ? ra_read_topic(l->c, topic, &parts) : 0;
	for (int k = 0; k < n; k++) {
		if (parts[k].n_adding == 0 && parts[k].n_removing == 0)
			continue;
		if (l->n_out == l->cap_out) {
			int cap = l->cap_out ? l->cap_out * 2 : 8;
			void *nv = realloc(l->out, (size_t)cap * sizeof *l->out);
			if (!nv)
				break;
			l->out = nv;
			l->cap_out = cap;
		}
		struct coord_reassignment *r = &l->out[l->n_out++];
		snprintf(r->topic, sizeof r->topic, "%s", topic);
		r->a = parts[k];
	}
	free(parts);
}

static void ra_list_deliver(void *p)
{
	struct ra_list *l = p;
	l->done(l->arg, 0, l->out, l->n_out);
	for (int k = 0; k < l->n_topics; k++)
		free(l->topics[k]);
	free(l->topics);
	free(l->out);
	free(l);
}

static void ra_list_run(void *p)
{
	struct ra_list *l = p;
	struct coord *c = l->c;
	if (l->topics) {
		for (int k = 0; k < l->n_topics; k++)
			ra_list_topic(l, l->topics[k]);
	} else {
		struct String_vector kids = { 0, NULL };
		if (zoo_get_children(c->zh, "/brokers/topics", 0, &kids) == ZOK)
			for (int k = 0; k < kids.count; k++)
				ra_list_topic(l, kids.data[k]);
		deallocate_String_vector(&kids);
	}
	mbox_post(c->loop_mbox, ra_list_deliver, l);
}

void coord_list_reassignments(struct coord *c, const char *const *topics, int n_topics,
			      coord_reassign_list_fn done, void *arg)
{
	struct ra_list *l = calloc(1, sizeof *l);
	int bad = !l;
	if (l && topics) {
		l->topics = calloc((size_t)n_topics + 1, sizeof *l->topics);
		bad = !l->topics;
		for (int k = 0; !bad && k < n_topics; k++) {
			l->topics[k] = strdup(topics[k]);
			l->n_topics = k + 1;
			bad = !l->topics[k];
		}
	}
	if (l) {
		l->c = c;
		l->done = done;
		l->arg = arg;
	}
	if (bad) {
		if (l) {
			for (int k = 0; k < l->n_topics; k++)
				free(l->topics[k]);
			free(l->topics);
		}
		free(l);
		done(arg, KERR_UNKNOWN_SERVER_ERROR, NULL, 0);
		return;
	}
	mbox_post(c->events, ra_list_run, l);
}
