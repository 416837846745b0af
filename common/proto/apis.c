/* API registry and request/response headers. The flexible ranges here are
 * Kafka's; max_version is what messages.h describes, not what the broker
 * advertises (that is the ApiVersions handler's choice). */
#include "common/proto/apis.h"

#include <errno.h>
#include <stddef.h>

#include "common/proto/messages.h"

#define API(k, n, mx, fl, s) \
	{ k, n, mx, fl, &s##_request_msg, &s##_response_msg }

static const struct kapi kapis[] = {
	API(0, "Produce", 11, 9, produce),
	API(1, "Fetch", 17, 12, fetch),
	API(2, "ListOffsets", 9, 6, list_offsets),
	API(3, "Metadata", 12, 9, metadata),
	API(4, "LeaderAndIsr", 2, -1, leader_and_isr),
	API(5, "StopReplica", 1, -1, stop_replica),
	API(6, "UpdateMetadata", 7, 6, update_metadata),
	API(7, "ControlledShutdown", 2, -1, controlled_shutdown),
	API(8, "OffsetCommit", 9, 8, offset_commit),
	API(9, "OffsetFetch", 9, 6, offset_fetch),
	API(10, "FindCoordinator", 6, 3, find_coordinator),
	API(11, "JoinGroup", 9, 6, join_group),
	API(12, "Heartbeat", 4, 4, heartbeat),
	API(13, "LeaveGroup", 5, 4, leave_group),
	API(14, "SyncGroup", 5, 4, sync_group),
	API(15, "DescribeGroups", 5, 5, describe_groups),
	API(16, "ListGroups", 5, 3, list_groups),
	API(17, "SaslHandshake", 1, -1, sasl_handshake),
	API(18, "ApiVersions", 4, 3, api_versions),
	API(19, "CreateTopics", 7, 5, create_topics),
	API(20, "DeleteTopics", 6, 4, delete_topics),
	API(21, "DeleteRecords", 2, 2, delete_records),
	API(22, "InitProducerId", 5, 2, init_producer_id),
	API(23, "OffsetForLeaderEpoch", 4, 4, offset_for_leader_epoch),
	API(24, "AddPartitionsToTxn", 4, 3, add_partitions_to_txn),
	API(25, "AddOffsetsToTxn", 4, 3, add_offsets_to_txn),
	API(26, "EndTxn", 4, 3, end_txn),
	API(27, "WriteTxnMarkers", 1, 1, write_txn_markers),
	API(28, "TxnOffsetCommit", 4, 3, txn_offset_commit),
	API(29, "DescribeAcls", 3, 2, describe_acls),
	API(30, "CreateAcls", 3, 2, create_acls),
	API(31, "DeleteAcls", 3, 2, delete_acls),
	API(32, "DescribeConfigs", 4, 4, describe_configs),
	API(33, "AlterConfigs", 2, 2, alter_configs),
	API(35, "DescribeLogDirs", 4, 2, describe_log_dirs),
	API(36, "SaslAuthenticate", 2, 2, sasl_authenticate),
	API(37, "CreatePartitions", 3, 2, create_partitions),
	API(42, "DeleteGroups", 2, 2, delete_groups),
	API(43, "ElectLeaders", 2, 2, elect_leaders),
	API(44, "IncrementalAlterConfigs", 1, 1, incremental_alter_configs),
	API(45, "AlterPartitionReassignments", 0, 0, alter_partition_reassignments),
	API(46, "ListPartitionReassignments", 0, 0, list_partition_reassignments),
	API(47, "OffsetDelete", 0, -1, offset_delete),
	API(48, "DescribeClientQuotas", 1, 1, describe_client_quotas),
	API(49, "AlterClientQuotas", 1, 1, alter_client_quotas),
	API(50, "DescribeUserScramCredentials", 0, 0, describe_user_scram_credentials),
	API(51, "AlterUserScramCredentials", 0, 0, alter_user_scram_credentials),
	API(60, "DescribeCluster", 0, 0, describe_cluster),
	API(61, "DescribeProducers", 0, 0, describe_producers),
	API(65, "DescribeTransactions", 0, 0, describe_transactions),
	API(66, "ListTransactions", 1, 0, list_transactions),
};

/* Kafka's first flexible version per key, for keys we may not describe yet
 * (headers of unknown APIs must still parse right). -1 = none. */
static int16_t kafka_flex_from(int16_t key)
{
	static const int16_t tab[] = {
		[0] = 9, [1] = 12, [2] = 6, [3] = 9, [4] = 4, [5] = 2, [6] = 6,
		[7] = 3, [8] = 8, [9] = 6, [10] = 3, [11] = 6, [12] = 4,
		[13] = 4, [14] = 4, [15] = 5, [16] = 3, [17] = -1, [18] = 3,
		[19] = 5, [20] = 4, [21] = 2, [22] = 2, [23] = 4, [24] = 3,
		[25] = 3, [26] = 3, [27] = 1, [28] = 3, [29] = 2, [30] = 2,
		[31] = 2, [32] = 4, [33] = 2, [34] = 2, [35] = 2, [36] = 2,
		[37] = 2, [38] = 2, [39] = 2, [40] = 2, [41] = 2, [42] = 2,
		[43] = 2, [44] = 1, [45] = 0, [46] = 0, [47] = -1, [48] = 1,
		[49] = 1, [50] = 0, [51] = 0,
	};
	if (key < 0 || (size_t)key >= sizeof tab / sizeof tab[0])
		return key >= 52 ? 0 : -1; /* newer APIs are flexible-only */
	return tab[key];
}

const struct kapi *kapi_find(int16_t key)
{
	for (size_t i = 0; i < sizeof kapis / sizeof kapis[0]; i++)
		if (kapis[i].key == key)
			return &kapis[i];
	return NULL;
}

const struct kapi *kapi_all(int *n)
{
	*n = (int)(sizeof kapis / sizeof kapis[0]);
	return kapis;
}

struct kver kapi_ver(const struct kapi *api, int16_t version)
{
	struct kver v = { version, 0 };
	v.flexible = api && api->flex_from >= 0 && version >= api->flex_from;
	return v;
}

int kapi_flexible(int16_t key, int16_t version)
{
	int16_t f = kafka_flex_from(key);
	return f >= 0 && version >= f;
}

/* Header v1 for unknown keys and for versions above Kafka's rule: the
 * caller rejects those anyway, and v1 never reads more than it must. */
static int req_header_version(int16_t key, int16_t version)
{
	if (key == 7 && version == 0)
		return 0;
	const struct kapi *api = kapi_find(key);
	if (api && version > api->max_version)
		return 1;
	return kapi_flexible(key, version) ? 2 : 1;
}

static int skip_tags(struct kreader *r)
{
	uint32_t n = kr_uvarint(r);
	for (uint32_t i = 0; i < n && !r->err; i++) {
		kr_uvarint(r);
		kr_take(r, kr_uvarint(r));
	}
	return r->err ? -EBADMSG : 0;
}

int kreq_header_decode(struct kreader *r, struct kreq_header *h)
{
	h->api_key = kr_i16(r);
	h->api_version = kr_i16(r);
	h->correlation_id = kr_i32(r);
	h->client_id = (struct kstr){ NULL, -1 };
	if (r->err)
		return -EBADMSG;
	int hv = req_header_version(h->api_key, h->api_version);
	if (hv >= 1) {
		/* client_id keeps its i16 length even in header v2 */
		int16_t n = kr_i16(r);
		if (n < -1)
			r->err = 1;
		else if (n >= 0)
			h->client_id = (struct kstr){
				(const char *)kr_take(r, (size_t)n), n };
	}
	if (hv == 2 && !r->err)
		skip_tags(r);
	return r->err ? -EBADMSG : 0;
}

void kreq_header_encode(struct kout *w, const struct kreq_header *h)
{
	int hv = req_header_version(h->api_key, h->api_version);
	kw_i16(w, h->api_key);
	kw_i16(w, h->api_version);
	kw_i32(w, h->correlation_id);
	if (hv >= 1) {
		int32_t n = h->client_id.p ? h->client_id.len : -1;
		kw_i16(w, (int16_t)n);
		if (n > 0)
			kw_raw(w, h->client_id.p, (size_t)n);
	}
	if (hv == 2)
		kw_uvarint(w, 0);
}

static int resp_header_flexible(int16_t key, int16_t version)
{
	return key != 18 && kapi_flexible(key, version);
}

void kresp_header_encode(struct kout *w, int16_t api_key, int16_t version,
			 int32_t correlation_id)
{
	kw_i32(w, correlation_id);
	if (resp_header_flexible(api_key, version))
		kw_uvarint(w, 0);
}

int kresp_header_decode(struct kreader *r, int16_t api_key, int16_t version,
			int32_t *correlation_id)
{
	*correlation_id = kr_i32(r);
	return r->err ? -EBADMSG : kresp_header_tags_decode(r, api_key, version);
}

int kresp_header_tags_decode(struct kreader *r, int16_t api_key, int16_t version)
{
	if (!r->err && resp_header_flexible(api_key, version))
		skip_tags(r);
	return r->err ? -EBADMSG : 0;
}
