/* The controller (docs/zookeeper.md §2), active on the broker that won election.
 * It mirrors live brokers, topic assignments and partition states from
 * ZooKeeper, decides leaders, writes state znodes (every write fenced by a
 * check on /controller_epoch's version) and tells brokers.
 *
 * Invariants: ctl.brokers is sorted by id and holds exactly the children of
 * /brokers/ids as last read; a partition with has_state mirrors its state
 * znode including zk_version; a state znode's ISR is never written empty. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "coord/coord_int.h"

#define CTL_MOD "controller"
#define CTL_RETRY_MS 3000

struct ctl_broker *ctl_broker_find(struct controller *ctl, int32_t id)
{
	for (int k = 0; k < ctl->n_brokers; k++)
		if (ctl->brokers[k].id == id)
			return &ctl->brokers[k];
	return NULL;
}

static int ctl_live(struct controller *ctl, int32_t id)
{
	return ctl_broker_find(ctl, id) != NULL;
}

void ctl_view_refresh(struct controller *ctl)
{
	size_t n = (size_t)ctl->n_brokers + 1;
	int32_t *live = realloc(ctl->view_live, n * sizeof *live);
	if (live)
		ctl->view_live = live;
	int32_t *shut = realloc(ctl->view_shut, n * sizeof *shut);
	if (shut)
		ctl->view_shut = shut;
	memset(&ctl->view, 0, sizeof ctl->view);
	if (!live || !shut)
		return; /* nobody eligible: elections wait for the next event */
	for (int k = 0; k < ctl->n_brokers; k++) {
		live[ctl->view.n_live++] = ctl->brokers[k].id;
		if (ctl->brokers[k].shutting_down)
			shut[ctl->view.n_shutting++] = ctl->brokers[k].id;
	}
	ctl->view.live = live;
	ctl->view.shutting = shut;
}

static int ctl_contains(const int32_t *v, int n, int32_t id)
{
	for (int k = 0; k < n; k++)
		if (v[k] == id)
			return 1;
	return 0;
}

struct ctl_topic *ctl_topic_find(struct controller *ctl, const char *name)
{
	for (int k = 0; k < ctl->n_topics; k++)
		if (strcmp(ctl->topics[k].name, name) == 0)
			return &ctl->topics[k];
	return NULL;
}

static void ctl_topic_remove(struct controller *ctl, struct ctl_topic *t)
{
	free(t->parts);
	int k = (int)(t - ctl->topics);
	memmove(&ctl->topics[k], &ctl->topics[k + 1],
		(size_t)(ctl->n_topics - k - 1) * sizeof *t);
	ctl->n_topics--;
}

int ctl_fenced_multi(struct coord *c, int n, zoo_op_t *ops, zoo_op_result_t *res)
{
	zoo_check_op_init(&ops[0], "/controller_epoch", c->ctl.epoch_zk_version);
	int rc = zoo_multi(c->zh, n, ops, res);
	if (rc != ZOK && (res[0].err == ZBADVERSION || res[0].err == ZNONODE)) {
		log_warn(CTL_MOD, "controller epoch %d is fenced (epoch znode moved)",
			 c->ctl.epoch);
		c->ctl.fenced = 1;
	}
	return rc;
}

int ctl_fenced_delete(struct coord *c, const char *path)
{
	zoo_op_t ops[2];
	zoo_op_result_t res[2];
	zoo_delete_op_init(&ops[1], path, -1);
	int rc = ctl_fenced_multi(c, 2, ops, res);
	return rc == ZNONODE && !c->ctl.fenced ? ZOK : rc;
}

static int ctl_delete_tree(struct coord *c, const char *path, int depth)
{
	if (depth > 6 || c->ctl.fenced)
		return ZBADARGUMENTS;
	struct String_vector kids = { 0, NULL };
	int rc = zoo_get_children(c->zh, path, 0, &kids);
	if (rc == ZNONODE)
		return ZOK;
	for (int k = 0; k < kids.count && rc == ZOK; k++) {
		char child[1024];
		if (snprintf(child, sizeof child, "%s/%s", path, kids.data[k]) >=
		    (int)sizeof child)
			rc = ZBADARGUMENTS;
		else
			rc = ctl_delete_tree(c, child, depth + 1);
	}
	deallocate_String_vector(&kids);
	return rc == ZOK ? ctl_fenced_delete(c, path) : rc;
}

/* ---- brokers ---- */

static int ctl_load_broker(struct coord *c, int32_t id, struct ctl_broker *out)
{
	char path[64], *d;
	int l;
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/ids/%d", id);
	if (zk_get_alloc(c, path, 0, &d, &l, &st) != ZOK)
		return -1;
	memset(out, 0, sizeof *out);
	int rc = zn_broker_parse(d, (size_t)l, &out->reg);
	free(d);
	if (rc) {
		log_warn(CTL_MOD, "ignoring malformed registration %s", path);
		return -1;
	}
	out->id = id;
	out->reg.id = id;
	out->epoch = st.czxid;
	const struct zn_endpoint *ep =
		zn_broker_endpoint(&out->reg, c->cfg.inter_broker_listener_name);
	if (!ep)
		ep = &out->reg.ep[0];
	broker_channel_init(&out->ch, id, ep->host, ep->port);
	out->ch.sec = c->cfg.inter_broker;
	out->full_sync = 1;
	return 0;
}

static int ctl_cmp_broker(const void *a, const void *b)
{
	const struct ctl_broker *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int ctl_parse_id(const char *s, int32_t *out)
{
	char *e;
	long v = strtol(s, &e, 10);
	if (!*s || *e || v < 0 || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* Reads /brokers/ids (re-arming the child watch) into a new broker array;
 * brokers already known with the same epoch keep their connection. */
static int ctl_read_brokers(struct coord *c, struct ctl_broker **outv, int *outn)
{
	struct controller *ctl = &c->ctl;
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, "/brokers/ids", 1, &kids) != ZOK)
		return -1;
	struct ctl_broker *v = calloc((size_t)kids.count + 1, sizeof *v);
	int n = 0;
	for (int k = 0; v && k < kids.count; k++) {
		int32_t id;
		if (ctl_parse_id(kids.data[k], &id))
			continue;
		struct ctl_broker nb;
		if (ctl_load_broker(c, id, &nb))
			continue;
		struct ctl_broker *old = ctl_broker_find(ctl, id);
		if (old && old->epoch == nb.epoch) {
			nb = *old;
			old->ch.fd = -1; /* moved */
			old->ch.tr = NULL;
			old->seen = 1;
		} else {
			log_state("[Controller id=%d epoch=%d] broker %d is live (broker epoch %lld, "
				  "reason: registered in /brokers/ids)", c->cfg.broker_id, ctl->epoch,
				  id, (long long)nb.epoch);
		}
		v[n++] = nb;
	}
	deallocate_String_vector(&kids);
	if (!v)
		return -1;
	qsort(v, (size_t)n, sizeof *v, ctl_cmp_broker);
	*outv = v;
	*outn = n;
	return 0;
}

/* ---- partition state ---- */

int ctl_read_state(struct coord *c, const char *topic, struct ctl_partition *p)
{
	char path[512], *d;
	int l;
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/topics/%s/partitions/%d/state", topic, p->id);
	int rc = zk_get_alloc(c, path, 0, &d, &l, &st);
	if (rc == ZNONODE) {
		p->has_state = 0;
		return 0;
	}
	if (rc != ZOK)
		return -1;
	rc = zn_pstate_parse(d, (size_t)l, &p->st);
	free(d);
	if (rc) {
		log_warn(CTL_MOD, "malformed %s; treating partition as new", path);
		p->has_state = 0;
		return 0;
	}
	p->has_state = 1;
	p->zk_version = st.version;
	return 0;
}

/* Fenced setData of a partition's state at its cached zk_version. */
static int ctl_write_state(struct coord *c, const struct ctl_topic *t,
			   struct ctl_partition *p, const struct zn_pstate *ns)
{
	char path[512];
	struct zbuf b;
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/topics/%s/partitions/%d/state", t->name, p->id);
	zb_init(&b);
	zn_pstate_build(&b, ns);
	zoo_op_t ops[2];
	zoo_op_result_t res[2];
	zoo_set_op_init(&ops[1], path, b.p, (int)b.len, p->zk_version, &st);
	int rc = b.oom ? ZSYSTEMERROR : ctl_fenced_multi(c, 2, ops, res);
	zb_free(&b);
	if (rc == ZOK) {
		p->st = *ns;
		p->zk_version = st.version;
		p->changed = 1;
		c->ctl.metadata_changed = 1;
	}
	return rc;
}

/* New partition: leader = first live replica, ISR = live replicas. Stays
 * New (no state znode) while no replica is live. */
static void ctl_create_state(struct coord *c, struct ctl_topic *t, struct ctl_partition *p)
{
	struct zn_pstate ns;
	if (elect_new(&c->ctl.view, p->replicas, p->n_replicas, &ns) == ELECT_KEEP)
		return;
	ns.controller_epoch = c->ctl.epoch;
	char dir[512], path[560];
	snprintf(dir, sizeof dir, "/brokers/topics/%s/partitions/%d", t->name, p->id);
	snprintf(path, sizeof path, "%s/state", dir);
	if (zk_create_path(c, dir) != ZOK)
		return;
	struct zbuf b;
	zb_init(&b);
	zn_pstate_build(&b, &ns);
	zoo_op_t ops[2];
	zoo_op_result_t res[2];
	zoo_create_op_init(&ops[1], path, b.p, (int)b.len, zk_acl(c, path), 0,
			   NULL, 0);
	int rc = b.oom ? ZSYSTEMERROR : ctl_fenced_multi(c, 2, ops, res);
	zb_free(&b);
	if (rc == ZOK) {
		p->has_state = 1;
		p->st = ns;
		p->zk_version = 0;
		p->changed = 1;
		p->is_new = 1;
		c->ctl.metadata_changed = 1;
		log_state("[Controller id=%d epoch=%d] %s-%d: NewPartition -> OnlinePartition: "
			  "leader %d, leader epoch %d, ISR %s, zkVersion 0 (reason: new partition)",
			  c->cfg.broker_id, c->ctl.epoch, t->name, p->id, ns.leader,
			  ns.leader_epoch, log_ids_str(ns.isr, ns.n_isr));
	} else if (rc == ZNODEEXISTS) {
		ctl_read_state(c, t->name, p);
	}
}

int ctl_run_election(struct coord *c, struct ctl_topic *t, struct ctl_partition *p,
		     ctl_decide_fn decide, void *arg, const char *why)
{
	for (int attempt = 0; attempt < 3 && !c->ctl.fenced; attempt++) {
		struct zn_pstate ns;
		int d = decide(c, t, p, arg, &ns);
		if (d == ELECT_KEEP)
			return ELECT_KEEP;
		ns.controller_epoch = c->ctl.epoch;
		struct zn_pstate old = p->st;
		int rc = ctl_write_state(c, t, p, &ns);
		if (rc == ZOK) {
			log_state("[Controller id=%d epoch=%d] %s-%d: leader %d -> %d, leader epoch "
				  "%d -> %d, ISR %s -> %s, zkVersion %d (reason: %s)",
				  c->cfg.broker_id, c->ctl.epoch, t->name, p->id, old.leader,
				  ns.leader, old.leader_epoch, ns.leader_epoch,
				  log_ids_str(old.isr, old.n_isr), log_ids_str(ns.isr, ns.n_isr),
				  p->zk_version, why);
			return d;
		}
		if (rc != ZBADVERSION || ctl_read_state(c, t->name, p))
			break;
	}
	return -1;
}

/* unclean.leader.election.enable: /config/topics/<t> overrides the broker */
static int ctl_unclean_enabled(struct coord *c, const char *topic)
{
	char path[512], *d, v[16];
	int l, on = c->cfg.unclean_leader_election;
	snprintf(path, sizeof path, "/config/topics/%s", topic);
	if (zk_get_alloc(c, path, 0, &d, &l, NULL) != ZOK)
		return on;
	if (zn_config_get(d, (size_t)l, "unclean.leader.election.enable", v, sizeof v) == 0)
		on = strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : on;
	free(d);
	return on;
}

static int ctl_decide_offline(struct coord *c, struct ctl_topic *t,
			      struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)arg;
	const struct elect_brokers *v = &c->ctl.view;
	/* a replica in an offline log dir is never a candidate, not even an
	 * unclean one (coord/log_dir_event.c) */
	int32_t reps[ZN_MAX_REPLICAS] = { 0 };
	int nr = 0;
	for (int k = 0; k < p->n_replicas; k++)
		if (!ctl_replica_offline(&c->ctl, t->name, p->id, p->replicas[k]))
			reps[nr++] = p->replicas[k];
	int rc = elect_offline(v, reps, nr, &p->st, 0, out);
	if (out->leader >= 0)
		return rc;
	int any = 0;
	for (int k = 0; k < nr; k++)
		any |= elect_is_eligible(v, reps[k]);
	if (!any || !ctl_unclean_enabled(c, t->name))
		return rc;
	return elect_offline(v, reps, nr, &p->st, 1, out);
}

/* Only called when the current leader is gone (docs/zookeeper.md §2 rules). */
static void ctl_elect(struct coord *c, struct ctl_topic *t, struct ctl_partition *p)
{
	char why[96];
	if (p->st.leader < 0)
		snprintf(why, sizeof why, "offline partition, no leader");
	else
		snprintf(why, sizeof why, "offline partition: leader %d is not live", p->st.leader);
	int rc = ctl_run_election(c, t, p, ctl_decide_offline, NULL, why);
	if (rc == ELECT_WRITE_UNCLEAN)
		log_warn(CTL_MOD, "%s-%d: unclean leader election of %d (out of "
			 "sync): possible data loss", t->name, p->id, p->st.leader);
	else if (rc == ELECT_WRITE && p->st.leader < 0)
		log_warn(CTL_MOD, "%s-%d: no live in-sync replica; partition offline",
			 t->name, p->id);
}

static int ctl_decide_shrink(struct coord *c, struct ctl_topic *t,
			     struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)t;
	(void)arg;
	return elect_shrink_dead(&c->ctl.view, &p->st, out);
}

/* The leader stays but some ISR members are dead: drop them (leader_epoch+1),
 * never down to an empty ISR. */
static void ctl_shrink_isr(struct coord *c, struct ctl_topic *t,
			   struct ctl_partition *p)
{
	ctl_run_election(c, t, p, ctl_decide_shrink, NULL, "ISR members not live removed");
}

/* Brings every partition to Online if it can: creates missing states and
 * elects where the leader is none or not live. */
static void ctl_settle_partitions(struct coord *c, struct ctl_topic *t)
{
	/* a topic queued for deletion has no elections (Kafka moves its
	 * partitions to NonExistent) */
	for (int k = 0; k < t->n_parts && !c->ctl.fenced && !t->deleting; k++) {
		struct ctl_partition *p = &t->parts[k];
		if (!p->has_state)
			ctl_create_state(c, t, p);
		else if (p->st.leader < 0 || !ctl_live(&c->ctl, p->st.leader))
			ctl_elect(c, t, p);
		else
			ctl_shrink_isr(c, t, p);
	}
}

/* ---- topics ---- */

/* Fenced setData of /brokers/topics/<t> from the mirror (replicas and the
 * adding/removing maps), as Kafka's controller does during reassignment. */
int ctl_write_topic(struct coord *c, const struct ctl_topic *t)
{
	struct zn_assign *as = calloc((size_t)t->n_parts + 1, sizeof *as);
	if (!as)
		return ZSYSTEMERROR;
	for (int k = 0; k < t->n_parts; k++) {
		const struct ctl_partition *p = &t->parts[k];
		as[k].partition = p->id;
		as[k].n_replicas = p->n_replicas;
		memcpy(as[k].replicas, p->replicas, sizeof as[k].replicas);
		as[k].n_adding = p->n_adding;
		memcpy(as[k].adding, p->adding, sizeof as[k].adding);
		as[k].n_removing = p->n_removing;
		memcpy(as[k].removing, p->removing, sizeof as[k].removing);
	}
	char path[512];
	snprintf(path, sizeof path, "/brokers/topics/%s", t->name);
	struct zbuf b;
	zb_init(&b);
	static const uint8_t zero[16];
	zn_topic_build_id(&b, memcmp(t->id, zero, 16) ? t->id : NULL, as, t->n_parts);
	free(as);
	zoo_op_t ops[2];
	zoo_op_result_t res[2];
	struct Stat st;
	zoo_set_op_init(&ops[1], path, b.p, (int)b.len, -1, &st);
	int rc = b.oom || b.len > ZK_DATA_MAX ? ZSYSTEMERROR : ctl_fenced_multi(c, 2, ops, res);
	zb_free(&b);
	if (rc != ZOK)
		log_warn(CTL_MOD, "cannot write %s: %s", path, zerror(rc));
	return rc;
}

/* Kafka 2.8+'s controller gives every topic an id (KIP-516): a topic
 * created by a tool that writes no "topic_id" (zkCli, an older Kafka, an
 * older Gregor) gets one here, written back with a conditional setData on
 * the version read (a concurrent change re-fires the data watch, and the
 * next read sees either the id or the change). The partition assignment is
 * written back as read. */
static void ctl_assign_topic_id(struct coord *c, const char *path, const struct zn_assign *as,
				int n, const struct Stat *st, uint8_t id[16])
{
	if (zn_uuid_generate(id)) {
		memset(id, 0, 16);
		return;
	}
	struct zbuf b;
	zb_init(&b);
	zn_topic_build_id(&b, id, as, n);
	zoo_op_t ops[2];
	zoo_op_result_t res[2];
	struct Stat nst;
	zoo_set_op_init(&ops[1], path, b.p, (int)b.len, st->version, &nst);
	int rc = b.oom || b.len > ZK_DATA_MAX ? ZSYSTEMERROR : ctl_fenced_multi(c, 2, ops, res);
	zb_free(&b);
	char s[23];
	zn_uuid_str(id, s);
	if (rc == ZOK) {
		log_info(CTL_MOD, "%s: assigned topic id %s", path, s);
	} else {
		log_warn(CTL_MOD, "cannot write topic id to %s: %s", path, zerror(rc));
		memset(id, 0, 16);
	}
}

/* Reads /brokers/topics/<name> (re-arming its data watch) and any
 * partitions not yet known. Returns 0, or -1 if the topic is gone/bad. */
static int ctl_load_topic(struct coord *c, const char *name)
{
	struct controller *ctl = &c->ctl;
	char path[512], *d;
	int l;
	struct Stat st;
	if (strlen(name) > 249)
		return -1;
	snprintf(path, sizeof path, "/brokers/topics/%s", name);
	if (zk_get_alloc(c, path, 1, &d, &l, &st) != ZOK)
		return -1;
	int max = l / 4 + 1; /* each partition needs at least "\"0\":[1]" */
	struct zn_assign *as = calloc((size_t)max, sizeof *as);
	int n = as ? zn_topic_parse(d, (size_t)l, as, max) : -ENOMEM;
	uint8_t id[16] = { 0 };
	int idrc = n > 0 ? zn_topic_id_parse(d, (size_t)l, id) : -EINVAL;
	free(d);
	if (idrc == -EINVAL && n > 0)
		log_warn(CTL_MOD, "%s: malformed topic_id; assigning a new one", path);
	const struct ctl_topic *known = ctl_topic_find(ctl, name);
	if (n > 0 && idrc != 0 && !(known && known->deleting))
		ctl_assign_topic_id(c, path, as, n, &st, id);
	if (n <= 0) {
		log_warn(CTL_MOD, "ignoring malformed topic znode %s", path);
		free(as);
		return -1;
	}
	struct ctl_topic *t = ctl_topic_find(ctl, name);
	if (!t) {
		struct ctl_topic *v = realloc(ctl->topics, (size_t)(ctl->n_topics + 1) * sizeof *v);
		if (!v) {
			free(as);
			return -1;
		}
		ctl->topics = v;
		t = &ctl->topics[ctl->n_topics++];
		memset(t, 0, sizeof *t);
		snprintf(t->name, sizeof t->name, "%s", name);
		log_info(CTL_MOD, "topic %s: %d partitions", name, n);
	}
	if (memcmp(t->id, id, 16)) {
		memcpy(t->id, id, 16);
		ctl->metadata_changed = 1;
	}
	if (n > t->n_parts) {
		struct ctl_partition *pv = realloc(t->parts, (size_t)n * sizeof *pv);
		if (!pv) {
			free(as);
			return -1;
		}
		t->parts = pv;
		for (int k = t->n_parts; k < n; k++) {
			struct ctl_partition *p = &pv[k];
			memset(p, 0, sizeof *p);
			p->id = k;
			p->n_replicas = as[k].n_replicas;
			memcpy(p->replicas, as[k].replicas, sizeof p->replicas);
			p->n_adding = as[k].n_adding;
			memcpy(p->adding, as[k].adding, sizeof p->adding);
			p->n_removing = as[k].n_removing;
			memcpy(p->removing, as[k].removing, sizeof p->removing);
			ctl_read_state(c, name, p);
		}
		t->n_parts = n;
		ctl->metadata_changed = 1;
	}
	free(as);
	t->seen = 1;
	return 0;
}

/* UpdateMetadata to every live broker now, before any StopReplica: topics
 * marked deleting go out with leader -2 so brokers drop them from Metadata
 * (Kafka's onTopicDeletion). A broker that misses it keeps full_sync and
 * gets the same on its retry while the deletion is pending. */
static void ctl_announce_deletions(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	int64_t now = clock_mono_ms();
	for (int k = 0; k < ctl->n_brokers && !atomic_load(&c->stopping); k++) {
		struct ctl_broker *b = &ctl->brokers[k];
		if (b->retry_at_ms > now || ctl_send_update_metadata(c, b) == 0)
			continue;
		b->full_sync = 1;
		b->retry_at_ms = now + CTL_RETRY_MS;
		log_warn(CTL_MOD, "broker %d missed the deletion UpdateMetadata; will "
			 "resend", b->id);
	}
}

static void ctl_on_topics_change(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, "/brokers/topics", 1, &kids) != ZOK)
		return;
	for (int k = 0; k < ctl->n_topics; k++)
		ctl->topics[k].seen = 0;
	for (int k = 0; k < kids.count; k++) {
		struct ctl_topic *t = ctl_topic_find(ctl, kids.data[k]);
		if (t)
			t->seen = 1;
		else if (ctl_load_topic(c, kids.data[k]) == 0)
			ctl_settle_partitions(c, ctl_topic_find(ctl, kids.data[k]));
	}
	deallocate_String_vector(&kids);
	/* removed behind the controller's back (not via /admin/delete_topics):
	 * brokers still have to forget it */
	int gone = 0;
	for (int k = 0; k < ctl->n_topics; k++)
		if (!ctl->topics[k].seen) {
			ctl->topics[k].deleting = 1;
			gone = 1;
		}
	if (gone)
		ctl_announce_deletions(c);
	for (int k = ctl->n_topics - 1; k >= 0; k--)
		if (!ctl->topics[k].seen) {
			log_info(CTL_MOD, "topic %s removed", ctl->topics[k].name);
			ctl_topic_remove(ctl, &ctl->topics[k]);
			ctl->metadata_changed = 1;
		}
}

static void ctl_on_topic_data(struct coord *c, const char *name)
{
	if (ctl_load_topic(c, name) == 0)
		ctl_settle_partitions(c, ctl_topic_find(&c->ctl, name));
}

/* ---- brokers joining and leaving ---- */

static void ctl_on_brokers_change(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	struct ctl_broker *v;
	int n;
	for (int k = 0; k < ctl->n_brokers; k++)
		ctl->brokers[k].seen = 0;
	if (ctl_read_brokers(c, &v, &n))
		return;
	struct ctl_broker *old = ctl->brokers;
	int n_old = ctl->n_brokers;
	ctl->brokers = v;
	ctl->n_brokers = n;
	for (int k = 0; k < n_old; k++) {
		if (old[k].seen)
			continue;
		broker_channel_close(&old[k].ch);
		ctl_offline_forget(ctl, old[k].id);
		if (!ctl_live(ctl, old[k].id))
			log_state("[Controller id=%d epoch=%d] broker %d failed (reason: its "
				  "registration is gone)", c->cfg.broker_id, ctl->epoch, old[k].id);
		else
			log_state("[Controller id=%d epoch=%d] broker %d restarted (reason: "
				  "registered with a new broker epoch)", c->cfg.broker_id, ctl->epoch,
				  old[k].id);
	}
	free(old);
	ctl_view_refresh(ctl);
	ctl->metadata_changed = 1;
	for (int k = 0; k < ctl->n_topics && !c->ctl.fenced; k++)
		ctl_settle_partitions(c, &ctl->topics[k]);
	ctl_reassign_check_all(c);
}

/* ---- deletion ---- */

static void ctl_delete_topic_znodes(struct coord *c, struct ctl_topic *t)
{
	struct controller *ctl = &c->ctl;
	char name[256], path[512];
	snprintf(name, sizeof name, "%s", t->name);
	ctl_topic_remove(ctl, t);
	ctl->metadata_changed = 1;
	snprintf(path, sizeof path, "/brokers/topics/%s", name);
	if (ctl_delete_tree(c, path, 0) != ZOK)
		return;
	snprintf(path, sizeof path, "/config/topics/%s", name);
	ctl_fenced_delete(c, path);
	snprintf(path, sizeof path, "/admin/delete_topics/%s", name);
	ctl_fenced_delete(c, path);
	log_info(CTL_MOD, "topic %s deleted", name);
}

/* StopReplica(delete) to every live broker still owing it for t. Returns
 * how many replicas wait for a dead broker. A live broker that cannot be
 * reached counts as done (logged): its replicas stay on its disk. */
static int ctl_delete_replicas(struct coord *c, struct ctl_topic *t)
{
	struct controller *ctl = &c->ctl;
	for (int k = 0; k < ctl->n_brokers; k++) {
		struct ctl_broker *b = &ctl->brokers[k];
		int owes = 0;
		for (int q = 0; q < t->n_parts; q++)
			for (int r = 0; r < t->parts[q].n_replicas; r++)
				owes |= t->parts[q].replicas[r] == b->id &&
					!(t->parts[q].del_done & (1u << r));
		if (!owes)
			continue;
		if (ctl_send_stop_replica(c, b, t, 1))
			log_warn(CTL_MOD, "StopReplica(%s) to broker %d failed; its "
				 "replicas stay on disk", t->name, b->id);
		for (int q = 0; q < t->n_parts; q++)
			for (int r = 0; r < t->parts[q].n_replicas; r++)
				if (t->parts[q].replicas[r] == b->id)
					t->parts[q].del_done |= 1u << r;
	}
	int waiting = 0;
	for (int q = 0; q < t->n_parts; q++)
		for (int r = 0; r < t->parts[q].n_replicas; r++)
			waiting += !(t->parts[q].del_done & (1u << r));
	return waiting;
}

/* Kafka's TopicDeletionManager: a topic is ineligible while one of its
 * partitions is being reassigned or while a replica's broker is dead. */
static void ctl_try_delete(struct coord *c, struct ctl_topic *t)
{
	for (int q = 0; q < t->n_parts; q++)
		if (ctl_part_reassigning(&t->parts[q])) {
			if (!t->del_wait_logged)
				log_info(CTL_MOD, "deletion of %s waits: partition %d is "
					 "being reassigned", t->name, q);
			t->del_wait_logged = 1;
			return;
		}
	int waiting = ctl_delete_replicas(c, t);
	if (waiting > 0) {
		if (!t->del_wait_logged)
			log_info(CTL_MOD, "deletion of %s waits for %d replica(s) on "
				 "dead brokers", t->name, waiting);
		t->del_wait_logged = 1;
		return;
	}
	ctl_delete_topic_znodes(c, t);
}

void ctl_resume_deletions(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	for (int k = ctl->n_topics - 1; k >= 0 && !ctl->fenced; k--)
		if (k < ctl->n_topics && ctl->topics[k].deleting)
			ctl_try_delete(c, &ctl->topics[k]);
}

static void ctl_on_delete_topics(struct coord *c)
{
	struct String_vector kids = { 0, NULL };
	int started = 0;
	if (zoo_get_children(c->zh, "/admin/delete_topics", 1, &kids) != ZOK)
		return;
	for (int k = 0; k < kids.count && !c->ctl.fenced; k++) {
		struct ctl_topic *t = ctl_topic_find(&c->ctl, kids.data[k]);
		if (t && !t->deleting) {
			log_info(CTL_MOD, "deletion of topic %s started", t->name);
			t->deleting = 1;
			started = 1;
			c->ctl.metadata_changed = 1;
		} else if (!t) {
			char path[512];
			snprintf(path, sizeof path, "/admin/delete_topics/%s", kids.data[k]);
			ctl_fenced_delete(c, path);
		}
	}
	deallocate_String_vector(&kids);
	if (started && !c->ctl.fenced)
		ctl_announce_deletions(c);
	ctl_resume_deletions(c);
}

/* ---- telling brokers ---- */

static int ctl_broker_owes_lai(struct controller *ctl, const struct ctl_broker *b)
{
	for (int k = 0; k < ctl->n_topics; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		for (int q = 0; q < t->n_parts; q++)
			if (t->parts[q].changed && t->parts[q].has_state &&
			    ctl_contains(t->parts[q].replicas, t->parts[q].n_replicas, b->id))
				return 1;
	}
	return 0;
}

/* rc is what the send returned: a refusal is retried after 250 ms, then
 * twice as long each time up to CTL_RETRY_MS; no answer after CTL_RETRY_MS. */
static void ctl_flush_failed(struct ctl_broker *b, int rc)
{
	int64_t delay = CTL_RETRY_MS;
	if (rc == CTL_REFUSED) {
		int shift = b->refusals < 4 ? b->refusals : 4;
		delay = (int64_t)250 << shift;
		if (delay > CTL_RETRY_MS)
			delay = CTL_RETRY_MS;
		if (b->refusals++ == 0)
			log_info(CTL_MOD, "broker %d refused our request (not registered as we "
				 "know it yet, or no ACLs loaded); resending", b->id);
	} else if (!b->full_sync || b->retry_at_ms == 0) {
		log_warn(CTL_MOD, "broker %d unreachable at %s:%d; will resend",
			 b->id, b->ch.host, b->ch.port);
	}
	b->full_sync = 1;
	b->retry_at_ms = clock_mono_ms() + delay;
}

/* Sends what each live broker is owed, in Kafka's order
 * (ControllerBrokerRequestBatch.sendRequestsToBrokers): LeaderAndIsr to
 * every broker first, then UpdateMetadata to every broker, so that no broker
 * names a leader in Metadata before that leader knows it leads (a client
 * sent there by FindCoordinator/Metadata would get NOT_COORDINATOR or
 * NOT_LEADER). A broker whose LeaderAndIsr failed gets no UpdateMetadata in
 * this round; a failed broker gets everything again on a later tick
 * (full_sync), so nothing is lost by clearing the per-partition flags here. */
void ctl_flush(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	int64_t now = clock_mono_ms();
	/* per broker this round: 0 nothing owed, 1 owed and reachable so far,
	 * 2 failed (or waiting for its retry time) */
	unsigned char *st = calloc((size_t)ctl->n_brokers + 1, 1);
	if (!st)
		return; /* flags stay set: the next event or tick sends */
	for (int k = 0; k < ctl->n_brokers && !atomic_load(&c->stopping); k++) {
		struct ctl_broker *b = &ctl->brokers[k];
		int lai = b->full_sync || ctl_broker_owes_lai(ctl, b);
		if (!lai && !b->full_sync && !ctl->metadata_changed)
			continue;
		if (b->retry_at_ms > now) {
			b->full_sync = 1;
			st[k] = 2;
			continue;
		}
		st[k] = 1;
		int rc = lai ? ctl_send_leader_and_isr(c, b, b->full_sync) : 0;
		if (rc) {
			ctl_flush_failed(b, rc);
			st[k] = 2;
		} else if (lai) {
			ctl_new_replicas_delivered(ctl, b->id);
		}
	}
	for (int k = 0; k < ctl->n_brokers && !atomic_load(&c->stopping); k++) {
		struct ctl_broker *b = &ctl->brokers[k];
		if (st[k] != 1)
			continue;
		int rc = ctl_send_update_metadata(c, b);
		if (rc) {
			ctl_flush_failed(b, rc);
			continue;
		}
		b->full_sync = 0;
		b->retry_at_ms = 0;
		b->refusals = 0;
	}
	free(st);
	for (int k = 0; k < ctl->n_topics; k++)
		for (int q = 0; q < ctl->topics[k].n_parts; q++) {
			ctl->topics[k].parts[q].changed = 0;
			ctl->topics[k].parts[q].is_new = 0;
			ctl->topics[k].parts[q].stop_mark = 0;
		}
	ctl->metadata_changed = 0;
}

/* ---- lifecycle ---- */

static void ctl_after_event(struct coord *c)
{
	if (c->ctl.fenced) {
		ctl_resign(c);
		coord_reelect(c);
		return;
	}
	if (!c->ctl.active)
		return;
	/* after any event: a finished reassignment or a returning broker may
	 * make a waiting deletion eligible (never inside a loop over topics) */
	ctl_resume_deletions(c);
	if (c->ctl.fenced) {
		ctl_resign(c);
		coord_reelect(c);
		return;
	}
	ctl_flush(c);
	/* LeaderAndIsr answers may have named replicas in offline log dirs:
	 * elect away from them and tell the brokers (bounded: each round adds
	 * only replicas not seen before) */
	for (int round = 0; round < 4 && c->ctl.offline_pending && !c->ctl.fenced; round++) {
		ctl_on_offline_replicas(c);
		ctl_flush(c);
	}
}

void ctl_on_elected(struct coord *c, int32_t epoch, int32_t epoch_zk_version)
{
	struct controller *ctl = &c->ctl;
	memset(ctl, 0, sizeof *ctl);
	c->ctl.fenced = 0;
	ctl->active = 1;
	ctl->epoch = epoch;
	ctl->epoch_zk_version = epoch_zk_version;
	log_state("[Controller id=%d epoch=%d] elected controller (controller epoch %d -> %d, "
		  "reason: won the /controller election); loading state", c->cfg.broker_id, epoch,
		  epoch - 1, epoch);
	struct ctl_broker *v;
	int n;
	if (ctl_read_brokers(c, &v, &n) == 0) {
		ctl->brokers = v;
		ctl->n_brokers = n;
	}
	ctl_view_refresh(ctl);
	ctl->next_rebalance_ms = clock_mono_ms() +
				 (int64_t)c->cfg.leader_imbalance_check_interval_seconds * 1000;
	ctl_on_topics_change(c);
	for (int k = 0; k < ctl->n_topics && !c->ctl.fenced; k++)
		ctl_settle_partitions(c, &ctl->topics[k]);
	ctl_on_isr_change(c);          /* also clears stale notifications */
	ctl_on_reassign(c);            /* arms the watches; resumes */
	ctl_reassign_check_all(c);     /* in progress per the topic znodes */
	ctl_on_delete_topics(c);
	ctl_on_preferred_election(c);  /* arms the exists-watch */
	ctl_on_log_dir_event(c);       /* arms the child watch; clears old events */
	for (int k = 0; k < ctl->n_brokers; k++)
		ctl->brokers[k].full_sync = 1;
	ctl->metadata_changed = 1;
	ctl_after_event(c);
}

void ctl_resign(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	if (!ctl->active)
		return;
	log_state("[Controller id=%d epoch=%d] resigned as controller", c->cfg.broker_id,
		  ctl->epoch);
	for (int k = 0; k < ctl->n_brokers; k++)
		broker_channel_close(&ctl->brokers[k].ch);
	free(ctl->brokers);
	for (int k = 0; k < ctl->n_topics; k++)
		free(ctl->topics[k].parts);
	free(ctl->topics);
	free(ctl->view_live);
	free(ctl->view_shut);
	free(ctl->offline);
	memset(ctl, 0, sizeof *ctl);
	c->ctl.fenced = 0;
}

void ctl_on_watch(struct coord *c, int type, const char *path)
{
	static const char topics[] = "/brokers/topics/";
	if (strcmp(path, "/brokers/ids") == 0 && type == ZOO_CHILD_EVENT)
		ctl_on_brokers_change(c);
	else if (strcmp(path, "/brokers/topics") == 0 && type == ZOO_CHILD_EVENT)
		ctl_on_topics_change(c);
	else if (strcmp(path, "/admin/delete_topics") == 0 && type == ZOO_CHILD_EVENT)
		ctl_on_delete_topics(c);
	else if (strcmp(path, "/isr_change_notification") == 0 && type == ZOO_CHILD_EVENT)
		ctl_on_isr_change(c);
	else if (strcmp(path, "/log_dir_event_notification") == 0 && type == ZOO_CHILD_EVENT)
		ctl_on_log_dir_event(c);
	else if (strcmp(path, "/admin/preferred_replica_election") == 0)
		ctl_on_preferred_election(c);
	else if (strcmp(path, "/admin/reassign_partitions") == 0)
		ctl_on_reassign(c);
	else if (strncmp(path, topics, sizeof topics - 1) == 0 &&
		 !strchr(path + sizeof topics - 1, '/') && type == ZOO_CHANGED_EVENT)
		ctl_on_topic_data(c, path + sizeof topics - 1);
	else
		return;
	ctl_after_event(c);
}

void ctl_tick(struct coord *c)
{
	if (!c->ctl.active)
		return;
	ctl_check_rebalance(c);
	if (c->ctl.fenced) {
		ctl_after_event(c);
		return;
	}
	int64_t now = clock_mono_ms();
	int due = 0;
	for (int k = 0; k < c->ctl.n_brokers; k++)
		if (c->ctl.brokers[k].full_sync && c->ctl.brokers[k].retry_at_ms <= now)
			due = 1;
	if (!due)
		return;
	ctl_flush(c);
	for (int round = 0; round < 4 && c->ctl.offline_pending && !c->ctl.fenced; round++) {
		ctl_on_offline_replicas(c);
		ctl_flush(c);
	}
}
