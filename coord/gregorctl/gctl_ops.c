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

struct zn_tp *gctl_read_plan(struct gctl *g, int *n)
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

/* The topic's partitions from Metadata, for gctl_reassign_*. */
static int go_k_current(void *ctx, const char *topic, struct zn_assign **as, int *n)
{
	const struct metadata_resp_topic *t = gk_topic(ctx, topic);
	if (!t)
		return GCTL_NONODE;
	const struct metadata_resp_partition *p = t->partitions.v;
	*as = calloc((size_t)t->partitions.n + 1, sizeof **as);
	if (!*as)
		return gctl_err("out of memory"), GCTL_FAIL;
	for (int32_t i = 0; i < t->partitions.n; i++) {
		struct zn_assign *a = &(*as)[i];
		a->partition = p[i].partition_index;
		a->n_replicas = p[i].replica_nodes.n < ZN_MAX_REPLICAS ? p[i].replica_nodes.n
									: ZN_MAX_REPLICAS;
		memcpy(a->replicas, p[i].replica_nodes.v, sizeof(int32_t) * (size_t)a->n_replicas);
	}
	*n = t->partitions.n;
	return 0;
}

static int go_k_configs(void *ctx, int is_broker, const char *name, const char *const *keys,
			const char *const *values, int n)
{
	return go_configs(ctx, (int8_t)(is_broker ? 4 : 2), name, keys, values, n);
}

/* The Kafka-protocol side of gctl_reassign_*: Metadata, IncrementalAlterConfigs. */
static struct gctl_rsrc go_source(struct gk *k, int32_t *ids, int cap)
{
	const struct metadata_resp_broker *b = k->md.brokers.v;
	int n = 0;
	for (int32_t i = 0; i < k->md.brokers.n && n < cap; i++)
		ids[n++] = b[i].node_id;
	return (struct gctl_rsrc){ k, go_k_current, go_k_configs, ids, n };
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

int gctl_cmd_reassign(struct gctl *g)
{
	int generate = g->o.action && !strcmp(g->o.action, "generate");
	if (g->o.execute + g->o.verify + g->o.cancel + generate != 1) {
		gctl_err("reassign needs exactly one of --generate, --execute, --verify, --cancel");
		return GCTL_USAGE;
	}
	struct gk k;
	int32_t ids[256];
	if (generate) {
		int rc = 1;
		if (!gk_open(&k, &g->o)) {
			struct gctl_rsrc s = go_source(&k, ids, 256);
			rc = gctl_reassign_generate(&g->o, &s);
		}
		gk_close(&k);
		return rc;
	}
	int n;
	struct zn_tp *v = gctl_read_plan(g, &n);
	if (!v)
		return 1;
	int rc = 1;
	if (!gk_open(&k, &g->o)) {
		struct gctl_rsrc s = go_source(&k, ids, 256);
		if (g->o.verify) {
			rc = go_verify(&k, v, n);
			if (rc == 0 && gctl_reassign_throttle(&s, v, n, -1))
				rc = 1;
		} else {
			rc = g->o.execute && g->o.throttle > 0
				     ? gctl_reassign_throttle(&s, v, n, g->o.throttle) : 0;
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
	"usage: gregorctl reassign (--bootstrap-server H:P | --zookeeper H:P) ACTION\n"
	"       (kafka-reassign-partitions)\n"
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
	"  --zookeeper H:P instead of --bootstrap-server, the ZooKeeper-era tool's way:\n"
	"             --generate reads /brokers/topics and /brokers/ids; --execute writes\n"
	"             /admin/reassign_partitions, --throttle the configs in\n"
	"             /config/brokers/<id> and /config/topics/<t>; --verify reads\n"
	"             /admin/reassign_partitions and /brokers/topics and removes the\n"
	"             throttle once all are done (no --cancel, no --wait)\n"
	"  --bootstrap-server H:P[,H:P...]  brokers to bootstrap from\n"
	"  --command-config FILE   client properties: security.protocol, ssl.*\n"
	"  --timeout S             seconds per connection or request (default 10)\n",
};

int gctl_verb_reassign(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &reassign_spec, w, 0, &rc) >= 0) {
		if (g.o.zookeeper && !g.o.bootstrap)
			rc = gctl_reassign_zk(&g);
		else if (!(rc = gctl_need_bootstrap(&g, reassign_spec.verb)))
			rc = gctl_cmd_reassign(&g);
	}
	gctl_done(&g);
	return rc;
}
