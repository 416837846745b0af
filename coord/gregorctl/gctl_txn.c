/* gregorctl transactions and producers over the Kafka protocol, as Kafka's
 * kafka-transactions.sh: "transactions list" asks every broker (each lists
 * the transactions it coordinates) and describes each one there;
 * "transactions describe ID" finds the coordinator (FindCoordinator
 * key_type 1); "producers T P" asks the partition's leader. An Ongoing
 * transaction older than its timeout is flagged HANGING. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zjson.h"

#define GT_API_DESCRIBE_PRODUCERS 61
#define GT_API_DESCRIBE_TRANSACTIONS 65
#define GT_API_LIST_TRANSACTIONS 66
#define GT_API_WRITE_TXN_MARKERS 27
#define GT_RETRY_MS 200

static void gt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int gt_retriable(int16_t e)
{
	return e == KERR_COORDINATOR_LOAD_IN_PROGRESS || e == KERR_COORDINATOR_NOT_AVAILABLE ||
	       e == KERR_NOT_COORDINATOR;
}

/* Ongoing for longer than its timeout: the coordinator should have aborted
 * it, so something holds it open (a hanging transaction). */
static int gt_hanging(const struct describe_transactions_resp_state *s, int64_t now)
{
	return s->transaction_state.len == 7 && memcmp(s->transaction_state.p, "Ongoing", 7) == 0 &&
	       s->transaction_start_time_ms >= 0 &&
	       now - s->transaction_start_time_ms > s->transaction_timeout_ms;
}

/* --json: transactions go here as objects instead of table rows */
static struct zbuf *gt_json;
static int gt_json_n;

static void gt_print_header(void)
{
	if (gt_json)
		return;
	printf("%-30s %-5s %-12s %-6s %-16s %-10s %-10s %s\n", "TRANSACTIONAL_ID", "COORD",
	       "PRODUCER_ID", "EPOCH", "STATE", "TIMEOUT_MS", "AGE_MS", "PARTITIONS");
}

static void gt_print_state(struct gk *k, int32_t coord,
			   const struct describe_transactions_resp_state *s)
{
	int64_t now = clock_wall_ms();
	if (gt_json) {
		struct zbuf *j = gt_json;
		zb_puts(j, gt_json_n++ ? ",{\"transactional_id\":" : "{\"transactional_id\":");
		zb_jstr(j, gk_cstr(k, s->transactional_id));
		zb_printf(j, ",\"coordinator\":%d,\"producer_id\":%" PRId64 ",\"producer_epoch\":%d,"
			  "\"state\":", coord, s->producer_id, s->producer_epoch);
		zb_jstr(j, gk_cstr(k, s->transaction_state));
		zb_printf(j, ",\"timeout_ms\":%d,\"start_time_ms\":%" PRId64 ",\"hanging\":%s,"
			  "\"partitions\":[", s->transaction_timeout_ms, s->transaction_start_time_ms,
			  gt_hanging(s, now) ? "true" : "false");
		const struct describe_transactions_resp_topic *t = s->topics.v;
		int n = 0;
		for (int32_t i = 0; i < s->topics.n; i++) {
			const int32_t *p = t[i].partitions.v;
			for (int32_t q = 0; q < t[i].partitions.n; q++) {
				zb_puts(j, n++ ? ",{\"topic\":" : "{\"topic\":");
				zb_jstr(j, gk_cstr(k, t[i].topic));
				zb_printf(j, ",\"partition\":%d}", p[q]);
			}
		}
		zb_puts(j, "]}");
		return;
	}
	char age[32] = "-";
	if (s->transaction_start_time_ms >= 0)
		snprintf(age, sizeof age, "%" PRId64, now - s->transaction_start_time_ms);
	printf("%-30s %-5d %-12" PRId64 " %-6d %-16s %-10d %-10s ", gk_cstr(k, s->transactional_id),
	       coord, s->producer_id, s->producer_epoch, gk_cstr(k, s->transaction_state),
	       s->transaction_timeout_ms, age);
	const struct describe_transactions_resp_topic *t = s->topics.v;
	int first = 1;
	for (int32_t i = 0; i < s->topics.n; i++) {
		const int32_t *p = t[i].partitions.v;
		for (int32_t j = 0; j < t[i].partitions.n; j++) {
			printf("%s%s-%d", first ? "" : ",", gk_cstr(k, t[i].topic), p[j]);
			first = 0;
		}
	}
	printf("%s%s\n", first ? "-" : "", gt_hanging(s, now) ? "  HANGING" : "");
}

/* DescribeTransactions of one id on one broker: 0 with *out, -errno on
 * transport failure, or the Kafka error code. */
static int gt_describe_on(struct gk *k, struct broker_channel *ch, struct kstr id,
			  const struct describe_transactions_resp_state **out)
{
	struct describe_transactions_request req = { { 1, &id } };
	struct describe_transactions_response resp;
	int rc = gk_call(k, ch, GT_API_DESCRIBE_TRANSACTIONS, 0,
			 &describe_transactions_request_msg, &req,
			 &describe_transactions_response_msg, &resp);
	if (rc)
		return rc;
	if (resp.transaction_states.n != 1)
		return -EBADMSG;
	*out = resp.transaction_states.v;
	return (*out)->error_code;
}

static int gt_list(struct gk *k)
{
	int failed = 0;
	gt_print_header();
	for (int i = 0; i < k->n_nodes; i++) {
		struct gk_node *n = &k->nodes[i];
		struct list_transactions_request req = { { 0, NULL }, { 0, NULL }, -1 };
		struct list_transactions_response resp;
		int64_t deadline = clock_mono_ms() + (int64_t)k->o->timeout_s * 1000;
		int rc;
		/* a broker still loading its __transaction_state partitions is asked
		 * again until --timeout */
		for (;;) {
			rc = gk_call(k, &n->ch, GT_API_LIST_TRANSACTIONS, 0,
				     &list_transactions_request_msg, &req,
				     &list_transactions_response_msg, &resp);
			if (rc == 0 && resp.error_code)
				rc = resp.error_code;
			if (rc <= 0 || !gt_retriable((int16_t)rc) ||
			    clock_mono_ms() + GT_RETRY_MS > deadline)
				break;
			gt_sleep_ms(GT_RETRY_MS);
		}
		if (rc) {
			gctl_err("broker %d: ListTransactions: %s", n->id,
				 rc < 0 ? strerror(-rc) : kerr_name(rc));
			failed = 1;
			continue;
		}
		const struct list_transactions_resp_state *ls = resp.transaction_states.v;
		for (int32_t j = 0; j < resp.transaction_states.n; j++) {
			const struct describe_transactions_resp_state *s;
			rc = gt_describe_on(k, &n->ch, ls[j].transactional_id, &s);
			if (rc) {
				/* listed but not describable (moved, expired): say so */
				fprintf(gt_json ? stderr : stdout,
					"%-30s %-5d %-12" PRId64 " %-6s %-16s (describe: %s)\n",
				       gk_cstr(k, ls[j].transactional_id), n->id, ls[j].producer_id, "-",
				       gk_cstr(k, ls[j].transaction_state),
				       rc < 0 ? strerror(-rc) : kerr_name(rc));
				continue;
			}
			gt_print_state(k, n->id, s);
		}
	}
	return failed;
}

/* The transaction coordinator of id (FindCoordinator v2, key_type 1). */
static struct broker_channel *gt_coordinator(struct gk *k, struct kstr id, int *err,
					     int32_t *who)
{
	struct find_coordinator_request req = { .key = id, .key_type = 1 };
	struct find_coordinator_response resp;
	*err = -EHOSTUNREACH;
	for (int i = 0; i < k->n_nodes; i++) {
		*who = k->nodes[i].id;
		int rc = gk_call(k, &k->nodes[i].ch, GK_API_FIND_COORDINATOR, 2,
				 &find_coordinator_request_msg, &req,
				 &find_coordinator_response_msg, &resp);
		if (rc) {
			*err = rc;
			continue;
		}
		if ((*err = resp.error_code))
			return NULL;
		*who = resp.node_id;
		struct broker_channel *ch = gk_broker(k, resp.node_id);
		*err = ch ? 0 : -EHOSTUNREACH;
		return ch;
	}
	return NULL;
}

static int gt_describe(struct gk *k, const char *id_s)
{
	struct kstr id = gk_kstr(id_s);
	int64_t deadline = clock_mono_ms() + (int64_t)k->o->timeout_s * 1000;
	int err = 0;
	int32_t who = -1;
	for (;;) {
		struct broker_channel *ch = gt_coordinator(k, id, &err, &who);
		const struct describe_transactions_resp_state *s;
		if (ch && (err = gt_describe_on(k, ch, id, &s)) == 0) {
			gt_print_header();
			gt_print_state(k, who, s);
			return 0;
		}
		if (err < 0 || !gt_retriable((int16_t)err) ||
		    clock_mono_ms() + GT_RETRY_MS > deadline)
			break;
		gt_sleep_ms(GT_RETRY_MS);
	}
	if (err < 0)
		gctl_err("transaction '%s' (broker %d): %s", id_s, who,
			 err == -EBADMSG ? "undecodable response" : strerror(-err));
	else
		gctl_err("transaction '%s' (coordinator %d): %s", id_s, who, kerr_name(err));
	return 1;
}

/* DescribeProducers of one partition on its leader; 0 with *out and
 * *leader, or 1 (printed). */
static int gt_partition_producers(struct gk *k, const char *topic, int32_t partition,
				  const struct describe_producers_resp_partition **out,
				  int32_t *leader)
{
	const struct metadata_resp_topic *t = gk_topic(k, topic);
	if (!t) {
		gctl_err("topic '%s' does not exist", topic);
		return 1;
	}
	*leader = -1;
	const struct metadata_resp_partition *p = t->partitions.v;
	for (int32_t i = 0; i < t->partitions.n; i++)
		if (p[i].partition_index == partition)
			*leader = p[i].leader_id;
	struct broker_channel *ch = *leader >= 0 ? gk_broker(k, *leader) : NULL;
	if (!ch) {
		gctl_err("partition %s-%d: %s", topic, partition,
			 *leader < 0 ? "no such partition or no leader" : "leader not in metadata");
		return 1;
	}
	int32_t *pp = arena_alloc(&k->a, sizeof *pp);
	struct describe_producers_req_topic *rt = arena_alloc(&k->a, sizeof *rt);
	if (!pp || !rt)
		return gctl_err("out of memory"), 1;
	*pp = partition;
	*rt = (struct describe_producers_req_topic){ gk_kstr(topic), { 1, pp } };
	struct describe_producers_request req = { { 1, rt } };
	struct describe_producers_response resp;
	int rc = gk_call(k, ch, GT_API_DESCRIBE_PRODUCERS, 0, &describe_producers_request_msg,
			 &req, &describe_producers_response_msg, &resp);
	const struct describe_producers_resp_topic *ot = resp.topics.v;
	if (rc == 0 && (resp.topics.n != 1 || ot->partitions.n != 1))
		rc = -EBADMSG;
	if (rc) {
		gctl_err("broker %d: DescribeProducers: %s", *leader,
			 rc == -EBADMSG ? "undecodable response" : strerror(-rc));
		return 1;
	}
	*out = ot->partitions.v;
	if ((*out)->error_code) {
		gctl_err("partition %s-%d on broker %d: %s", topic, partition, *leader,
			 kerr_name((*out)->error_code));
		return 1;
	}
	return 0;
}

static int gt_producers(struct gk *k, const char *topic, int32_t partition)
{
	const struct describe_producers_resp_partition *op;
	int32_t leader;
	if (gt_partition_producers(k, topic, partition, &op, &leader))
		return 1;
	printf("%-12s %-6s %-13s %-16s %-17s %s\n", "PRODUCER_ID", "EPOCH", "LAST_SEQUENCE",
	       "LAST_TIMESTAMP", "COORDINATOR_EPOCH", "CURRENT_TXN_START_OFFSET");
	const struct describe_producers_resp_producer *pr = op->active_producers.v;
	for (int32_t i = 0; i < op->active_producers.n; i++)
		printf("%-12" PRId64 " %-6d %-13d %-16" PRId64 " %-17d %" PRId64 "%s\n",
		       pr[i].producer_id, pr[i].producer_epoch, pr[i].last_sequence,
		       pr[i].last_timestamp, pr[i].coordinator_epoch,
		       pr[i].current_txn_start_offset,
		       pr[i].current_txn_start_offset >= 0 ? "  (open transaction)" : "");
	return 0;
}

/* ---- abort (kafka-transactions abort) ---- */

/* WriteTxnMarkers ABORT for one producer on one partition, at its leader:
 * what Kafka's tool does for a transaction its coordinator lost track of. */
static int gt_write_abort(struct gk *k, int32_t leader, const char *topic, int32_t partition,
			  int64_t pid, int16_t epoch, int32_t coord_epoch)
{
	struct broker_channel *ch = gk_broker(k, leader);
	int32_t part = partition;
	struct write_txn_markers_req_topic t = { gk_kstr(topic), { 1, &part } };
	struct write_txn_markers_req_marker m = { pid, epoch, 0, { 1, &t }, coord_epoch };
	struct write_txn_markers_request req = { { 1, &m } };
	struct write_txn_markers_response resp;
	int rc = ch ? gk_call(k, ch, GT_API_WRITE_TXN_MARKERS, 0, &write_txn_markers_request_msg,
			      &req, &write_txn_markers_response_msg, &resp) : -EHOSTUNREACH;
	if (rc)
		return gk_failed("WriteTxnMarkers", rc);
	const struct write_txn_markers_resp_marker *rm = resp.markers.v;
	const struct write_txn_markers_resp_topic *rt = resp.markers.n == 1 ? rm->topics.v : NULL;
	const struct write_txn_markers_resp_partition *rp =
		rt && rm->topics.n == 1 && rt->partitions.n == 1 ? rt->partitions.v : NULL;
	if (!rp)
		return gctl_err("WriteTxnMarkers: unexpected response shape"), 1;
	if (rp->error_code)
		return gctl_err("aborting producer %" PRId64 " on %s-%d: %s", pid, topic, partition,
				kerr_name(rp->error_code)), 1;
	printf("Aborted transaction of producer %" PRId64 " (epoch %d) on %s-%d\n", pid, epoch,
	       topic, partition);
	return 0;
}

static int gt_abort(struct gctl *g, struct gk *k)
{
	const struct gctl_opts *o = &g->o;
	if (!o->topic || o->partition < 0)
		return gctl_usage_err("transactions", "abort needs --topic T --partition P and "
				      "--start-offset O (or --producer-id, --producer-epoch, "
				      "--coordinator-epoch)");
	const struct describe_producers_resp_partition *op;
	int32_t leader;
	if (gt_partition_producers(k, o->topic, o->partition, &op, &leader))
		return 1;
	if (o->producer_id >= 0) {
		if (o->producer_epoch < 0 || o->coordinator_epoch < 0)
			return gctl_usage_err("transactions", "--producer-id needs --producer-epoch "
					      "and --coordinator-epoch");
		return gt_write_abort(k, leader, o->topic, o->partition, o->producer_id,
				      (int16_t)o->producer_epoch, o->coordinator_epoch);
	}
	if (o->start_offset < 0)
		return gctl_usage_err("transactions", "abort needs --start-offset O or --producer-id");
	const struct describe_producers_resp_producer *pr = op->active_producers.v;
	for (int32_t i = 0; i < op->active_producers.n; i++)
		if (pr[i].current_txn_start_offset == o->start_offset)
			return gt_write_abort(k, leader, o->topic, o->partition, pr[i].producer_id,
					      (int16_t)pr[i].producer_epoch, pr[i].coordinator_epoch);
	gctl_err("no open transaction on %s-%d starts at offset %" PRId64, o->topic, o->partition,
		 o->start_offset);
	return 1;
}

/* ---- find-hanging ---- */

/* Does the coordinator of the producer's transaction have it Ongoing with
 * this partition and epoch? 1 yes, 0 no (the transaction hangs), -1 on
 * errors (printed). */
static int gt_coordinator_knows(struct gk *k, int64_t pid, int32_t epoch, const char *topic,
				int32_t partition)
{
	for (int i = 0; i < k->n_nodes; i++) {
		int64_t want = pid;
		struct list_transactions_request req = { { 0, NULL }, { 1, &want }, -1 };
		struct list_transactions_response resp;
		int rc = gk_call(k, &k->nodes[i].ch, GT_API_LIST_TRANSACTIONS, 0,
				 &list_transactions_request_msg, &req,
				 &list_transactions_response_msg, &resp);
		if (rc || resp.error_code)
			return gctl_err("broker %d: ListTransactions: %s", k->nodes[i].id,
					rc ? strerror(-rc) : kerr_name(resp.error_code)), -1;
		const struct list_transactions_resp_state *ls = resp.transaction_states.v;
		for (int32_t j = 0; j < resp.transaction_states.n; j++) {
			const struct describe_transactions_resp_state *s;
			if (ls[j].producer_id != pid ||
			    gt_describe_on(k, &k->nodes[i].ch, ls[j].transactional_id, &s))
				continue;
			if (s->producer_epoch != epoch || s->transaction_state.len != 7 ||
			    memcmp(s->transaction_state.p, "Ongoing", 7) != 0)
				return 0;
			const struct describe_transactions_resp_topic *t = s->topics.v;
			for (int32_t q = 0; q < s->topics.n; q++) {
				const int32_t *pp = t[q].partitions.v;
				for (int32_t r = 0; r < t[q].partitions.n; r++)
					if (pp[r] == partition && !strcmp(gk_cstr(k, t[q].topic), topic))
						return 1;
			}
			return 0;
		}
	}
	return 0;
}

static int gt_hanging_in(struct gctl *g, struct gk *k, const char *topic, int32_t partition,
			 int *found)
{
	const struct describe_producers_resp_partition *op;
	int32_t leader;
	if (gt_partition_producers(k, topic, partition, &op, &leader))
		return 1;
	int64_t now = clock_wall_ms(), max_ms = (int64_t)g->o.wait_s * 60000;
	const struct describe_producers_resp_producer *pr = op->active_producers.v;
	for (int32_t i = 0; i < op->active_producers.n; i++) {
		if (pr[i].current_txn_start_offset < 0 || now - pr[i].last_timestamp < max_ms)
			continue;
		int knows = gt_coordinator_knows(k, pr[i].producer_id, pr[i].producer_epoch, topic,
						 partition);
		if (knows < 0)
			return 1;
		if (knows)
			continue;
		if (!(*found)++)
			printf("%-20s %-9s %-11s %-13s %-16s %-11s %-14s %s\n", "TOPIC", "PARTITION",
			       "PRODUCER_ID", "PRODUCER_EPOCH", "COORDINATOR_EPOCH", "START_OFFSET",
			       "LAST_TIMESTAMP", "DURATION(MIN)");
		printf("%-20s %-9d %-11" PRId64 " %-13d %-16d %-11" PRId64 " %-14" PRId64 " %" PRId64 "\n",
		       topic, partition, pr[i].producer_id, pr[i].producer_epoch,
		       pr[i].coordinator_epoch, pr[i].current_txn_start_offset, pr[i].last_timestamp,
		       (now - pr[i].last_timestamp) / 60000);
	}
	return 0;
}

static int gt_find_hanging(struct gctl *g, struct gk *k)
{
	int rc = 0, found = 0;
	const struct metadata_resp_topic *t = k->md.topics.v;
	for (int32_t i = 0; i < k->md.topics.n; i++) {
		const char *name = gk_cstr(k, t[i].name);
		if (g->o.topic && strcmp(g->o.topic, name))
			continue;
		const struct metadata_resp_partition *p = t[i].partitions.v;
		for (int32_t j = 0; j < t[i].partitions.n; j++) {
			if ((g->o.partition >= 0 && p[j].partition_index != g->o.partition) ||
			    (g->o.broker_id >= 0 && p[j].leader_id != g->o.broker_id))
				continue;
			rc |= gt_hanging_in(g, k, name, p[j].partition_index, &found);
		}
	}
	if (!found && !rc)
		printf("No hanging transactions found.\n");
	return rc;
}

int gctl_cmd_transactions(struct gctl *g, const char *cmd, const char *arg)
{
	static const char *cmds[] = { "list", "describe", "abort", "find-hanging",
				      "describe-producers" };
	size_t c = 0;
	while (c < 5 && strcmp(cmd, cmds[c]) != 0)
		c++;
	if (c == 5) {
		gctl_err("transactions COMMAND is list, describe, describe-producers, "
			 "find-hanging or abort");
		return 64;
	}
	if (c == 1 && !arg) {
		gctl_err("transactions describe needs a transactional id");
		return 64;
	}
	if (c == 4 && (!g->o.topic || g->o.partition < 0)) {
		gctl_err("describe-producers needs --topic T --partition P");
		return 64;
	}
	if (c == 3 && g->o.wait_s == 0 && !g->o.max_txn_timeout_set)
		g->o.wait_s = 15; /* Kafka's transaction.max.timeout.ms: 15 minutes */
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	struct zbuf j;
	zb_init(&j);
	if (g->o.json && c <= 1) {
		gt_json = &j;
		zb_puts(&j, "{\"transactions\":[");
	}
	int rc = c == 0 ? gt_list(&k) : c == 1 ? gt_describe(&k, arg) : c == 2 ? gt_abort(g, &k) :
		 c == 3 ? gt_find_hanging(g, &k) : gt_producers(&k, g->o.topic, g->o.partition);
	if (gt_json) {
		zb_puts(&j, "]}\n");
		rc |= gk_put_json(&j);
		gt_json = NULL;
	}
	zb_free(&j);
	gk_close(&k);
	return rc;
}

int gctl_cmd_producers(struct gctl *g, const char *topic, const char *partition)
{
	char *e;
	long p = strtol(partition, &e, 10);
	if (!*partition || *e || p < 0 || p > INT32_MAX) {
		gctl_err("partition must be a non-negative integer");
		return 64;
	}
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	int rc = gt_producers(&k, topic, (int32_t)p);
	gk_close(&k);
	return rc;
}
