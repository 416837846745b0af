/* ApiVersions (18), v0-3: advertises the dispatch table (each row's
 * advertised range, which leaves out brokers-only versions). v3 carries
 * the client's software name and version, which Kafka validates. */
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

/* Kafka's rule: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static int valid_software_string(struct kstr s)
{
	if (s.len <= 0)
		return 0;
	for (int32_t i = 0; i < s.len; i++) {
		char ch = s.p[i];
		int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9');
		int inner = ch == '-' || ch == '.';
		if (!alnum && (!inner || i == 0 || i == s.len - 1))
			return 0;
	}
	return 1;
}

void handle_api_versions(struct request *req)
{
	const struct api_versions_request *in = req->body;
	struct api_versions_response *out = arena_alloc(&req->arena, sizeof *out);
	struct api_versions_resp_api_key *keys =
		arena_alloc(&req->arena, (size_t)handler_count * sizeof *keys);
	if (!out || !keys) {
		request_close(req, "out of memory");
		return;
	}
	if (req->hdr.api_version >= 3 &&
	    (!valid_software_string(in->client_software_name) ||
	     !valid_software_string(in->client_software_version)))
		out->error_code = KERR_INVALID_REQUEST;
	for (int i = 0; i < handler_count; i++) {
		keys[i].api_key = handler_table[i].key;
		keys[i].min_version = handler_table[i].min_ver;
		keys[i].max_version = handler_table[i].adv_max_ver;
	}
	out->api_keys.n = handler_count;
	out->api_keys.v = keys;
	request_respond(req, out);
}
