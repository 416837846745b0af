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
#include "coord/gregorctl/gctl_kafka.h"

#define GT_API_DESCRIBE_PRODUCERS 61
#define GT_API_DESCRIBE_TRANSACTIONS 65
#define GT_API_LIST_TRANSACTIONS 66
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

static void gt_print_header(void)
{
	printf("%-30s %-5s %-12s %-6s %-16s %-10s %-10s %s\n", "TRANSACTIONAL_ID", "COORD",
	       "PRODUCER_ID", "EPOCH", "STATE", "TIMEOUT_MS", "AGE_MS", "PARTITIONS");
}

static void gt_print_state(struct gk *k, int32_t coord,
			   const struct describe_transactions_resp_state *s)
{
	int64_t now = clock_wall_ms();
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
				printf("%-30s %-5d %-12" PRId64 " %-6s %-16s (describe: %s)\n",
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

static int gt_producers(struct gk *k, const char *topic, int32_t partition)
{
	const struct metadata_resp_topic *t = gk_topic(k, topic);
	if (!t) {
		gctl_err("topic '%s' does not exist", topic);
		return 1;
	}
	int32_t leader = -1;
	const struct metadata_resp_partition *p = t->partitions.v;
	for (int32_t i = 0; i < t->partitions.n; i++)
		if (p[i].partition_index == partition)
			leader = p[i].leader_id;
	struct broker_channel *ch = leader >= 0 ? gk_broker(k, leader) : NULL;
	if (!ch) {
		gctl_err("partition %s-%d: %s", topic, partition,
			 leader < 0 ? "no such partition or no leader" : "leader not in metadata");
		return 1;
	}
	struct describe_producers_req_topic rt = { gk_kstr(topic), { 1, &partition } };
	struct describe_producers_request req = { { 1, &rt } };
	struct describe_producers_response resp;
	int rc = gk_call(k, ch, GT_API_DESCRIBE_PRODUCERS, 0, &describe_producers_request_msg,
			 &req, &describe_producers_response_msg, &resp);
	const struct describe_producers_resp_topic *ot = resp.topics.v;
	if (rc == 0 && (resp.topics.n != 1 || ot->partitions.n != 1))
		rc = -EBADMSG;
	if (rc) {
		gctl_err("broker %d: DescribeProducers: %s", leader,
			 rc == -EBADMSG ? "undecodable response" : strerror(-rc));
		return 1;
	}
	const struct describe_producers_resp_partition *op = ot->partitions.v;
	if (op->error_code) {
		gctl_err("partition %s-%d on broker %d: %s", topic, partition, leader,
			 kerr_name(op->error_code));
		return 1;
	}
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

int gctl_cmd_transactions(struct gctl *g, const char *cmd, const char *arg)
{
	int list = strcmp(cmd, "list") == 0;
	if (!list && strcmp(cmd, "describe") != 0) {
		gctl_err("transactions COMMAND is list or describe");
		return 64;
	}
	if (!list && !arg) {
		gctl_err("transactions describe needs a transactional id");
		return 64;
	}
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	int rc = list ? gt_list(&k) : gt_describe(&k, arg);
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
