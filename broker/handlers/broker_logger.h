/* Kafka's BROKER_LOGGER config resource (type 8) over Gregor's per-module
 * log levels (common/log.h): DescribeConfigs lists "root" and every module
 * with its level; IncrementalAlterConfigs SET changes a level at run time,
 * DELETE drops a module's override (back to the root level). */
#ifndef GREGOR_BROKER_LOGGER_H
#define GREGOR_BROKER_LOGGER_H

#include <stdint.h>

#include "broker/server.h"
#include "common/proto/messages.h"

#define RESOURCE_BROKER_LOGGER 8

struct coord_config_op;
void broker_logger_alter(struct request *req, struct kstr name,
			 const struct coord_config_op *ops, int n, int validate_only,
			 int16_t *error_code, struct kstr *error_message);
void broker_logger_describe(struct request *req, const struct describe_configs_req_resource *r,
			    struct describe_configs_resp_result *res);

#endif
