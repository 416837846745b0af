/* gregorctl topics --bootstrap-server: kafka-topics.sh over the Kafka
 * protocol. list and describe from Metadata (v4 leaves no leader epoch,
 * so describe shows what kafka-topics shows: leader, replicas, ISR) with
 * each topic's overrides and min.insync.replicas from DescribeConfigs;
 * create with CreateTopics, more partitions with CreatePartitions, delete
 * with DeleteTopics, all sent to the controller. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zjson.h"

enum { TK_API_CREATE = 19, TK_API_DELETE = 20, TK_API_DESCRIBE_CONFIGS = 32,
       TK_API_CREATE_PARTITIONS = 37 };

struct tk_cfg {
	struct zbuf text, json; /* "k=v,..." and {"k":"v",..} of the overrides */
	int min_isr;
};

static struct broker_channel *tk_controller(struct gk *k)
{
	struct broker_channel *ch = k->md.controller_id >= 0 ? gk_broker(k, k->md.controller_id) : NULL;
	return ch ? ch : gk_any(k);
}

static int tk_shown_topic(const struct gctl *g, struct gk *k, const struct metadata_resp_topic *t)
{
	const char *name = gk_cstr(k, t->name);
	if (g->o.exclude_internal && (t->is_internal || strncmp(name, "__", 2) == 0))
		return 0;
	if (g->o.topics.n == 0)
		return 1;
	for (int i = 0; i < g->o.topics.n; i++)
		if (strcmp(g->o.topics.v[i], name) == 0)
			return 1;
	return 0;
}

static int tk_list(struct gctl *g, struct gk *k)
{
	const struct metadata_resp_topic *t = k->md.topics.v;
	struct zbuf b;
	zb_init(&b);
	zb_puts(&b, g->o.json ? "{\"topics\":[" : "");
	int first = 1;
	for (int32_t i = 0; i < k->md.topics.n; i++) {
		if (!tk_shown_topic(g, k, &t[i]))
			continue;
		if (g->o.json) {
			zb_puts(&b, first ? "{\"name\":" : ",{\"name\":");
			zb_jstr(&b, gk_cstr(k, t[i].name));
			zb_puts(&b, "}");
		} else {
			zb_printf(&b, "%s\n", gk_cstr(k, t[i].name));
		}
		first = 0;
	}
	zb_puts(&b, g->o.json ? "]}\n" : "");
	int rc = gk_put_json(&b);
	zb_free(&b);
	return rc;
}

/* DescribeConfigs of one topic: overrides and min.insync.replicas. */
static int tk_configs(struct gk *k, const char *topic, struct tk_cfg *c)
{
	zb_init(&c->text);
	zb_init(&c->json);
	c->min_isr = 1;
	struct broker_channel *ch = gk_any(k);
	if (!ch)
		return 1;
	struct describe_configs_req_resource rr = { 2, gk_kstr(topic), { -1, NULL } };
	struct describe_configs_request req = { { 1, &rr }, 0, 0 };
	struct describe_configs_response resp;
	int rc = gk_call(k, ch, TK_API_DESCRIBE_CONFIGS, 1, &describe_configs_request_msg, &req,
			 &describe_configs_response_msg, &resp);
	if (rc)
		return gk_failed("DescribeConfigs", rc);
	const struct describe_configs_resp_result *r = resp.results.v;
	if (resp.results.n != 1 || r->error_code)
		return gctl_err("DescribeConfigs of %s: %s", topic,
				resp.results.n == 1 ? kerr_name(r->error_code) : "no result"), 1;
	const struct describe_configs_resp_config *cv = r->configs.v;
	zb_puts(&c->json, "{");
	int n = 0;
	for (int32_t i = 0; i < r->configs.n; i++) {
		const char *name = gk_cstr(k, cv[i].name), *v = gk_cstr(k, cv[i].value);
		if (strcmp(name, "min.insync.replicas") == 0 && atoi(v) > 0)
			c->min_isr = atoi(v);
		if (cv[i].config_source != 1) /* only DYNAMIC_TOPIC_CONFIG, as kafka-topics */
			continue;
		zb_printf(&c->text, "%s%s=%s", n ? "," : "", name, cv[i].is_sensitive ? "<hidden>" : v);
		zb_puts(&c->json, n++ ? "," : "");
		zb_jstr(&c->json, name);
		zb_puts(&c->json, ":");
		zb_jstr(&c->json, cv[i].is_sensitive ? "<hidden>" : v);
	}
	zb_puts(&c->json, "}");
	return 0;
}

static int tk_live(const struct gk *k, int32_t id)
{
	const struct metadata_resp_broker *b = k->md.brokers.v;
	for (int32_t i = 0; i < k->md.brokers.n; i++)
		if (b[i].node_id == id)
			return 1;
	return 0;
}

static int tk_filtered(const struct gctl *g)
{
	return g->o.under_replicated || g->o.unavailable || g->o.under_min_isr || g->o.at_min_isr;
}

static int tk_partition_shown(const struct gctl *g, const struct gk *k,
			      const struct metadata_resp_partition *p, int min_isr)
{
	if (!tk_filtered(g))
		return 1;
	int isr = p->isr_nodes.n, unavailable = p->leader_id < 0 || !tk_live(k, p->leader_id);
	return (g->o.under_replicated && isr < p->replica_nodes.n) ||
	       (g->o.unavailable && unavailable) || (g->o.under_min_isr && isr < min_isr) ||
	       (g->o.at_min_isr && isr == min_isr);
}

static void tk_ids(struct zbuf *b, const struct karray *a)
{
	const int32_t *v = a->v;
	for (int32_t i = 0; i < a->n; i++)
		zb_printf(b, "%s%d", i ? "," : "", v[i]);
}

static void tk_describe_topic(struct gctl *g, struct gk *k, const struct metadata_resp_topic *t,
			      const struct tk_cfg *c, struct zbuf *b, int *first)
{
	const char *name = gk_cstr(k, t->name);
	const struct metadata_resp_partition *p = t->partitions.v;
	int rf = t->partitions.n > 0 ? p[0].replica_nodes.n : 0;
	if (g->o.json) {
		zb_puts(b, *first ? "{\"name\":" : ",{\"name\":");
		zb_jstr(b, name);
		zb_printf(b, ",\"partition_count\":%d,\"replication_factor\":%d,"
			  "\"min_insync_replicas\":%d,\"configs\":%s,\"partitions\":[",
			  t->partitions.n, rf, c->min_isr, c->json.p ? c->json.p : "{}");
	} else if (!tk_filtered(g)) {
		zb_printf(b, "Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n",
			  name, t->partitions.n, rf, c->text.p ? c->text.p : "");
	}
	int n = 0;
	for (int32_t i = 0; i < t->partitions.n; i++) {
		if (!tk_partition_shown(g, k, &p[i], c->min_isr))
			continue;
		if (g->o.json) {
			zb_printf(b, "%s{\"partition\":%d,\"leader\":%d,\"replicas\":[", n++ ? "," : "",
				  p[i].partition_index, p[i].leader_id);
			tk_ids(b, &p[i].replica_nodes);
			zb_puts(b, "],\"isr\":[");
			tk_ids(b, &p[i].isr_nodes);
			zb_puts(b, "]}");
			continue;
		}
		zb_printf(b, "\tTopic: %s\tPartition: %d\tLeader: ", name, p[i].partition_index);
		if (p[i].leader_id >= 0)
			zb_printf(b, "%d", p[i].leader_id);
		else
			zb_puts(b, "none");
		zb_puts(b, "\tReplicas: ");
		tk_ids(b, &p[i].replica_nodes);
		zb_puts(b, "\tIsr: ");
		tk_ids(b, &p[i].isr_nodes);
		zb_puts(b, "\n");
	}
	if (g->o.json)
		zb_puts(b, "]}");
	*first = 0;
}

static int tk_describe(struct gctl *g, struct gk *k)
{
	const struct metadata_resp_topic *t = k->md.topics.v;
	struct zbuf b;
	int rc = 0, first = 1, seen = 0;
	zb_init(&b);
	zb_puts(&b, g->o.json ? "{\"topics\":[" : "");
	for (int32_t i = 0; i < k->md.topics.n; i++) {
		if (!tk_shown_topic(g, k, &t[i]))
			continue;
		seen++;
		struct tk_cfg c;
		rc |= tk_configs(k, gk_cstr(k, t[i].name), &c);
		if (!g->o.with_overrides || c.text.len)
			tk_describe_topic(g, k, &t[i], &c, &b, &first);
		zb_free(&c.text);
		zb_free(&c.json);
	}
	zb_puts(&b, g->o.json ? "]}\n" : "");
	if (g->o.topics.n && !seen && !g->o.if_exists)
		rc = (gctl_err("topic '%s' does not exist", g->o.topics.v[0]), 1);
	rc |= gk_put_json(&b);
	zb_free(&b);
	return rc;
}

/* "1:2,2:3" into CreateTopics assignments (count in *n); -1 if malformed. */
static struct create_topics_req_assignment *tk_assignment(struct gk *k, const char *s, int *n)
{
	size_t cap = strlen(s) / 2 + 2;
	struct create_topics_req_assignment *a = arena_alloc(&k->a, sizeof *a * cap);
	int32_t *ids = arena_alloc(&k->a, sizeof *ids * cap);
	if (!a || !ids)
		return NULL;
	*n = 0;
	int rf = -1;
	while (*s) {
		a[*n] = (struct create_topics_req_assignment){ *n, { 0, ids } };
		for (;;) {
			char *e;
			long v = strtol(s, &e, 10);
			if (e == s || v < 0 || v > INT32_MAX)
				return gctl_err("--replica-assignment: bad broker list at '%s'", s), NULL;
			ids[a[*n].broker_ids.n++] = (int32_t)v;
			s = e;
			if (*s != ':')
				break;
			s++;
		}
		if (*s && *s != ',')
			return gctl_err("--replica-assignment: unexpected '%c'", *s), NULL;
		s += *s == ',';
		if (rf >= 0 && rf != a[*n].broker_ids.n)
			return gctl_err("--replica-assignment: partitions differ in replica count"), NULL;
		rf = a[*n].broker_ids.n;
		ids += a[*n].broker_ids.n;
		(*n)++;
	}
	return a;
}

static int tk_create(struct gctl *g, struct gk *k)
{
	const struct gctl_opts *o = &g->o;
	if (!o->topic)
		return gctl_usage_err("topics", "--create needs --topic");
	int na = 0;
	struct create_topics_req_assignment *a = NULL;
	if (o->replica_assignment && !(a = tk_assignment(k, o->replica_assignment, &na)))
		return 1;
	struct create_topics_req_config *cv = arena_alloc(&k->a, sizeof *cv * (size_t)(o->n_configs + 1));
	if (!cv)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < o->n_configs; i++) {
		const char *eq = strchr(o->configs[i], '=');
		if (!eq || eq == o->configs[i])
			return gctl_usage_err("topics", "--config '%s' is not key=value", o->configs[i]);
		char *key = arena_alloc(&k->a, (size_t)(eq - o->configs[i]) + 1);
		if (!key)
			return gctl_err("out of memory"), 1;
		snprintf(key, (size_t)(eq - o->configs[i]) + 1, "%s", o->configs[i]);
		cv[i] = (struct create_topics_req_config){ gk_kstr(key), gk_kstr(eq + 1) };
	}
	/* -1: the broker's num.partitions / default.replication.factor */
	struct create_topics_req_topic t = { gk_kstr(o->topic), a ? -1 : o->partitions,
					     (int16_t)(a ? -1 : o->rf), { na, a },
					     { o->n_configs, cv } };
	struct create_topics_request req = { { 1, &t }, o->timeout_s * 1000, 0 };
	struct create_topics_response resp;
	struct broker_channel *ch = tk_controller(k);
	int rc = ch ? gk_call(k, ch, TK_API_CREATE, 4, &create_topics_request_msg, &req,
			      &create_topics_response_msg, &resp) : -EHOSTUNREACH;
	if (rc)
		return gk_failed("CreateTopics", rc);
	const struct create_topics_resp_topic *r = resp.topics.v;
	if (resp.topics.n != 1)
		return gctl_err("CreateTopics answered %d topics for one", resp.topics.n), 1;
	if (r->error_code == KERR_TOPIC_ALREADY_EXISTS && o->if_not_exists)
		return 0;
	if (r->error_code)
		return gctl_err("cannot create topic '%s': %s%s%s", o->topic, kerr_name(r->error_code),
				r->error_message.len > 0 ? ": " : "", gk_cstr(k, r->error_message)), 1;
	printf("Created topic %s.\n", o->topic);
	return 0;
}

static int tk_alter(struct gctl *g, struct gk *k)
{
	const struct gctl_opts *o = &g->o;
	if (!o->topic || o->partitions < 0)
		return gctl_usage_err("topics", "--alter needs --topic and --partitions");
	const struct metadata_resp_topic *mt = gk_topic(k, o->topic);
	if (!mt && o->if_exists)
		return 0;
	if (!mt)
		return gctl_err("topic '%s' does not exist", o->topic), 1;
	struct create_partitions_req_assignment *pa = NULL;
	int np = 0;
	if (o->replica_assignment) {
		struct create_topics_req_assignment *a = tk_assignment(k, o->replica_assignment, &np);
		if (!a)
			return 1;
		/* as kafka-topics: the list covers every partition; new ones follow */
		int skip = mt->partitions.n < np ? mt->partitions.n : np;
		pa = arena_alloc(&k->a, sizeof *pa * (size_t)(np + 1));
		if (!pa)
			return gctl_err("out of memory"), 1;
		for (int i = skip; i < np; i++)
			pa[i - skip].broker_ids = a[i].broker_ids;
		np -= skip;
	}
	struct create_partitions_req_topic t = { gk_kstr(o->topic), o->partitions,
						 pa ? (struct karray){ np, pa } : (struct karray){ -1, NULL } };
	struct create_partitions_request req = { { 1, &t }, o->timeout_s * 1000, 0 };
	struct create_partitions_response resp;
	struct broker_channel *ch = tk_controller(k);
	int rc = ch ? gk_call(k, ch, TK_API_CREATE_PARTITIONS, 1, &create_partitions_request_msg, &req,
			      &create_partitions_response_msg, &resp) : -EHOSTUNREACH;
	if (rc)
		return gk_failed("CreatePartitions", rc);
	const struct create_partitions_resp_topic *r = resp.results.v;
	if (resp.results.n != 1)
		return gctl_err("CreatePartitions answered %d topics for one", resp.results.n), 1;
	if (r->error_code)
		return gctl_err("cannot add partitions to '%s': %s%s%s", o->topic,
				kerr_name(r->error_code), r->error_message.len > 0 ? ": " : "",
				gk_cstr(k, r->error_message)), 1;
	printf("Topic %s now has %d partitions.\n", o->topic, o->partitions);
	return 0;
}

static int tk_delete(struct gctl *g, struct gk *k)
{
	const struct gctl_opts *o = &g->o;
	if (!o->topic)
		return gctl_usage_err("topics", "--delete needs --topic");
	if (!gk_topic(k, o->topic))
		return o->if_exists ? 0 : (gctl_err("topic '%s' does not exist", o->topic), 1);
	struct kstr name = gk_kstr(o->topic);
	struct delete_topics_request req = { { 0, NULL }, { 1, &name }, o->timeout_s * 1000 };
	struct delete_topics_response resp;
	struct broker_channel *ch = tk_controller(k);
	int rc = ch ? gk_call(k, ch, TK_API_DELETE, 4, &delete_topics_request_msg, &req,
			      &delete_topics_response_msg, &resp) : -EHOSTUNREACH;
	if (rc)
		return gk_failed("DeleteTopics", rc);
	const struct delete_topics_resp_topic *r = resp.responses.v;
	if (resp.responses.n != 1)
		return gctl_err("DeleteTopics answered %d topics for one", resp.responses.n), 1;
	if (r->error_code == KERR_UNKNOWN_TOPIC_OR_PARTITION && o->if_exists)
		return 0;
	if (r->error_code)
		return gctl_err("cannot delete topic '%s': %s", o->topic, kerr_name(r->error_code)), 1;
	printf("Topic %s is marked for deletion.\n", o->topic);
	return 0;
}

static int tk_name_cmp(const void *a, const void *b)
{
	const struct kstr *x = &((const struct metadata_resp_topic *)a)->name;
	const struct kstr *y = &((const struct metadata_resp_topic *)b)->name;
	int32_t n = x->len < y->len ? x->len : y->len;
	int c = n > 0 ? memcmp(x->p, y->p, (size_t)n) : 0;
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

int gctl_cmd_topics_kafka(struct gctl *g, const char *cmd)
{
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	/* listed by name, as kafka-topics does */
	if (k.md.topics.n > 1)
		qsort(k.md.topics.v, (size_t)k.md.topics.n, sizeof(struct metadata_resp_topic),
		      tk_name_cmp);
	int rc = !strcmp(cmd, "list") ? tk_list(g, &k) :
		 !strcmp(cmd, "describe") ? tk_describe(g, &k) :
		 !strcmp(cmd, "create") ? tk_create(g, &k) :
		 !strcmp(cmd, "alter") ? tk_alter(g, &k) :
		 !strcmp(cmd, "delete") ? tk_delete(g, &k) :
		 (gctl_err("unknown topics action '%s'", cmd), GCTL_EXIT_USAGE);
	gk_close(&k);
	return rc;
}
