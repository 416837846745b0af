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

int gctl_cmd_reassign(struct gctl *g)
{
	int modes = g->o.execute + g->o.verify + g->o.cancel;
	if (modes != 1) {
		gctl_err("reassign needs exactly one of --execute, --verify, --cancel");
		return GCTL_USAGE;
	}
	int n;
	struct zn_tp *v = go_read_plan(g, &n);
	if (!v)
		return 1;
	struct gk k;
	int rc = 1;
	if (!gk_open(&k, &g->o)) {
		rc = g->o.verify ? go_verify(&k, v, n) : go_alter(&k, v, n, g->o.cancel);
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

static int go_log_dirs_of(struct gk *k, int32_t id)
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
	const struct dld_resp_result *r = resp.results.v;
	for (int32_t i = 0; i < resp.results.n; i++) {
		printf("broker %d  %s  %s  total %" PRId64 " usable %" PRId64 "\n", id,
		       gk_cstr(k, r[i].log_dir), r[i].error_code ? kerr_name(r[i].error_code) : "online",
		       r[i].total_bytes, r[i].usable_bytes);
		const struct dld_resp_topic *t = r[i].topics.v;
		for (int32_t j = 0; j < r[i].topics.n; j++) {
			const struct dld_resp_partition *p = t[j].partitions.v;
			for (int32_t q = 0; q < t[j].partitions.n; q++)
				printf("  %s-%d  size %" PRId64 "  offset lag %" PRId64 "%s\n",
				       gk_cstr(k, t[j].name), p[q].partition_index, p[q].partition_size,
				       p[q].offset_lag, p[q].is_future_key ? "  (future)" : "");
		}
	}
	return 0;
}

int gctl_cmd_log_dirs(struct gctl *g)
{
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	int rc = 0;
	const struct metadata_resp_broker *b = k.md.brokers.v;
	for (int32_t i = 0; i < k.md.brokers.n; i++)
		rc |= go_log_dirs_of(&k, b[i].node_id);
	gk_close(&k);
	return rc;
}

static const struct gctl_spec reassign_spec = {
	"reassign",
	"bootstrap-server bootstrap command-config reassignment-json-file file generate "
	"execute verify cancel topics-to-move-json-file broker-list throttle",
	"usage: gregorctl reassign --bootstrap-server H:P ACTION   (kafka-reassign-partitions)\n"
	"  --generate --topics-to-move-json-file F --broker-list 1,2,3\n"
	"             print the current assignment and a proposed one spreading the\n"
	"             topics' partitions over the brokers (nothing is changed)\n"
	"  --execute --reassignment-json-file F [--throttle BYTES/S]\n"
	"  --verify  --reassignment-json-file F  exit 1 while any is unfinished; removes\n"
	"             the throttle once all are done\n"
	"  --cancel  --reassignment-json-file F\n"
	"  F is {\"version\":1,\"partitions\":[{\"topic\":..,\"partition\":..,\"replicas\":[..]}]}\n"
	"  --bootstrap-server H:P[,H:P...]  brokers to bootstrap from\n"
	"  --command-config FILE   client properties: security.protocol, ssl.*\n"
	"  --timeout S             seconds per connection or request (default 10)\n",
};

int gctl_verb_reassign(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &reassign_spec, w, 0, &rc) >= 0 &&
	    !(rc = gctl_need_bootstrap(&g, reassign_spec.verb)))
		rc = gctl_cmd_reassign(&g);
	gctl_done(&g);
	return rc;
}
