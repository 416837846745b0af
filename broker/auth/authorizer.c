/* The broker's authorizer (see authorizer.h): configuration, the cache's
 * feed from the coordination thread, and the per-request question. */
#include "broker/auth/authorizer.h"

#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/server.h"
#include "common/log.h"
#include "common/proto/kerr.h"

#define MOD "authorizer"

int authz_enabled(const struct broker *b)
{
	return b->acls != NULL;
}

int authz_init(struct broker *b)
{
	const char *cls = b->cfg->authorizer_class_name;
	if (!cls || !cls[0])
		return 0;
	b->acls = calloc(1, sizeof *b->acls);
	if (!b->acls || acl_cache_init(b->acls, b->cfg->super_users,
				       b->cfg->allow_everyone_if_no_acl_found) < 0) {
		authz_free(b);
		return -1;
	}
	log_info(MOD, "%s: ACLs enforced (%d super user(s), allow.everyone.if.no.acl.found=%s)",
		 cls, b->acls->n_super, b->acls->allow_everyone_if_no_acl ? "true" : "false");
	/* Kafka serves only once its authorizer has loaded the ACLs: until the
	 * first load arrives (authz_on_acls) everyone but super users would be
	 * refused, the controller's UpdateMetadata included */
	b->accept_held = 1;
	log_info(MOD, "listeners take connections once the ACLs are loaded from ZooKeeper");
	return 0;
}

void authz_free(struct broker *b)
{
	if (!b->acls)
		return;
	acl_cache_free(b->acls);
	free(b->acls);
	b->acls = NULL;
}

void authz_on_acls(void *arg, struct acl_binding *v, int n)
{
	struct broker *b = arg;
	if (!b->acls) {
		acl_bindings_free(v, n);
		return;
	}
	int first = !b->acls->loaded;
	acl_cache_replace(b->acls, v, n);
	if (first && b->accept_held) {
		log_info(MOD, "%d ACL(s) loaded; listeners accept connections now", n);
		server_start_accepting(b);
	} else if (first)
		log_info(MOD, "%d ACL(s) loaded", n);
	else
		log_debug(MOD, "ACLs changed: %d now", n);
}

void authz_on_acl_resource(void *arg, int8_t rt, int8_t pt, const char *name,
			   struct acl_binding *v, int n)
{
	struct broker *b = arg;
	if (!b->acls) {
		acl_bindings_free(v, n);
		return;
	}
	if (acl_cache_replace_resource(b->acls, rt, pt, name, v, n) < 0) {
		/* a stale cache could allow what is now denied: fail closed
		 * (only super users pass) until the next full load */
		b->acls->loaded = 0;
		log_error(MOD, "out of memory applying the ACLs of %s: refusing everyone but super "
			  "users until the ACLs are reloaded (next ZooKeeper session)", name);
		return;
	}
	log_debug(MOD, "ACLs of %s %s: %d", acl_resource_type_name(rt), name, n);
}

/* "/127.0.0.1" -> "127.0.0.1" (the form Kafka's ACL hosts use) */
static const char *client_ip(const struct request *req)
{
	const char *h = request_client_host(req);
	return h && h[0] == '/' ? h + 1 : h;
}

int authz_allowed(struct request *req, int8_t op, int8_t rt, const char *name, size_t len)
{
	const struct acl_cache *c = req->b->acls;
	if (!c)
		return 1;
	const char *principal = request_session(req)->principal;
	if (acl_cache_allows(c, principal, client_ip(req), op, rt, name, len))
		return 1;
	/* Kafka's authorizer log line; rate-limited and escaped, as a client
	 * can provoke refusals as fast as it likes and names the resource */
	char n[160], p[160];
	log_info_rl(MOD, "Principal = %s is Denied Operation = %s from host = %s on resource = "
		    "%s:%s (%s v%d)", log_escape(principal, (size_t)-1, p, sizeof p),
		    acl_operation_name(op), client_ip(req), acl_resource_type_name(rt),
		    log_escape(name, len, n, sizeof n), req->api->name, req->hdr.api_version);
	return 0;
}

int16_t authz_acl_api_check(struct request *req, int8_t op, const char **msg)
{
	*msg = NULL;
	if (!authz_enabled(req->b)) {
		*msg = "No Authorizer is configured on the broker";
		return KERR_SECURITY_DISABLED;
	}
	if (!authz_cluster(req, op)) {
		*msg = "Cluster authorization failed.";
		return KERR_CLUSTER_AUTHORIZATION_FAILED;
	}
	return 0;
}

int authz_may_create_topic(struct request *req, struct kstr name)
{
	return authz_cluster(req, ACL_OP_CREATE) || authz_topic(req, ACL_OP_CREATE, name);
}

/* Kafka's supported operations per resource type (AclEntry.supportedOperations). */
static const int8_t topic_ops[] = { ACL_OP_READ, ACL_OP_WRITE, ACL_OP_CREATE, ACL_OP_DESCRIBE,
				    ACL_OP_DELETE, ACL_OP_ALTER, ACL_OP_DESCRIBE_CONFIGS,
				    ACL_OP_ALTER_CONFIGS };
static const int8_t group_ops[] = { ACL_OP_READ, ACL_OP_DESCRIBE, ACL_OP_DELETE };
static const int8_t cluster_ops[] = { ACL_OP_CREATE, ACL_OP_CLUSTER_ACTION,
				      ACL_OP_DESCRIBE_CONFIGS, ACL_OP_ALTER_CONFIGS,
				      ACL_OP_IDEMPOTENT_WRITE, ACL_OP_ALTER, ACL_OP_DESCRIBE };

int32_t authz_operations(struct request *req, int8_t rt, const char *name, size_t len)
{
	const int8_t *ops = rt == ACL_RES_TOPIC ? topic_ops : rt == ACL_RES_GROUP ? group_ops
			    : cluster_ops;
	size_t n = rt == ACL_RES_TOPIC ? sizeof topic_ops : rt == ACL_RES_GROUP ? sizeof group_ops
		   : sizeof cluster_ops;
	const struct acl_cache *c = req->b->acls;
	const char *principal = request_session(req)->principal;
	int32_t bits = 0;
	for (size_t i = 0; i < n; i++)
		if (!c || acl_cache_allows(c, principal, client_ip(req), ops[i], rt, name, len))
			bits |= (int32_t)1 << ops[i];
	return bits;
}
