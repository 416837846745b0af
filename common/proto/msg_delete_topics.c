/* DeleteTopics (API key 20) request and response schemas, v0-6. Field facts
 * from Kafka 3.8 DeleteTopicsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield delete_topics_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 6, KV_MAX, 6, -1, offsetof(struct delete_topics_req_topic, name), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 6, KV_MAX, -1, -1, offsetof(struct delete_topics_req_topic, topic_id), NULL, 0 },
};
static const struct kmsg delete_topics_req_topic_msg = { "delete_topics_req_topic", sizeof(struct delete_topics_req_topic), 2, delete_topics_req_topic_fields };

static const struct kfield delete_topics_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 6, KV_MAX, -1, -1, offsetof(struct delete_topics_request, topics), &delete_topics_req_topic_msg, 0 },
	{ "TopicNames", KT_ARRAY, KT_STRING, 0, 5, -1, -1, offsetof(struct delete_topics_request, topic_names), NULL, 0 },
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_topics_request, timeout_ms), NULL, 0 },
};
const struct kmsg delete_topics_request_msg = { "delete_topics_request", sizeof(struct delete_topics_request), 3, delete_topics_request_fields };

static const struct kfield delete_topics_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, 6, -1, offsetof(struct delete_topics_resp_topic, name), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 6, KV_MAX, -1, -1, offsetof(struct delete_topics_resp_topic, topic_id), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_topics_resp_topic, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct delete_topics_resp_topic, error_message), NULL, 0 },
};
static const struct kmsg delete_topics_resp_topic_msg = { "delete_topics_resp_topic", sizeof(struct delete_topics_resp_topic), 4, delete_topics_resp_topic_fields };

static const struct kfield delete_topics_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct delete_topics_response, throttle_time_ms), NULL, 0 },
	{ "Responses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_topics_response, responses), &delete_topics_resp_topic_msg, 0 },
};
const struct kmsg delete_topics_response_msg = { "delete_topics_response", sizeof(struct delete_topics_response), 2, delete_topics_response_fields };
