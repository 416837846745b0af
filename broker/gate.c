/* The request gate (see gate.h): one place that decides whether a decoded
 * request reaches its handler. */
#include "broker/gate.h"

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/quota/client_quotas.h"
#include "common/log.h"
#include "common/proto/kerr.h"

static int session_admits(struct request *req, unsigned flags)
{
	struct session *s = request_session(req);
	if (s->state == AUTH_AUTHENTICATED) {
		if (s->expiry_ms == 0 || loop_now_ms(req->b->loop) < s->expiry_ms)
			return 1;
		/* KIP-368: past the session lifetime only re-authentication and
		 * ApiVersions are served */
		return (flags & GATE_PRE_AUTH) != 0;
	}
	return s->state != AUTH_FAILED && (flags & GATE_PRE_AUTH);
}

/* Inter-broker APIs: brokers authenticate as a super user or a principal
 * with CLUSTER_ACTION on the cluster, as in Kafka. */
int gate_cluster_action_allowed(struct request *req)
{
	return authz_cluster(req, ACL_OP_CLUSTER_ACTION);
}

int gate_admit(struct request *req, unsigned flags)
{
	if (!session_admits(req, flags)) {
		log_warn_rl("gate", "%s v%d from %s before authentication: closing",
			 req->api->name, req->hdr.api_version, request_peer(req));
		request_close(req, NULL);
		return 0;
	}
	if ((flags & GATE_CLUSTER_ACTION) && !gate_cluster_action_allowed(req)) {
		if (request_respond_error(req, KERR_CLUSTER_AUTHORIZATION_FAILED) < 0)
			request_close(req, "cluster action not authorized");
		return 0;
	}
	quota_gate(req, flags);
	return 1;
}
