/* SaslHandshake (17), v0-1: picks the mechanism of a SASL listener's
 * exchange (broker/auth/sasl.h). v0 means the tokens follow as raw frames,
 * v1 as SaslAuthenticate requests. The answer lists the listener's enabled
 * mechanisms; an unsupported mechanism or a handshake out of turn closes the
 * connection after the answer, as Kafka does. */
#include <string.h>

#include "broker/auth/sasl.h"
#include "broker/handlers/handlers.h"
#include "common/proto/messages.h"

void handle_sasl_handshake(struct request *req)
{
	const struct sasl_handshake_request *in = req->body;
	struct sasl_handshake_response *out = arena_alloc(&req->arena, sizeof *out);
	const struct listener_rt *l = request_listener(req);
	const char *names[8];
	int n = sasl_mechanism_names(l->sasl_mechanisms, names, 8);
	struct kstr *mechs = arena_alloc(&req->arena, 8 * sizeof *mechs);
	if (!out || !mechs) {
		request_close(req, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++)
		mechs[i] = (struct kstr){ names[i], (int32_t)strlen(names[i]) };
	out->mechanisms.n = n;
	out->mechanisms.v = mechs;
	size_t mlen = in->mechanism.len > 0 ? (size_t)in->mechanism.len : 0;
	out->error_code = sasl_handshake(req->b, request_session(req), l,
					 mlen ? in->mechanism.p : "", mlen, req->hdr.api_version);
	request_respond(req, out);
}
