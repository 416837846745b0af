/* The request gate: every decoded request passes it before its handler, in
 * this order (docs/request-path.md):
 *   1. session    - SASL listeners admit only ApiVersions and the SASL APIs
 *                   until authenticated (and after a KIP-368 session
 *                   expires); anything else closes the connection, as Kafka;
 *   2. authorize  - rows flagged GATE_CLUSTER_ACTION need CLUSTER_ACTION on
 *                   the cluster (inter-broker APIs); resource checks inside
 *                   a request (topics, groups, transactional ids) are made by
 *                   the handler through broker/auth's authorizer;
 *   3. quota      - client quotas (broker/quota/client_quotas.h): a
 *                   Produce's bytes are counted here; the throttle it and
 *                   the request time earn is answered in throttle_time_ms
 *                   and mutes the connection when the request ends;
 *   4. metrics    - (issue: metrics) count the request.
 * Handler rows (broker/handlers/handlers.c) declare what they need with
 * GATE_* flags, so no handler repeats these checks. */
#ifndef GREGOR_GATE_H
#define GREGOR_GATE_H

#include "broker/server.h"

enum gate_flags {
	GATE_PRE_AUTH = 1,       /* allowed before SASL authentication completes */
	GATE_CLUSTER_ACTION = 2, /* needs CLUSTER_ACTION on the cluster resource */
};

/* Returns 1 when the handler may run; 0 when the gate already answered the
 * request or closed its connection (the request is gone either way). */
int gate_admit(struct request *req, unsigned flags);

/* CLUSTER_ACTION on the cluster for the request's principal (always
 * allowed without an authorizer); 1 allowed, 0 refused. */
int gate_cluster_action_allowed(struct request *req);

#endif
