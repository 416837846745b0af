/* Auto-creation: remembers pending names (the broker's autocreate_pending)
 * so a burst of requests for the same new topic writes ZooKeeper once. */
#include "broker/topic_autocreate.h"

#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "common/log.h"
#include "common/strmap.h"

struct autocreate_ctx {
	struct broker *b;
	char *name;
};

static void autocreate_done(void *arg, int16_t kerr, const char *msg)
{
	struct autocreate_ctx *ctx = arg;
	if (kerr && kerr != 36 /* TOPIC_ALREADY_EXISTS */)
		log_warn_rl("broker", "auto-creating topic %s failed: %d %s", ctx->name, kerr,
			 msg ? msg : "");
	else if (!kerr)
		log_info_rl("broker", "auto-created topic %s", ctx->name);
	strmap_del(&ctx->b->autocreate_pending, ctx->name, strlen(ctx->name));
	free(ctx->name);
	free(ctx);
}

int topic_name_valid(struct kstr name)
{
	if (name.len <= 0 || name.len > 249)
		return 0;
	if ((name.len == 1 && name.p[0] == '.') ||
	    (name.len == 2 && name.p[0] == '.' && name.p[1] == '.'))
		return 0;
	for (int32_t i = 0; i < name.len; i++) {
		char c = name.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int autocreate_topic(struct broker *b, struct kstr name)
{
	if (!b->cfg->auto_create_topics_enable || !topic_name_valid(name))
		return 0;
	if (name.len >= 2 && name.p[0] == '_' && name.p[1] == '_')
		return 0; /* internal topics are created by their owners */
	if (strmap_get(&b->autocreate_pending, name.p, (size_t)name.len))
		return 1;
	struct autocreate_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx || !(ctx->name = strndup(name.p, (size_t)name.len))) {
		free(ctx);
		return 0;
	}
	ctx->b = b;
	strmap_put(&b->autocreate_pending, name.p, (size_t)name.len, ctx);
	struct coord_new_topic t = {
		.name = ctx->name,
		.num_partitions = -1,
		.replication_factor = -1,
	};
	coord_create_topic(b->coord, &t, autocreate_done, ctx);
	return 1;
}
