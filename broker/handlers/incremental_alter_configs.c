/* IncrementalAlterConfigs (44), v0-1: SET/DELETE/APPEND/SUBTRACT on a
 * resource's dynamic configs. The operations are applied to the current
 * /config/topics/<t> or /config/brokers/<id|<default>> on the coordination
 * thread (see alter_configs.c, which also checks broker keys). */
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static struct coord_config_op *read_ops(struct arena *a,
					const struct incremental_alter_configs_req_resource *r,
					int *n)
{
	*n = r->configs.n > 0 ? r->configs.n : 0;
	struct coord_config_op *ops = arena_alloc(a, ((size_t)*n + 1) * sizeof *ops);
	for (int i = 0; ops && i < *n; i++) {
		const struct incremental_alter_configs_req_config *c =
			&((const struct incremental_alter_configs_req_config *)r->configs.v)[i];
		ops[i].op = c->config_operation;
		ops[i].name = handler_cstr(a, c->name);
		ops[i].value = handler_cstr(a, c->value);
		if (!ops[i].name || (c->value.len >= 0 && !ops[i].value))
			return NULL;
	}
	return ops;
}

void handle_incremental_alter_configs(struct request *req)
{
	const struct incremental_alter_configs_request *in = req->body;
	int32_t n = in->resources.n > 0 ? in->resources.n : 0;
	struct incremental_alter_configs_response *out = arena_alloc(&req->arena, sizeof *out);
	struct admin_op *op = NULL;
	if (!out || !(out->responses.v = arena_alloc(&req->arena, ((size_t)n + 1) *
						     sizeof(struct incremental_alter_configs_resp_resource))) ||
	    !(op = admin_op_new(req, out, 0, NULL))) {
		request_close(req, "out of memory");
		return;
	}
	out->responses.n = n;
	for (int32_t i = 0; i < n; i++) {
		const struct incremental_alter_configs_req_resource *r =
			&((const struct incremental_alter_configs_req_resource *)in->resources.v)[i];
		struct incremental_alter_configs_resp_resource *o =
			&((struct incremental_alter_configs_resp_resource *)out->responses.v)[i];
		o->resource_type = r->resource_type;
		o->resource_name = r->resource_name;
		int nops;
		struct coord_config_op *ops = read_ops(&req->arena, r, &nops);
		if (!ops) {
			o->error_code = KERR_UNKNOWN_SERVER_ERROR;
			o->error_message = (struct kstr){ NULL, -1 };
			continue;
		}
		alter_configs_resource(op, r->resource_type, r->resource_name, ops, nops, 0,
				       in->validate_only, &o->error_code, &o->error_message);
	}
	admin_op_release(op);
}
