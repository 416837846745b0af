/* gregorctl's options: one table of every long option (Kafka's tool option
 * names, plus the older gregorctl spellings), and gctl_parse, which runs
 * getopt_long for one verb over just the options that verb names. A value
 * is checked where it is parsed, so a verb sees only well-formed numbers. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"

enum gctl_opt_id {
	O_ZK = 256, O_TIMEOUT, O_JSON, O_VERBOSE, O_TOPIC, O_PARTS, O_RF, O_CONFIG,
	O_UNDER, O_UNAVAIL, O_FILE, O_HELP, O_BOOTSTRAP, O_GROUP, O_EARLIEST, O_LATEST,
	O_TO_OFFSET, O_EXECUTE, O_ZK_DIGEST, O_ZK_DIGEST_FILE, O_COMMAND_CONFIG, O_LOG_DIR,
	O_WAIT, O_USER, O_MECHANISM, O_PASSWORD, O_ITERATIONS, O_VERIFY, O_CANCEL,
	O_PREFERRED, O_UNCLEAN, O_PARTITION, O_LIST, O_DESCRIBE, O_CREATE, O_ALTER, O_DELETE,
	O_ADD, O_REMOVE, O_RESET, O_DELETE_OFFSETS, O_GENERATE, O_ABORT, O_FIND_HANGING,
	O_UNDER_MIN_ISR, O_AT_MIN_ISR, O_IF_NOT_EXISTS, O_IF_EXISTS, O_REPLICA_ASSIGNMENT,
	O_EXCLUDE_INTERNAL, O_WITH_OVERRIDES, O_ALL_GROUPS, O_ALL_TOPICS, O_TO_CURRENT,
	O_DRY_RUN, O_MEMBERS, O_OFFSETS, O_STATE, O_SHIFT_BY, O_TO_DATETIME, O_BY_DURATION,
	O_BROKER_LIST, O_TOPICS_TO_MOVE, O_THROTTLE, O_ELECTION_TYPE, O_ALL_TP,
	O_ENTITY_TYPE, O_ENTITY_NAME, O_ENTITY_DEFAULT, O_ADD_CONFIG, O_DELETE_CONFIG,
	O_BROKER, O_CLIENT, O_BROKER_DEFAULTS, O_USER_DEFAULTS, O_CLIENT_DEFAULTS, O_ALLOW_PRINCIPAL, O_DENY_PRINCIPAL,
	O_ALLOW_HOST, O_DENY_HOST, O_OPERATION, O_TXN_ID, O_CLUSTER, O_PATTERN_TYPE,
	O_PRODUCER, O_CONSUMER, O_IDEMPOTENT, O_PRINCIPAL, O_FORCE, O_PRODUCER_ID,
	O_PRODUCER_EPOCH, O_COORD_EPOCH, O_START_OFFSET, O_BROKER_ID, O_FILES, O_DEEP,
	O_PRINT_DATA, O_INDEX_SANITY, O_OFFSET_JSON, O_TOPIC_LIST, O_ALL, O_MAX_TXN_TIMEOUT, O_AUTHORIZER_PROPS,
};

static const struct option gctl_all_opts[] = {
	{ "zookeeper", 1, NULL, O_ZK }, { "timeout", 1, NULL, O_TIMEOUT },
	{ "json", 0, NULL, O_JSON }, { "verbose", 0, NULL, O_VERBOSE },
	{ "topic", 1, NULL, O_TOPIC }, { "partitions", 1, NULL, O_PARTS },
	{ "replication-factor", 1, NULL, O_RF }, { "config", 1, NULL, O_CONFIG },
	{ "under-replicated-partitions", 0, NULL, O_UNDER },
	{ "unavailable-partitions", 0, NULL, O_UNAVAIL }, { "file", 1, NULL, O_FILE },
	{ "reassignment-json-file", 1, NULL, O_FILE }, { "path-to-json-file", 1, NULL, O_FILE },
	{ "help", 0, NULL, O_HELP }, { "bootstrap-server", 1, NULL, O_BOOTSTRAP },
	{ "bootstrap", 1, NULL, O_BOOTSTRAP }, { "group", 1, NULL, O_GROUP },
	{ "to-earliest", 0, NULL, O_EARLIEST }, { "to-latest", 0, NULL, O_LATEST },
	{ "to-offset", 1, NULL, O_TO_OFFSET }, { "execute", 0, NULL, O_EXECUTE },
	{ "zk-digest", 1, NULL, O_ZK_DIGEST }, { "zk-digest-file", 1, NULL, O_ZK_DIGEST_FILE },
	{ "command-config", 1, NULL, O_COMMAND_CONFIG }, { "log-dir", 1, NULL, O_LOG_DIR },
	{ "wait", 1, NULL, O_WAIT }, { "user", 1, NULL, O_USER },
	{ "mechanism", 1, NULL, O_MECHANISM }, { "password", 1, NULL, O_PASSWORD },
	{ "iterations", 1, NULL, O_ITERATIONS }, { "verify", 0, NULL, O_VERIFY },
	{ "cancel", 0, NULL, O_CANCEL }, { "preferred", 0, NULL, O_PREFERRED },
	{ "unclean", 0, NULL, O_UNCLEAN }, { "partition", 1, NULL, O_PARTITION },
	{ "list", 0, NULL, O_LIST }, { "describe", 0, NULL, O_DESCRIBE },
	{ "create", 0, NULL, O_CREATE }, { "alter", 0, NULL, O_ALTER },
	{ "delete", 0, NULL, O_DELETE }, { "add", 0, NULL, O_ADD }, { "remove", 0, NULL, O_REMOVE },
	{ "reset-offsets", 0, NULL, O_RESET }, { "delete-offsets", 0, NULL, O_DELETE_OFFSETS },
	{ "generate", 0, NULL, O_GENERATE }, { "abort", 0, NULL, O_ABORT },
	{ "find-hanging", 0, NULL, O_FIND_HANGING },
	{ "under-min-isr-partitions", 0, NULL, O_UNDER_MIN_ISR },
	{ "at-min-isr-partitions", 0, NULL, O_AT_MIN_ISR },
	{ "if-not-exists", 0, NULL, O_IF_NOT_EXISTS }, { "if-exists", 0, NULL, O_IF_EXISTS },
	{ "replica-assignment", 1, NULL, O_REPLICA_ASSIGNMENT },
	{ "exclude-internal", 0, NULL, O_EXCLUDE_INTERNAL },
	{ "topics-with-overrides", 0, NULL, O_WITH_OVERRIDES },
	{ "all-groups", 0, NULL, O_ALL_GROUPS }, { "all-topics", 0, NULL, O_ALL_TOPICS },
	{ "to-current", 0, NULL, O_TO_CURRENT }, { "dry-run", 0, NULL, O_DRY_RUN },
	{ "members", 0, NULL, O_MEMBERS }, { "offsets", 0, NULL, O_OFFSETS },
	{ "state", 0, NULL, O_STATE }, { "shift-by", 1, NULL, O_SHIFT_BY },
	{ "to-datetime", 1, NULL, O_TO_DATETIME }, { "by-duration", 1, NULL, O_BY_DURATION },
	{ "broker-list", 1, NULL, O_BROKER_LIST },
	{ "topics-to-move-json-file", 1, NULL, O_TOPICS_TO_MOVE },
	{ "throttle", 1, NULL, O_THROTTLE }, { "election-type", 1, NULL, O_ELECTION_TYPE },
	{ "all-topic-partitions", 0, NULL, O_ALL_TP },
	{ "entity-type", 1, NULL, O_ENTITY_TYPE }, { "entity-name", 1, NULL, O_ENTITY_NAME },
	{ "entity-default", 0, NULL, O_ENTITY_DEFAULT }, { "add-config", 1, NULL, O_ADD_CONFIG },
	{ "delete-config", 1, NULL, O_DELETE_CONFIG }, { "broker", 1, NULL, O_BROKER },
	{ "client", 1, NULL, O_CLIENT }, { "broker-defaults", 0, NULL, O_BROKER_DEFAULTS },
	{ "user-defaults", 0, NULL, O_USER_DEFAULTS },
	{ "client-defaults", 0, NULL, O_CLIENT_DEFAULTS },
	{ "allow-principal", 1, NULL, O_ALLOW_PRINCIPAL },
	{ "deny-principal", 1, NULL, O_DENY_PRINCIPAL }, { "allow-host", 1, NULL, O_ALLOW_HOST },
	{ "deny-host", 1, NULL, O_DENY_HOST }, { "operation", 1, NULL, O_OPERATION },
	{ "transactional-id", 1, NULL, O_TXN_ID }, { "cluster", 0, NULL, O_CLUSTER },
	{ "resource-pattern-type", 1, NULL, O_PATTERN_TYPE },
	{ "producer", 0, NULL, O_PRODUCER }, { "consumer", 0, NULL, O_CONSUMER },
	{ "idempotent", 0, NULL, O_IDEMPOTENT }, { "principal", 1, NULL, O_PRINCIPAL },
	{ "force", 0, NULL, O_FORCE }, { "producer-id", 1, NULL, O_PRODUCER_ID },
	{ "producer-epoch", 1, NULL, O_PRODUCER_EPOCH },
	{ "coordinator-epoch", 1, NULL, O_COORD_EPOCH },
	{ "start-offset", 1, NULL, O_START_OFFSET }, { "broker-id", 1, NULL, O_BROKER_ID },
	{ "files", 1, NULL, O_FILES }, { "deep-iteration", 0, NULL, O_DEEP },
	{ "print-data-log", 0, NULL, O_PRINT_DATA },
	{ "index-sanity-check", 0, NULL, O_INDEX_SANITY },
	{ "offset-json-file", 1, NULL, O_OFFSET_JSON }, { "all", 0, NULL, O_ALL },
	{ "max-transaction-timeout", 1, NULL, O_MAX_TXN_TIMEOUT },
	{ "authorizer-properties", 1, NULL, O_AUTHORIZER_PROPS }, { "topic-list", 1, NULL, O_TOPIC_LIST },
};
#define GCTL_N_OPTS (sizeof gctl_all_opts / sizeof *gctl_all_opts)

void gctl_err(const char *fmt, ...);

int gctl_usage_err(const char *verb, const char *fmt, ...)
{
	va_list ap;
	fputs("gregorctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(gregorctl %s --help for usage)\n", verb);
	return GCTL_EXIT_USAGE;
}

/* A decimal int64 in [min, max], nothing else. */
static int gctl_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *e;
	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (*e || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int gctl_parse_i32(const char *s, int32_t min, int32_t max, int32_t *out)
{
	int64_t v;
	if (gctl_parse_i64(s, min, max, &v))
		return -1;
	*out = (int32_t)v;
	return 0;
}

static void gctl_push(struct gctl_list *l, const char *v)
{
	l->v[l->n++] = v; /* capacity argc: never more values than arguments */
}

/* Comma-separated values each pushed (the strings stay in argv). */
static void gctl_push_csv(struct gctl_list *l, char *v)
{
	for (char *save = NULL, *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save))
		gctl_push(l, t);
}

int gctl_set_action(struct gctl_opts *o, const char *a)
{
	if (o->action && strcmp(o->action, a) != 0)
		return -1;
	o->action = a;
	return 0;
}

static const char *gctl_apply_action(struct gctl_opts *o, int id)
{
	static const struct { int id; const char *name; } acts[] = {
		{ O_LIST, "list" }, { O_DESCRIBE, "describe" }, { O_CREATE, "create" },
		{ O_ALTER, "alter" }, { O_DELETE, "delete" }, { O_ADD, "add" },
		{ O_REMOVE, "remove" }, { O_RESET, "reset-offsets" },
		{ O_DELETE_OFFSETS, "delete-offsets" }, { O_GENERATE, "generate" },
		{ O_ABORT, "abort" }, { O_FIND_HANGING, "find-hanging" },
	};
	for (size_t i = 0; i < sizeof acts / sizeof *acts; i++)
		if (acts[i].id == id)
			return gctl_set_action(o, acts[i].name) ? "only one action may be given" : NULL;
	return "?";
}

/* Entity shortcuts: --topic T as a configs entity, --broker N, ...; a
 * default (name NULL) is the name "", as Kafka's ConfigCommand keeps it, so
 * that names pair with types in order (--user-defaults --client C). */
static void gctl_entity(struct gctl_opts *o, const char *type, const char *name)
{
	gctl_push(&o->entity_types, type);
	gctl_push(&o->entity_names, name ? name : "");
	o->entity_default |= !name;
}

/* Numbers and counts; 0 if id is not one of them, else 1 or -1 (bad). */
static int gctl_apply_number(struct gctl_opts *o, int id, const char *v)
{
	int64_t n;
	switch (id) {
	case O_TIMEOUT: return gctl_parse_i32(v, 1, 3600, &o->timeout_s) ? -1 : 1;
	case O_PARTS: return gctl_parse_i32(v, 1, GCTL_MAX_PARTITIONS, &o->partitions) ? -1 : 1;
	case O_RF: return gctl_parse_i32(v, 1, ZN_MAX_REPLICAS, &o->rf) ? -1 : 1;
	case O_WAIT: return gctl_parse_i32(v, 0, 86400, &o->wait_s) ? -1 : 1;
	case O_PARTITION: return gctl_parse_i32(v, 0, INT32_MAX, &o->partition) ? -1 : 1;
	case O_ITERATIONS: return gctl_parse_i32(v, 1, 1 << 30, &o->iterations) ? -1 : 1;
	case O_TO_OFFSET:
		o->to_offset_set = 1;
		return gctl_parse_i64(v, 0, INT64_MAX - 1, &o->to_offset) ? -1 : 1;
	case O_SHIFT_BY:
		o->shift_set = 1;
		return gctl_parse_i64(v, -INT64_MAX / 2, INT64_MAX / 2, &o->shift_by) ? -1 : 1;
	case O_THROTTLE: return gctl_parse_i64(v, 1, INT64_MAX, &o->throttle) ? -1 : 1;
	case O_PRODUCER_ID: return gctl_parse_i64(v, 0, INT64_MAX, &o->producer_id) ? -1 : 1;
	case O_START_OFFSET: return gctl_parse_i64(v, 0, INT64_MAX, &o->start_offset) ? -1 : 1;
	case O_PRODUCER_EPOCH:
		return gctl_parse_i32(v, 0, INT16_MAX, &o->producer_epoch) ? -1 : 1;
	case O_COORD_EPOCH:
		return gctl_parse_i32(v, 0, INT32_MAX, &o->coordinator_epoch) ? -1 : 1;
	case O_MAX_TXN_TIMEOUT:
		o->max_txn_timeout_set = 1;
		return gctl_parse_i32(v, 0, 1000000, &o->wait_s) ? -1 : 1;
	case O_BROKER_ID: return gctl_parse_i32(v, 0, INT32_MAX, &o->broker_id) ? -1 : 1;
	case O_BROKER:
		if (gctl_parse_i64(v, 0, INT32_MAX, &n))
			return -1;
		gctl_entity(o, "brokers", v);
		return 1;
	default: return 0;
	}
}

static int gctl_apply_flag(struct gctl_opts *o, int id)
{
	int *f = NULL;
	switch (id) {
	case O_JSON: f = &o->json; break;
	case O_VERBOSE: f = &o->verbose; break;
	case O_UNDER: f = &o->under_replicated; break;
	case O_UNAVAIL: f = &o->unavailable; break;
	case O_UNDER_MIN_ISR: f = &o->under_min_isr; break;
	case O_AT_MIN_ISR: f = &o->at_min_isr; break;
	case O_IF_NOT_EXISTS: f = &o->if_not_exists; break;
	case O_IF_EXISTS: f = &o->if_exists; break;
	case O_EXCLUDE_INTERNAL: f = &o->exclude_internal; break;
	case O_WITH_OVERRIDES: f = &o->with_overrides; break;
	case O_EARLIEST: f = &o->to_earliest; break;
	case O_LATEST: f = &o->to_latest; break;
	case O_EXECUTE: f = &o->execute; break;
	case O_VERIFY: f = &o->verify; break;
	case O_CANCEL: f = &o->cancel; break;
	case O_PREFERRED: f = &o->preferred; break;
	case O_UNCLEAN: f = &o->unclean; break;
	case O_ALL_GROUPS: f = &o->all_groups; break;
	case O_ALL_TOPICS: f = &o->all_topics; break;
	case O_TO_CURRENT: f = &o->to_current; break;
	case O_DRY_RUN: f = &o->dry_run; break;
	case O_MEMBERS: f = &o->members; break;
	case O_OFFSETS: f = &o->offsets; break;
	case O_STATE: f = &o->state; break;
	case O_ENTITY_DEFAULT: gctl_push(&o->entity_names, ""); f = &o->entity_default; break;
	case O_CLUSTER: f = &o->cluster; break;
	case O_PRODUCER: f = &o->producer; break;
	case O_CONSUMER: f = &o->consumer; break;
	case O_IDEMPOTENT: f = &o->idempotent; break;
	case O_FORCE: f = &o->force; break;
	case O_DEEP: f = &o->deep_iteration; break;
	case O_PRINT_DATA: f = &o->print_data_log; break;
	case O_INDEX_SANITY: f = &o->index_sanity; break;
	case O_ALL: f = &o->all; break;
	case O_ALL_TP: return 1; /* the default when no --topic is given */
	default: return 0;
	}
	*f = 1;
	return 1;
}

static const char *gctl_apply_string(struct gctl_opts *o, int id, char *v)
{
	switch (id) {
	case O_ZK: o->zookeeper = v; break;
	case O_TOPIC:
		if (!o->topic)
			o->topic = v;
		gctl_push(&o->topics, v);
		break;
	case O_CONFIG: o->configs[o->n_configs++] = v; break;
	case O_FILE: o->file = v; break;
	case O_BOOTSTRAP: o->bootstrap = v; break;
	case O_COMMAND_CONFIG: o->command_config = v; break;
	case O_GROUP:
		if (!o->group)
			o->group = v;
		gctl_push(&o->groups, v);
		break;
	case O_ZK_DIGEST: o->zk_digest = v; break;
	case O_ZK_DIGEST_FILE: o->zk_digest_file = v; break;
	case O_LOG_DIR: o->log_dir = v; break;
	case O_USER: o->user = v; gctl_entity(o, "users", v); break;
	case O_MECHANISM: o->mechanism = v; break;
	case O_PASSWORD: o->password = v; break;
	case O_REPLICA_ASSIGNMENT: o->replica_assignment = v; break;
	case O_TO_DATETIME: o->to_datetime = v; break;
	case O_BY_DURATION: o->by_duration = v; break;
	case O_BROKER_LIST: o->broker_list = v; break;
	case O_TOPICS_TO_MOVE: o->topics_to_move = v; break;
	case O_ELECTION_TYPE:
		if (strcasecmp(v, "preferred") == 0)
			o->preferred = 1;
		else if (strcasecmp(v, "unclean") == 0)
			o->unclean = 1;
		else
			return "--election-type is PREFERRED or UNCLEAN";
		break;
	case O_ENTITY_TYPE: gctl_push(&o->entity_types, v); break;
	case O_ENTITY_NAME: gctl_push(&o->entity_names, v); break;
	case O_ADD_CONFIG: o->add_config = v; break;
	case O_DELETE_CONFIG: o->delete_config = v; break;
	case O_CLIENT: gctl_entity(o, "clients", v); break;
	case O_BROKER_DEFAULTS: gctl_entity(o, "brokers", NULL); break;
	case O_USER_DEFAULTS: gctl_entity(o, "users", NULL); break;
	case O_CLIENT_DEFAULTS: gctl_entity(o, "clients", NULL); break;
	case O_ALLOW_PRINCIPAL: gctl_push(&o->allow_principals, v); break;
	case O_DENY_PRINCIPAL: gctl_push(&o->deny_principals, v); break;
	case O_ALLOW_HOST: gctl_push(&o->allow_hosts, v); break;
	case O_DENY_HOST: gctl_push(&o->deny_hosts, v); break;
	case O_OPERATION: gctl_push(&o->operations, v); break;
	case O_TXN_ID:
		o->transactional_id = v;
		gctl_push(&o->txn_ids, v);
		break;
	case O_PATTERN_TYPE: o->pattern_type = v; break;
	case O_PRINCIPAL: o->principal = v; break;
	case O_FILES: gctl_push_csv(&o->files, v); break;
	case O_OFFSET_JSON: o->file = v; break;
	case O_TOPIC_LIST: gctl_push_csv(&o->topics, v); break;
	case O_AUTHORIZER_PROPS:
		/* kafka-acls' ZooKeeper-era spelling of --zookeeper */
		if (strncmp(v, "zookeeper.connect=", 18) != 0 || !v[18])
			return "--authorizer-properties takes zookeeper.connect=H:P";
		o->zookeeper = v + 18;
		break;
	default: return "?";
	}
	return NULL;
}

/* The long options a verb takes: its names plus the common four. */
static struct option *gctl_build_opts(const char *names)
{
	struct option *v = calloc(GCTL_N_OPTS + 1, sizeof *v);
	if (!v)
		return NULL;
	int n = 0;
	for (size_t i = 0; i < GCTL_N_OPTS; i++) {
		const char *nm = gctl_all_opts[i].name;
		size_t l = strlen(nm);
		int common = !strcmp(nm, "help") || !strcmp(nm, "timeout") || !strcmp(nm, "json") ||
			     !strcmp(nm, "verbose");
		for (const char *p = names; !common && p && (p = strstr(p, nm)); p += l)
			common = (p == names || p[-1] == ' ') && (p[l] == ' ' || p[l] == 0);
		if (common)
			v[n++] = gctl_all_opts[i];
	}
	return v;
}

static int gctl_alloc_lists(struct gctl_opts *o, int argc, char **argv)
{
	struct gctl_list *l[] = { &o->topics, &o->groups, &o->entity_types, &o->entity_names,
				  &o->allow_principals, &o->deny_principals, &o->allow_hosts,
				  &o->deny_hosts, &o->operations, &o->txn_ids, &o->files };
	/* one value per argument, plus one per comma (--files a,b and
	 * --topic-list split on commas): no list can outgrow this */
	size_t cap = (size_t)argc + 1;
	for (int i = 0; i < argc; i++)
		for (const char *c = argv[i]; (c = strchr(c, ',')); c++)
			cap++;
	o->configs = calloc(cap, sizeof *o->configs);
	for (size_t i = 0; i < sizeof l / sizeof *l; i++)
		if (!(l[i]->v = calloc(cap, sizeof *l[i]->v)))
			return -1;
	return o->configs ? 0 : -1;
}

static void gctl_defaults(struct gctl *g)
{
	memset(g, 0, sizeof *g);
	g->o.timeout_s = 10;
	g->o.partitions = -1;
	g->o.rf = -1;
	g->o.partition = -1;
	g->o.throttle = -1;
	g->o.producer_id = -1;
	g->o.producer_epoch = -1;
	g->o.coordinator_epoch = -1;
	g->o.start_offset = -1;
	g->o.broker_id = -1;
}

/* Applies one option; NULL, or a usage error message. */
static const char *gctl_apply(struct gctl_opts *o, int id, char *v, const char *name)
{
	static char why[128];
	if (id == O_HELP)
		return "";
	const char *a = gctl_apply_action(o, id);
	if (a != NULL && strcmp(a, "?") != 0)
		return a;
	if (a == NULL)
		return NULL;
	if (gctl_apply_flag(o, id))
		return NULL;
	int n = gctl_apply_number(o, id, v);
	if (n < 0) {
		snprintf(why, sizeof why, "--%s: bad value '%s'", name, v);
		return why;
	}
	if (n > 0)
		return NULL;
	return gctl_apply_string(o, id, v);
}

static const char *gctl_opt_name(const struct option *v, int id)
{
	for (; v->name; v++)
		if (v->val == id)
			return v->name;
	return "?";
}

/* Runs getopt_long; -1 with *exit set, or the positional count. */
static int gctl_getopt(struct gctl *g, int argc, char **argv, const struct gctl_spec *spec,
		       const struct option *lo, const char **words, int max, int *status)
{
	int c, idx = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", lo, &idx)) != -1) {
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			*status = gctl_usage_err(spec->verb, c == ':' ? "option %s needs a value" :
					       "unknown option %s for %s", bad, spec->verb);
			return -1;
		}
		const char *why = gctl_apply(&g->o, c, optarg, gctl_opt_name(lo, c));
		if (why && !*why) {
			fputs(spec->usage, stdout);
			*status = 0;
			return -1;
		}
		if (why) {
			*status = gctl_usage_err(spec->verb, "%s", why);
			return -1;
		}
	}
	int nw = 0;
	for (int k = optind; k < argc; k++) {
		if (nw == max) {
			*status = gctl_usage_err(spec->verb, "unexpected argument '%s'", argv[k]);
			return -1;
		}
		words[nw++] = argv[k];
	}
	return nw;
}

int gctl_parse(struct gctl *g, int argc, char **argv, const struct gctl_spec *spec,
	       const char **words, int max, int *status)
{
	gctl_defaults(g);
	struct option *lo = gctl_build_opts(spec->options);
	if (!lo || gctl_alloc_lists(&g->o, argc, argv)) {
		free(lo);
		gctl_err("out of memory");
		*status = 1;
		return -1;
	}
	int nw = gctl_getopt(g, argc, argv, spec, lo, words, max, status);
	free(lo);
	return nw;
}

void gctl_done(struct gctl *g)
{
	struct gctl_list *l[] = { &g->o.topics, &g->o.groups, &g->o.entity_types,
				  &g->o.entity_names, &g->o.allow_principals,
				  &g->o.deny_principals, &g->o.allow_hosts, &g->o.deny_hosts,
				  &g->o.operations, &g->o.txn_ids, &g->o.files };
	for (size_t i = 0; i < sizeof l / sizeof *l; i++)
		free(l[i]->v);
	free(g->o.configs);
}

int gctl_zk_open(struct gctl *g, const char *verb)
{
	if (!g->o.zookeeper)
		return gctl_usage_err(verb, "--zookeeper HOST:PORT is required");
	if (g->o.topic && !zn_topic_name_valid(g->o.topic)) {
		gctl_err("topic name '%s' is illegal (allowed: [a-zA-Z0-9._-], 1-249 characters, "
			 "not '.' or '..')", g->o.topic);
		return 1;
	}
	return gctl_connect(g) ? 1 : 0;
}

int gctl_need_bootstrap(const struct gctl *g, const char *verb)
{
	if (g->o.bootstrap)
		return 0;
	return gctl_usage_err(verb, "--bootstrap-server HOST:PORT is required");
}

void gctl_table(const char **cells, int rows, int cols)
{
	size_t w[32] = { 0 };
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols && c < 32; c++) {
			size_t l = strlen(cells[r * cols + c]);
			w[c] = l > w[c] ? l : w[c];
		}
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			if (c == cols - 1)
				printf("%s\n", cells[r * cols + c]);
			else
				printf("%-*s ", (int)(c < 32 ? w[c] : 0), cells[r * cols + c]);
		}
}

int gctl_opt_takes_value(const char *arg)
{
	if (strncmp(arg, "--", 2) != 0 || strchr(arg, '='))
		return 0;
	for (size_t i = 0; i < GCTL_N_OPTS; i++)
		if (strcmp(gctl_all_opts[i].name, arg + 2) == 0)
			return gctl_all_opts[i].has_arg == required_argument;
	return 0;
}
