/* SaslAuthenticate (36), v0-2: one token of the SASL exchange chosen by
 * SaslHandshake v1 (broker/auth/sasl.h). Failure answers
 * SASL_AUTHENTICATION_FAILED with Kafka's message and the connection closes
 * after the answer; success carries the KIP-368 session lifetime (v1+).
 * On a listener without SASL, or an authenticated session that did not
 * hand-shake again, the answer is ILLEGAL_SASL_STATE, as from Kafka. Also
 * the raw token frames that follow SaslHandshake v0. */
#include <string.h>

#include "broker/auth/sasl.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

void handle_sasl_authenticate(struct request *req)
{
	const struct sasl_authenticate_request *in = req->body;
	struct sasl_authenticate_response *out = arena_alloc(&req->arena, sizeof *out);
	struct sasl_reply *r = arena_alloc(&req->arena, sizeof *r);
	struct session *s = request_session(req);
	if (!out || !r) {
		request_close(req, "out of memory");
		return;
	}
	if (s->state == AUTH_AUTHENTICATED) {
		out->error_code = KERR_ILLEGAL_SASL_STATE;
		static const char msg[] =
			"SaslAuthenticate request received after successful authentication";
		out->error_message = (struct kstr){ msg, (int32_t)sizeof msg - 1 };
		request_respond(req, out);
		return;
	}
	sasl_authenticate(req->b, s, request_listener(req), request_peer(req), in->auth_bytes.p,
			  in->auth_bytes.len > 0 ? (size_t)in->auth_bytes.len : 0, r);
	out->error_code = r->error;
	out->error_message = r->error ? (struct kstr){ r->message, (int32_t)strlen(r->message) }
				      : (struct kstr){ NULL, -1 };
	out->auth_bytes = (struct kbytes){ r->token, (int32_t)r->token_len };
	out->session_lifetime_ms = r->session_lifetime_ms;
	request_respond(req, out);
}

/* A bare token after SaslHandshake v0 (server_set_raw_token_handler): the
 * answer is a bare token too; a failure closes the connection without one,
 * as Kafka does in that framing. */
void handle_sasl_raw_token(struct request *req)
{
	struct sasl_reply *r = arena_alloc(&req->arena, sizeof *r);
	if (!r) {
		request_close(req, "out of memory");
		return;
	}
	sasl_authenticate(req->b, request_session(req), request_listener(req), request_peer(req),
			  req->frame, req->frame_len, r);
	if (r->error)
		request_close(req, "SASL authentication failed");
	else
		request_respond_raw(req, r->token, r->token_len);
}
