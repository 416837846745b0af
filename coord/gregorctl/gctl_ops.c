/* gregorctl's operator verbs over the Kafka protocol, the counterparts of
 * kafka-reassign-partitions.sh, kafka-leader-election.sh and
 * kafka-log-dirs.sh: reassign (AlterPartitionReassignments /
 * ListPartitionReassignments at the controller), leader-election
 * (ElectLeaders at the controller) and log-dirs (DescribeLogDirs at every
 * broker). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "coord/assign.h"
#include "coord/zjson.h"

#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/znode.h"

#define GCTL_USAGE 64 /* as gregorctl.c: usage errors */

enum { GO_API_DESCRIBE_LOG_DIRS = 35, GO_API_ELECT_LEADERS = 43,
       GO_API_ALTER_REASSIGN = 45, GO_API_LIST_REASSIGN = 46 };

static struct broker_channel *go_controller(struct gk *k)
{
	struct broker_channel *ch = k->md.controller_id >= 0 ? gk_broker(k, k->md.controller_id) : NULL;
	if (!ch)
		gctl_err("no controller in the cluster's metadata");
	return ch;
}

static int go_call_failed(const char *what, int rc)
{
	gctl_err("%s: %s", what, rc == -EBADMSG ? "undecodable response" : strerror(-rc));
	return 1;
}

/* --file F in kafka-reassign-partitions' JSON; malloc'd, count in *n. */
static struct zn_tp *go_read_plan(struct gctl *g, int *n)
{
	size_t len;
	if (!g->o.file) {
		gctl_err("reassign needs --file F ({\"partitions\":[{\"topic\":..,"
			 "\"partition\":..,\"replicas\":[..]}]})");
		return NULL;
	}
	char *data = gctl_read_file(g->o.file, &len);
	if (!data)
		return NULL;
	int max = (int)(len / 24) + 1;
	struct zn_tp *v = calloc((size_t)max, sizeof *v);
	*n = v ? zn_tp_list_parse(data, len, v, max) : -1;
	free(data);
	if (*n <= 0) {
		gctl_err("%s: no partitions, or not {\"partitions\":[{\"topic\":..,"
			 "\"partition\":..,\"replicas\":[..]},..]}", g->o.file);
		free(v);
		return NULL;
	}
	return v;
}

/* One topic per entry (Kafka merges them; so may we not). */
static int go_alter(struct gk *k, const struct zn_tp *v, int n, int cancel)
{
	struct broker_channel *ch = go_controller(k);
	if (!ch)
		return 1;
	struct apr_req_topic *tv = arena_alloc(&k->a, (size_t)n * sizeof *tv);
	struct apr_req_partition *pv = arena_alloc(&k->a, (size_t)n * sizeof *pv);
	if (!tv || !pv)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < n; i++) {
		if (!cancel && v[i].n_replicas < 1)
			return gctl_err("%s-%d: no \"replicas\"", v[i].topic, v[i].partition), 1;
		pv[i] = (struct apr_req_partition){ v[i].partition,
			cancel ? (struct karray){ -1, NULL }
			       : (struct karray){ v[i].n_replicas, (void *)v[i].replicas } };
		tv[i] = (struct apr_req_topic){ gk_kstr(v[i].topic), { 1, &pv[i] } };
	}
	struct alter_partition_reassignments_request req = { k->o->timeout_s * 1000, { n, tv } };
	struct alter_partition_reassignments_response resp;
	int rc = gk_call(k, ch, GO_API_ALTER_REASSIGN, 0, &alter_partition_reassignments_request_msg,
			 &req, &alter_partition_reassignments_response_msg, &resp);
	if (rc)
		return go_call_failed("AlterPartitionReassignments", rc);
	if (resp.error_code)
		return gctl_err("AlterPartitionReassignments: %s", kerr_name(resp.error_code)), 1;
	int bad = 0;
	const struct apr_resp_topic *ot = resp.responses.v;
	for (int32_t i = 0; i < resp.responses.n; i++) {
		const struct apr_resp_partition *op = ot[i].partitions.v;
		for (int32_t j = 0; j < ot[i].partitions.n; j++) {
			bad |= op[j].error_code != 0;
			printf("%s-%d: %s%s%.*s\n", gk_cstr(k, ot[i].name), op[j].partition_index,
			       op[j].error_code ? kerr_name(op[j].error_code)
						: cancel ? "cancelled" : "reassignment started",
			       op[j].error_message.len > 0 ? ": " : "",
			       op[j].error_message.len > 0 ? (int)op[j].error_message.len : 0,
			       op[j].error_message.p ? op[j].error_message.p : "");
		}
	}
	return bad;
}

static int go_listed(const struct list_partition_reassignments_response *r, const char *topic,
		     int32_t partition)
{
	const struct lpr_resp_topic *t = r->topics.v;
	for (int32_t i = 0; i < r->topics.n; i++) {
		const struct lpr_resp_partition *p = t[i].partitions.v;
		for (int32_t j = 0; j < t[i].partitions.n; j++)
			if (p[j].partition_index == partition && t[i].name.len == (int32_t)strlen(topic) &&
			    memcmp(t[i].name.p, topic, (size_t)t[i].name.len) == 0)
				return 1;
	}
	return 0;
}

/* Replicas of topic-partition in the Metadata equal want (in order)? */
static int go_replicas_are(struct gk *k, const struct zn_tp *e)
{
	const struct metadata_resp_topic *t = gk_topic(k, e->topic);
	const struct metadata_resp_partition *p = t ? t->partitions.v : NULL;
	for (int32_t i = 0; t && i < t->partitions.n; i++)
		if (p[i].partition_index == e->partition)
			return p[i].replica_nodes.n == e->n_replicas &&
			       memcmp(p[i].replica_nodes.v, e->replicas,
				      sizeof(int32_t) * (size_t)e->n_replicas) == 0;
	return 0;
}

static int go_verify(struct gk *k, const struct zn_tp *v, int n)
{
	struct broker_channel *ch = go_controller(k);
	if (!ch)
		return 1;
	struct list_partition_reassignments_request req = { k->o->timeout_s * 1000, { -1, NULL } };
	struct list_partition_reassignments_response resp;
	int rc = gk_call(k, ch, GO_API_LIST_REASSIGN, 0, &list_partition_reassignments_request_msg,
			 &req, &list_partition_reassignments_response_msg, &resp);
	if (rc)
		return go_call_failed("ListPartitionReassignments", rc);
	if (resp.error_code)
		return gctl_err("ListPartitionReassignments: %s", kerr_name(resp.error_code)), 1;
	int open = 0;
	for (int i = 0; i < n; i++) {
		int moving = go_listed(&resp, v[i].topic, v[i].partition);
		int done = !moving && go_replicas_are(k, &v[i]);
		const char *state = moving ? "is still in progress" : done ? "is completed"
				    : "is not in progress and its replicas differ from the plan";
		open |= !done;
		printf("Reassignment of partition %s-%d %s\n", v[i].topic, v[i].partition, state);
	}
	return open;
}

/* ---- throttles (kafka-reassign-partitions --throttle) ---- */

enum { GO_API_INCR_ALTER = 44 };

/* SET (value) or DELETE (value NULL) keys on one resource. */
static int go_configs(struct gk *k, int8_t res, const char *name, const char *const *keys,
		      const char *const *values, int n)
{
	struct broker_channel *ch = res == 4 ? gk_broker(k, (int32_t)atoi(name)) : go_controller(k);
	if (!ch)
		return gctl_err("broker %s is not in the cluster's metadata", name), 1;
	struct incremental_alter_configs_req_config c[4];
	for (int i = 0; i < n && i < 4; i++)
		c[i] = (struct incremental_alter_configs_req_config){ gk_kstr(keys[i]),
			(int8_t)(values ? 0 : 1), values ? gk_kstr(values[i]) : (struct kstr){ NULL, -1 } };
	struct incremental_alter_configs_req_resource rr = { res, gk_kstr(name), { n, c } };
	struct incremental_alter_configs_request req = { { 1, &rr }, 0 };
	struct incremental_alter_configs_response resp;
	int rc = gk_call(k, ch, GO_API_INCR_ALTER, 0, &incremental_alter_configs_request_msg, &req,
			 &incremental_alter_configs_response_msg, &resp);
	if (rc)
		return go_call_failed("IncrementalAlterConfigs", rc);
	const struct incremental_alter_configs_resp_resource *r = resp.responses.v;
	if (resp.responses.n == 1 && r->error_code)
		return gctl_err("%s %s: %s", res == 4 ? "broker" : "topic", name,
				kerr_name(r->error_code)), 1;
	return 0;
}

/* The current replicas of topic-partition from Metadata (n 0 if none). */
static const struct karray *go_current(struct gk *k, const char *topic, int32_t part)
{
	static const struct karray none = { 0, NULL };
	const struct metadata_resp_topic *t = gk_topic(k, topic);
	const struct metadata_resp_partition *p = t ? t->partitions.v : NULL;
	for (int32_t i = 0; t && i < t->partitions.n; i++)
		if (p[i].partition_index == part)
			return &p[i].replica_nodes;
	return &none;
}

/* "p:b,p:b" lists of one topic: leader side the current replicas, follower
 * side the new ones not yet replicas, as Kafka's tool writes them. */
static void go_throttle_lists(struct gk *k, const struct zn_tp *v, int n, const char *topic,
			      struct zbuf *lead, struct zbuf *follow)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i].topic, topic))
			continue;
		const struct karray *cur = go_current(k, topic, v[i].partition);
		const int32_t *c = cur->v;
		for (int32_t j = 0; j < cur->n; j++)
			zb_printf(lead, "%s%d:%d", lead->len ? "," : "", v[i].partition, c[j]);
		for (int j = 0; j < v[i].n_replicas; j++)
			if (!gctl_contains(c, cur->n, v[i].replicas[j]))
				zb_printf(follow, "%s%d:%d", follow->len ? "," : "", v[i].partition,
					  v[i].replicas[j]);
	}
}

/* Brokers named by the plan or holding its partitions now (sorted). */
static int go_brokers_involved(struct gk *k, const struct zn_tp *v, int n, int32_t *out, int cap)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		const struct karray *cur = go_current(k, v[i].topic, v[i].partition);
		const int32_t *c = cur->v;
		for (int32_t j = 0; j < cur->n && m < cap; j++)
			if (!gctl_contains(out, m, c[j]))
				out[m++] = c[j];
		for (int j = 0; j < v[i].n_replicas && m < cap; j++)
			if (!gctl_contains(out, m, v[i].replicas[j]))
				out[m++] = v[i].replicas[j];
	}
	return m;
}

/* Sets (rate >= 0) or removes (rate < 0) the throttle of the plan. */
static int go_throttle(struct gk *k, const struct zn_tp *v, int n, int64_t rate)
{
	static const char *const bkeys[] = { "leader.replication.throttled.rate",
					     "follower.replication.throttled.rate" };
	static const char *const tkeys[] = { "leader.replication.throttled.replicas",
					     "follower.replication.throttled.replicas" };
	int32_t ids[256];
	int nb = 0, rc = 0;
	/* set on the brokers the move involves; cleared on every broker, as
	 * Kafka's tool does (the ones involved then may be gone from the plan) */
	const struct metadata_resp_broker *mb = k->md.brokers.v;
	if (rate >= 0)
		nb = go_brokers_involved(k, v, n, ids, 256);
	for (int32_t i = 0; rate < 0 && i < k->md.brokers.n && nb < 256; i++)
		ids[nb++] = mb[i].node_id;
	char rs[24], id[16];
	snprintf(rs, sizeof rs, "%lld", (long long)rate);
	const char *const rv[] = { rs, rs };
	for (int i = 0; i < nb; i++) {
		snprintf(id, sizeof id, "%d", ids[i]);
		rc |= go_configs(k, 4, id, bkeys, rate >= 0 ? rv : NULL, 2);
	}
	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(v[j].topic, v[i].topic) == 0;
		if (seen)
			continue;
		struct zbuf lead, follow;
		zb_init(&lead);
		zb_init(&follow);
		go_throttle_lists(k, v, n, v[i].topic, &lead, &follow);
		const char *const tv[] = { lead.p ? lead.p : "", follow.p ? follow.p : "" };
		rc |= lead.oom || follow.oom ||
		      go_configs(k, 2, v[i].topic, tkeys, rate >= 0 ? tv : NULL, 2);
		zb_free(&lead);
		zb_free(&follow);
	}
	if (!rc && rate >= 0)
		printf("The inter-broker throttle limit was set to %lld B/s\n", (long long)rate);
	else if (!rc)
		printf("Throttle was removed.\n");
	return rc;
}

/* ---- progress ---- */

/* A bar on a terminal ("\r" rewrites it), one line per change otherwise. */
static void go_progress(int done, int total, int tty)
{
	int width = 30, fill = total > 0 ? done * width / total : width;
	if (tty) {
		fprintf(stderr, "\r[%.*s%*s] %d/%d partitions reassigned", fill,
			"##############################", width - fill, "", done, total);
		if (done == total)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "%d/%d partitions reassigned\n", done, total);
	}
	fflush(stderr);
}

/* Counts the plan's finished partitions (not listed as moving, replicas as
 * planned); -1 on error (printed). Metadata is refreshed each time. */
static int go_count_done(struct gk *k, const struct zn_tp *v, int n)
{
	struct broker_channel *ch = go_controller(k);
	if (!ch)
		return -1;
	struct list_partition_reassignments_request req = { k->o->timeout_s * 1000, { -1, NULL } };
	struct list_partition_reassignments_response resp;
	int rc = gk_call(k, ch, GO_API_LIST_REASSIGN, 0, &list_partition_reassignments_request_msg,
			 &req, &list_partition_reassignments_response_msg, &resp);
	if (rc)
		return go_call_failed("ListPartitionReassignments", rc), -1;
	struct metadata_request mreq = { .topics = { -1, NULL } };
	if ((rc = gk_call(k, ch, GK_API_METADATA, 4, &metadata_request_msg, &mreq,
			  &metadata_response_msg, &k->md)))
		return go_call_failed("Metadata", rc), -1;
	int done = 0;
	for (int i = 0; i < n; i++)
		done += !go_listed(&resp, v[i].topic, v[i].partition) && go_replicas_are(k, &v[i]);
	return done;
}

/* --execute --wait S: polls until every partition moved or S seconds. */
static int go_wait(struct gk *k, const struct zn_tp *v, int n, int wait_s)
{
	int tty = isatty(2), last = -1;
	int64_t deadline = clock_mono_ms() + (int64_t)wait_s * 1000;
	for (;;) {
		int done = go_count_done(k, v, n);
		if (done < 0)
			return 1;
		if (done != last)
			go_progress(done, n, tty);
		last = done;
		if (done == n)
			return 0;
		if (clock_mono_ms() >= deadline)
			break;
		struct timespec ts = { 0, 500 * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (tty)
		fputc('\n', stderr);
	gctl_err("%d of %d partitions still moving after %d s", n - last, n, wait_s);
	return 1;
}

/* ---- generate ---- */

/* {"topics":[{"topic":"t"},..],"version":1} into names (malloc'd). */
static int go_topics_to_move(const char *file, char ***names, int *n)
{
	size_t len;
	char *data = gctl_read_file(file, &len);
	if (!data)
		return 1;
	struct zjson j;
	int rc = 1;
	*n = 0;
	*names = NULL;
	if (zj_parse(&j, data, len) == 0) {
		int arr = zj_get(&j, 0, "topics");
		int cnt = zj_type(&j, arr) == ZJ_ARR ? j.t[arr].count : -1;
		*names = cnt > 0 ? calloc((size_t)cnt, sizeof **names) : NULL;
		for (int i = 0; *names && i < cnt; i++) {
			char t[256];
			int e = zj_at(&j, arr, i);
			if (zj_str(&j, zj_get(&j, e, "topic"), t, sizeof t) || !((*names)[*n] = strdup(t)))
				break;
			(*n)++;
		}
		rc = cnt <= 0 || *n != cnt;
		zj_free(&j);
	}
	free(data);
	if (rc)
		gctl_err("%s: not {\"topics\":[{\"topic\":\"t\"},...],\"version\":1}", file);
	return rc;
}

static void go_put_assignment(struct zbuf *b, const char *topic, int32_t part, const int32_t *r,
			      int n, int first)
{
	zb_puts(b, first ? "{\"topic\":" : ",{\"topic\":");
	zb_jstr(b, topic);
	zb_printf(b, ",\"partition\":%d,\"replicas\":[", part);
	for (int i = 0; i < n; i++)
		zb_printf(b, "%s%d", i ? "," : "", r[i]);
	zb_puts(b, "],\"log_dirs\":[");
	for (int i = 0; i < n; i++)
		zb_puts(b, i ? ",\"any\"" : "\"any\"");
	zb_puts(b, "]}");
}

static int go_int_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int go_generate_topic(struct gk *k, const char *name, const int32_t *brokers, int nb,
			     struct zbuf *cur, struct zbuf *prop, int *first)
{
	const struct metadata_resp_topic *t = gk_topic(k, name);
	if (!t)
		return gctl_err("topic '%s' does not exist", name), 1;
	const struct metadata_resp_partition *p = t->partitions.v;
	int rf = t->partitions.n ? p[0].replica_nodes.n : 0;
	if (rf > nb)
		return gctl_err("topic '%s' has replication factor %d, more than the %d brokers in "
				"--broker-list", name, rf, nb), 1;
	struct zn_assign *as = calloc((size_t)t->partitions.n + 1, sizeof *as);
	if (!as)
		return gctl_err("out of memory"), 1;
	int rc = assign_replicas(brokers, nb, t->partitions.n, rf, 0, rand() % nb, rand() % nb, as);
	for (int32_t i = 0; !rc && i < t->partitions.n; i++) {
		go_put_assignment(cur, name, p[i].partition_index, p[i].replica_nodes.v,
				  p[i].replica_nodes.n, *first);
		go_put_assignment(prop, name, p[i].partition_index, as[p[i].partition_index].replicas,
				  rf, *first);
		*first = 0;
	}
	free(as);
	return rc ? (gctl_err("cannot assign %s's replicas", name), 1) : 0;
}

static int go_generate(struct gctl *g, struct gk *k)
{
	if (!g->o.topics_to_move || !g->o.broker_list)
		return gctl_err("--generate needs --topics-to-move-json-file and --broker-list"),
		       GCTL_EXIT_USAGE;
	int32_t brokers[256];
	int nb = 0;
	for (const char *s = g->o.broker_list; *s && nb < 256;) {
		char *e;
		long v = strtol(s, &e, 10);
		if (e == s || v < 0 || v > INT32_MAX || (*e && *e != ','))
			return gctl_err("--broker-list: '%s' is not ids like 1,2,3", g->o.broker_list),
			       GCTL_EXIT_USAGE;
		if (!gctl_contains(brokers, nb, (int32_t)v))
			brokers[nb++] = (int32_t)v;
		s = *e ? e + 1 : e;
	}
	qsort(brokers, (size_t)nb, sizeof *brokers, go_int_cmp);
	char **names;
	int nt, rc = 0, first = 1;
	if (go_topics_to_move(g->o.topics_to_move, &names, &nt))
		return 1;
	struct zbuf cur, prop;
	zb_init(&cur);
	zb_init(&prop);
	zb_puts(&cur, "{\"version\":1,\"partitions\":[");
	zb_puts(&prop, "{\"version\":1,\"partitions\":[");
	srand((unsigned)clock_mono_ms());
	for (int i = 0; i < nt && !rc; i++)
		rc = go_generate_topic(k, names[i], brokers, nb, &cur, &prop, &first);
	zb_puts(&cur, "]}");
	zb_puts(&prop, "]}");
	if (!rc && !cur.oom && !prop.oom)
		printf("Current partition replica assignment\n%s\n\nProposed partition reassignment "
		       "configuration\n%s\n", cur.p, prop.p);
	for (int i = 0; i < nt; i++)
		free(names[i]);
	free(names);
	zb_free(&cur);
	zb_free(&prop);
	return rc;
}

int gctl_cmd_reassign(struct gctl *g)
{
	int modes = g->o.execute + g->o.verify + g->o.cancel + (g->o.action && !strcmp(g->o.action, "generate"));
	if (modes != 1) {
		gctl_err("reassign needs exactly one of --generate, --execute, --verify, --cancel");
		return GCTL_USAGE;
	}
	struct gk k;
	if (modes && g->o.action && !strcmp(g->o.action, "generate")) {
		int rc = gk_open(&k, &g->o) ? 1 : go_generate(g, &k);
		gk_close(&k);
		return rc;
	}
	int n;
	struct zn_tp *v = go_read_plan(g, &n);
	if (!v)
		return 1;
	int rc = 1;
	if (!gk_open(&k, &g->o)) {
		if (g->o.verify) {
			rc = go_verify(&k, v, n);
			if (rc == 0 && go_throttle(&k, v, n, -1))
				rc = 1;
		} else {
			rc = g->o.execute && g->o.throttle > 0 ? go_throttle(&k, v, n, g->o.throttle) : 0;
			if (rc == 0)
				rc = go_alter(&k, v, n, g->o.cancel);
			if (rc == 0 && g->o.execute && g->o.wait_s > 0)
				rc = go_wait(&k, v, n, g->o.wait_s);
		}
		gk_close(&k);
	}
	free(v);
	return rc;
}

/* ---- leader-election ---- */

int gctl_cmd_leader_election(struct gctl *g)
{
	if (g->o.preferred + g->o.unclean != 1) {
		gctl_err("leader-election needs --preferred or --unclean");
		return GCTL_USAGE;
	}
	if (g->o.partition >= 0 && !g->o.topic) {
		gctl_err("--partition needs --topic");
		return GCTL_USAGE;
	}
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	int rc = 1;
	struct broker_channel *ch = go_controller(&k);
	const struct metadata_resp_topic *t = g->o.topic ? gk_topic(&k, g->o.topic) : NULL;
	if (ch && g->o.topic && !t)
		gctl_err("topic '%s' does not exist", g->o.topic);
	else if (ch) {
		int32_t np = 0;
		int32_t *parts = t ? arena_alloc(&k.a, ((size_t)t->partitions.n + 1) * sizeof *parts) : NULL;
		const struct metadata_resp_partition *mp = t ? t->partitions.v : NULL;
		if (g->o.partition >= 0 && parts)
			parts[np++] = g->o.partition;
		for (int32_t i = 0; parts && g->o.partition < 0 && i < t->partitions.n; i++)
			parts[np++] = mp[i].partition_index;
		struct elr_req_topic rt = { gk_kstr(g->o.topic), { np, parts } };
		struct elect_leaders_request req = { (int8_t)(g->o.unclean ? 1 : 0),
						     t ? (struct karray){ 1, &rt } : (struct karray){ -1, NULL },
						     g->o.timeout_s * 1000 };
		struct elect_leaders_response resp;
		int crc = gk_call(&k, ch, GO_API_ELECT_LEADERS, 2, &elect_leaders_request_msg, &req,
				  &elect_leaders_response_msg, &resp);
		if (crc) {
			rc = go_call_failed("ElectLeaders", crc);
		} else if (resp.error_code) {
			gctl_err("ElectLeaders: %s", kerr_name(resp.error_code));
		} else {
			rc = 0;
			const struct elr_resp_topic *ot = resp.replica_election_results.v;
			for (int32_t i = 0; i < resp.replica_election_results.n; i++) {
				const struct elr_resp_partition *op = ot[i].partition_result.v;
				for (int32_t j = 0; j < ot[i].partition_result.n; j++) {
					int16_t e = op[j].error_code;
					/* as kafka-leader-election: nothing to do is not a failure */
					rc |= e != 0 && e != KERR_ELECTION_NOT_NEEDED;
					if (e == KERR_ELECTION_NOT_NEEDED && !t)
						continue;
					printf("%s-%d: %s\n", gk_cstr(&k, ot[i].topic), op[j].partition_id,
					       e == 0 ? "new leader elected" : kerr_name(e));
				}
			}
		}
	}
	gk_close(&k);
	return rc;
}

/* ---- log-dirs ---- */

static int go_topic_wanted(struct gk *k, const char *name)
{
	const struct gctl_list *t = &k->o->topics;
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->v[i], name) == 0)
			return 1;
	return t->n == 0;
}

/* One log dir: text lines, or Kafka's kafka-log-dirs JSON shape. */
static void go_log_dir(struct gk *k, int32_t id, const struct dld_resp_result *r, struct zbuf *j,
		       int first)
{
	if (k->o->json) {
		zb_puts(j, first ? "{\"logDir\":" : ",{\"logDir\":");
		zb_jstr(j, gk_cstr(k, r->log_dir));
		zb_printf(j, ",\"error\":%s%s%s,\"totalBytes\":%" PRId64 ",\"usableBytes\":%" PRId64
			  ",\"partitions\":[", r->error_code ? "\"" : "",
			  r->error_code ? kerr_name(r->error_code) : "null", r->error_code ? "\"" : "",
			  r->total_bytes, r->usable_bytes);
	} else {
		printf("broker %d  %s  %s  total %" PRId64 " usable %" PRId64 "\n", id,
		       gk_cstr(k, r->log_dir), r->error_code ? kerr_name(r->error_code) : "online",
		       r->total_bytes, r->usable_bytes);
	}
	const struct dld_resp_topic *t = r->topics.v;
	int n = 0;
	for (int32_t i = 0; i < r->topics.n; i++) {
		const char *name = gk_cstr(k, t[i].name);
		if (!go_topic_wanted(k, name))
			continue;
		const struct dld_resp_partition *p = t[i].partitions.v;
		for (int32_t q = 0; q < t[i].partitions.n; q++) {
			if (!k->o->json) {
				printf("  %s-%d  size %" PRId64 "  offset lag %" PRId64 "%s\n", name,
				       p[q].partition_index, p[q].partition_size, p[q].offset_lag,
				       p[q].is_future_key ? "  (future)" : "");
				continue;
			}
			char tp[300];
			snprintf(tp, sizeof tp, "%s-%d", name, p[q].partition_index);
			zb_puts(j, n++ ? ",{\"partition\":" : "{\"partition\":");
			zb_jstr(j, tp);
			zb_printf(j, ",\"size\":%" PRId64 ",\"offsetLag\":%" PRId64 ",\"isFuture\":%s}",
				  p[q].partition_size, p[q].offset_lag, p[q].is_future_key ? "true" : "false");
		}
	}
	if (k->o->json)
		zb_puts(j, "]}");
}

static int go_log_dirs_of(struct gk *k, int32_t id, struct zbuf *j, int first)
{
	struct broker_channel *ch = gk_broker(k, id);
	struct describe_log_dirs_request req = { { -1, NULL } };
	struct describe_log_dirs_response resp;
	int rc = ch ? gk_call(k, ch, GO_API_DESCRIBE_LOG_DIRS, 4, &describe_log_dirs_request_msg,
			      &req, &describe_log_dirs_response_msg, &resp) : -EHOSTUNREACH;
	if (rc)
		return gctl_err("broker %d: DescribeLogDirs: %s", id,
				rc == -EBADMSG ? "undecodable response" : strerror(-rc)), 1;
	if (resp.error_code)
		return gctl_err("broker %d: DescribeLogDirs: %s", id, kerr_name(resp.error_code)), 1;
	if (k->o->json)
		zb_printf(j, "%s{\"broker\":%d,\"logDirs\":[", first ? "" : ",", id);
	const struct dld_resp_result *r = resp.results.v;
	for (int32_t i = 0; i < resp.results.n; i++)
		go_log_dir(k, id, &r[i], j, i == 0);
	if (k->o->json)
		zb_puts(j, "]}");
	return 0;
}

/* --broker-list "1,2": is id in it (everyone without the option)? */
static int go_broker_wanted(const char *list, int32_t id)
{
	for (const char *s = list; s && *s;) {
		char *e;
		long v = strtol(s, &e, 10);
		if (e == s)
			return 0;
		if (v == id)
			return 1;
		s = *e ? e + 1 : e;
	}
	return list == NULL;
}

int gctl_cmd_log_dirs(struct gctl *g)
{
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	int rc = 0, first = 1;
	struct zbuf j;
	zb_init(&j);
	zb_puts(&j, "{\"version\":1,\"brokers\":[");
	const struct metadata_resp_broker *b = k.md.brokers.v;
	for (int32_t i = 0; i < k.md.brokers.n; i++) {
		if (!go_broker_wanted(g->o.broker_list, b[i].node_id))
			continue;
		rc |= go_log_dirs_of(&k, b[i].node_id, &j, first);
		first = 0;
	}
	zb_puts(&j, "]}\n");
	if (g->o.json)
		rc |= gk_put_json(&j);
	zb_free(&j);
	gk_close(&k);
	return rc;
}

static const struct gctl_spec reassign_spec = {
	"reassign",
	"bootstrap-server bootstrap command-config zookeeper zk-digest zk-digest-file "
	"reassignment-json-file file generate execute verify cancel topics-to-move-json-file "
	"broker-list throttle wait",
	"usage: gregorctl reassign --bootstrap-server H:P ACTION   (kafka-reassign-partitions)\n"
	"  --generate --topics-to-move-json-file F --broker-list 1,2,3\n"
	"             print the current assignment and a proposed one spreading the\n"
	"             topics' partitions over the brokers (nothing is changed)\n"
	"  --execute --reassignment-json-file F [--throttle BYTES/S] [--wait S]\n"
	"             --throttle: leader/follower.replication.throttled.rate on the\n"
	"             brokers involved and the throttled-replicas lists on the topics;\n"
	"             --wait: follow the move for up to S seconds (a progress bar on a\n"
	"             terminal, a line per step otherwise) and exit 1 if unfinished\n"
	"  --verify  --reassignment-json-file F  exit 1 while any is unfinished; once\n"
	"             all are done removes the throttle configs\n"
	"  --cancel  --reassignment-json-file F\n"
	"  F is {\"version\":1,\"partitions\":[{\"topic\":..,\"partition\":..,\"replicas\":[..]}]}\n"
	"  --zookeeper H:P instead of --bootstrap-server: --execute writes\n"
	"             /admin/reassign_partitions, --verify reads it and /brokers/topics\n"
	"             (the ZooKeeper-era tool's way; no throttle, cancel or generate)\n"
	"  --bootstrap-server H:P[,H:P...]  brokers to bootstrap from\n"
	"  --command-config FILE   client properties: security.protocol, ssl.*\n"
	"  --timeout S             seconds per connection or request (default 10)\n",
};

/* --zookeeper --verify: a partition is in progress while listed in
 * /admin/reassign_partitions, complete when /brokers/topics/<t> has the
 * planned replicas (what the ZooKeeper-era tool checked). */
static int go_zk_verify(struct gctl *g)
{
	int n;
	struct zn_tp *v = go_read_plan(g, &n);
	if (!v)
		return 1;
	char *admin = NULL;
	int alen = 0, open = 0;
	int rc = gctl_get(g, "/admin/reassign_partitions", &admin, &alen, NULL);
	if (rc == GCTL_FAIL)
		return free(v), 1;
	struct zn_tp *moving = calloc((size_t)(alen / 24 + 1), sizeof *moving);
	int nm = rc == 0 && moving && alen > 0 ? zn_tp_list_parse(admin, (size_t)alen, moving, alen / 24 + 1) : 0;
	for (int i = 0; i < n; i++) {
		int listed = 0, done = 0;
		for (int q = 0; q < nm; q++)
			listed |= moving[q].partition == v[i].partition && !strcmp(moving[q].topic, v[i].topic);
		struct zn_assign *as = NULL;
		int na = 0;
		if (!listed && gctl_read_assignment(g, v[i].topic, &as, &na, NULL) == 0)
			for (int q = 0; q < na; q++)
				done |= as[q].partition == v[i].partition &&
					as[q].n_replicas == v[i].n_replicas &&
					!memcmp(as[q].replicas, v[i].replicas,
						sizeof(int32_t) * (size_t)v[i].n_replicas);
		free(as);
		open |= !done;
		printf("Reassignment of partition %s-%d %s\n", v[i].topic, v[i].partition,
		       listed ? "is still in progress" : done ? "is completed"
		       : "is not in progress and its replicas differ from the plan");
	}
	free(moving);
	free(admin);
	free(v);
	return open;
}

/* kafka-reassign-partitions --zookeeper: --execute writes
 * /admin/reassign_partitions (the controller moves the replicas). */
static int go_reassign_zk(struct gctl *g)
{
	if (g->o.execute + g->o.verify != 1 || g->o.cancel || g->o.throttle > 0 ||
	    (g->o.action && !strcmp(g->o.action, "generate")))
		return gctl_usage_err("reassign", "over --zookeeper: --execute or --verify (no "
				      "--cancel, --throttle, --generate)");
	if (gctl_zk_open(g, "reassign"))
		return 1;
	int rc = g->o.execute ? gctl_cmd_partitions(g, "reassign") : go_zk_verify(g);
	gctl_close(g);
	return rc;
}

int gctl_verb_reassign(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &reassign_spec, w, 0, &rc) >= 0) {
		if (g.o.zookeeper && !g.o.bootstrap)
			rc = go_reassign_zk(&g);
		else if (!(rc = gctl_need_bootstrap(&g, reassign_spec.verb)))
			rc = gctl_cmd_reassign(&g);
	}
	gctl_done(&g);
	return rc;
}
