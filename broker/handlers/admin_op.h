/* An admin request in flight: waits for its ZooKeeper writes (each holds the
 * op), then for the cluster to reflect them (ready()), at most until the
 * request's timeout, then sends the response. Shared by CreateTopics,
 * DeleteTopics and CreatePartitions. */
#ifndef GREGOR_ADMIN_OP_H
#define GREGOR_ADMIN_OP_H

#include <stdint.h>

#include "broker/server.h"
#include "common/net/loop.h"

struct admin_op {
	struct request *req;
	void *out;                        /* the response struct */
	int pending;
	int64_t deadline;                 /* monotonic ms */
	int (*ready)(struct admin_op *op);/* NULL: ready once the writes finished */
	/* Called once if ready() still fails at a positive timeout's deadline:
	 * marks the unfinished entries REQUEST_TIMED_OUT, as Kafka's delayed
	 * admin operations do. A timeout of 0 answers at once without it. */
	void (*expire)(struct admin_op *op);
	int32_t timeout_ms;
	struct loop_timer timer;
};

/* Starts held once; call admin_op_release() after issuing every write. */
struct admin_op *admin_op_new(struct request *req, void *out, int32_t timeout_ms,
			      int (*ready)(struct admin_op *op));
void admin_op_hold(struct admin_op *op);
void admin_op_release(struct admin_op *op);

/* One ZooKeeper write of an op: records its error in *error_code (and the
 * message in *error_message if given) and releases the op. */
struct admin_write {
	struct admin_op *op;
	int16_t *error_code;
	struct kstr *error_message;
};
struct admin_write *admin_write_new(struct admin_op *op, int16_t *error_code,
				    struct kstr *error_message);
void admin_write_done(void *arg, int16_t kerr, const char *msg);

/* AlterConfigs / IncrementalAlterConfigs of one resource (alter_configs.c):
 * fills *error_code / *error_message at once (BROKER and others) or when
 * the coordination thread has written the topic config (TOPIC, held by op).
 * ops is in the request's arena; replace selects AlterConfigs semantics. */
struct coord_config_op;
void alter_configs_resource(struct admin_op *op, int8_t type, struct kstr name,
			    const struct coord_config_op *ops, int n, int replace,
			    int validate_only, int16_t *error_code,
			    struct kstr *error_message);

#endif
