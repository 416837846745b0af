/* gregorctl topics: list, describe, create, delete, alter. Reads and writes
 * the znodes exactly as Kafka's ZooKeeper-era kafka-topics.sh did
 * (AdminZkClient): /config/topics/<t> before /brokers/topics/<t>, deletion
 * by /admin/delete_topics/<t>, more partitions by extending the assignment
 * at its read version. The controller does the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "coord/assign.h"
#include "coord/gregorctl/gctl.h"
#include "coord/zjson.h"

/* One topic as describe shows it. */
struct gctl_topic {
	const char *name;
	int n;
	struct zn_assign *as;
	struct zn_pstate *st;
	int *has_st;
	int deleting;
	int min_isr; /* the override, else the broker default, else 1 */
	struct zbuf cfg_text, cfg_json;
};

/* min.insync.replicas of /config/brokers/<default>, else 1 (Kafka's
 * default); read once. A broker's own static setting is not in ZooKeeper. */
static int gctl_default_min_isr(struct gctl *g)
{
	static int cached = 0;
	if (cached)
		return cached;
	struct gctl_zcfg u;
	cached = 1;
	if (gctl_zcfg_read(g, "brokers/<default>", &u) == 0) {
		int i = gctl_zcfg_find(&u, "min.insync.replicas");
		if (i >= 0 && atoi(u.values[i]) > 0)
			cached = atoi(u.values[i]);
		gctl_zcfg_free(&u);
	}
	return cached;
}

/* The override in "k=v,k2=v2", or 0. */
static int gctl_min_isr_override(const char *text)
{
	static const char key[] = "min.insync.replicas=";
	for (const char *p = text; p && (p = strstr(p, key)); p += sizeof key - 1)
		if (p == text || p[-1] == ',')
			return atoi(p + sizeof key - 1);
	return 0;
}

static void gctl_topic_free(struct gctl_topic *t)
{
	free(t->as);
	free(t->st);
	free(t->has_st);
	zb_free(&t->cfg_text);
	zb_free(&t->cfg_json);
}

/* Appends the config overrides as "k=v,..." and as a JSON object. */
static int gctl_config_render(const char *path, const char *d, int l,
			      struct zbuf *text, struct zbuf *json)
{
	struct zjson j;
	if (zj_parse(&j, d, (size_t)l))
		goto bad;
	int obj = zj_get(&j, 0, "config");
	if (zj_type(&j, obj) != ZJ_OBJ) {
		zj_free(&j);
		goto bad;
	}
	char *k = malloc((size_t)l + 1), *v = malloc((size_t)l + 1);
	int key = obj + 1, rc = 0;
	zb_puts(json, "{");
	for (int m = 0; k && v && m < j.t[obj].count && !rc; m++) {
		int val = j.t[key].next;
		rc = zj_str(&j, key, k, (size_t)l + 1) || zj_str(&j, val, v, (size_t)l + 1);
		if (!rc) {
			zb_printf(text, "%s%s=%s", m ? "," : "", k, v);
			zb_puts(json, m ? "," : "");
			zb_jstr(json, k);
			zb_puts(json, ":");
			zb_jstr(json, v);
		}
		key = j.t[val].next;
	}
	zb_puts(json, "}");
	int oom = !k || !v;
	free(k);
	free(v);
	zj_free(&j);
	if (oom) {
		gctl_err("out of memory");
		return 1;
	}
	if (!rc)
		return 0;
bad:
	gctl_err("malformed data in %s", path);
	return 1;
}

static int gctl_config_load(struct gctl *g, struct gctl_topic *t)
{
	char path[GCTL_PATH_MAX], *d;
	int l;
	if (gctl_path(path, "/config/topics/%s", t->name))
		return 1;
	int rc = gctl_get(g, path, &d, &l, NULL);
	if (rc == GCTL_NONODE || (rc == 0 && l == 0)) {
		if (rc == 0)
			free(d);
		zb_puts(&t->cfg_json, "{}");
		return 0;
	}
	if (rc)
		return 1;
	rc = gctl_config_render(path, d, l, &t->cfg_text, &t->cfg_json);
	free(d);
	return rc;
}

static int gctl_state_load(struct gctl *g, struct gctl_topic *t, int p)
{
	char path[GCTL_PATH_MAX], *d;
	int l;
	if (gctl_path(path, "/brokers/topics/%s/partitions/%d/state", t->name, p))
		return 1;
	int rc = gctl_get(g, path, &d, &l, NULL);
	if (rc == GCTL_NONODE)
		return 0; /* controller has not created it yet */
	if (rc)
		return 1;
	rc = zn_pstate_parse(d, (size_t)l, &t->st[p]);
	free(d);
	if (rc) {
		gctl_err("malformed data in %s", path);
		return 1;
	}
	t->has_st[p] = 1;
	return 0;
}

/* Loads everything describe shows. 0, GCTL_NONODE, or GCTL_FAIL (printed). */
static int gctl_topic_load(struct gctl *g, const char *name, struct gctl_topic *t)
{
	memset(t, 0, sizeof *t);
	zb_init(&t->cfg_text);
	zb_init(&t->cfg_json);
	t->name = name;
	int rc = gctl_read_assignment(g, name, &t->as, &t->n, NULL);
	if (rc)
		return rc;
	t->st = calloc((size_t)t->n + 1, sizeof *t->st);
	t->has_st = calloc((size_t)t->n + 1, sizeof *t->has_st);
	if (!t->st || !t->has_st) {
		gctl_err("out of memory");
		return GCTL_FAIL;
	}
	for (int p = 0; p < t->n; p++)
		if (gctl_state_load(g, t, p))
			return GCTL_FAIL;
	char path[GCTL_PATH_MAX];
	struct Stat st;
	if (gctl_path(path, "/admin/delete_topics/%s", name))
		return GCTL_FAIL;
	t->deleting = zoo_exists(g->zh, path, 0, &st) == ZOK;
	if (gctl_config_load(g, t))
		return GCTL_FAIL;
	t->min_isr = gctl_min_isr_override(t->cfg_text.p);
	if (t->min_isr <= 0)
		t->min_isr = gctl_default_min_isr(g);
	return 0;
}

static int gctl_under_replicated(const struct gctl_topic *t, int p)
{
	return !t->has_st[p] || t->st[p].n_isr < t->as[p].n_replicas;
}

static int gctl_unavailable(const struct gctl_topic *t, int p, const int32_t *live,
			    int n_live)
{
	return !t->has_st[p] || t->st[p].leader < 0 ||
	       !gctl_contains(live, n_live, t->st[p].leader);
}

static int gctl_filtered(const struct gctl *g)
{
	return g->o.under_replicated || g->o.unavailable || g->o.under_min_isr || g->o.at_min_isr;
}

static int gctl_under_min_isr(const struct gctl_topic *t, int p)
{
	return !t->has_st[p] || t->st[p].n_isr < t->min_isr;
}

static int gctl_partition_shown(const struct gctl *g, const struct gctl_topic *t,
				int p, const int32_t *live, int n_live)
{
	if (!gctl_filtered(g))
		return 1;
	return (g->o.under_replicated && gctl_under_replicated(t, p)) ||
	       (g->o.unavailable && gctl_unavailable(t, p, live, n_live)) ||
	       (g->o.under_min_isr && gctl_under_min_isr(t, p)) ||
	       (g->o.at_min_isr && t->has_st[p] && t->st[p].n_isr == t->min_isr);
}

static void gctl_put_ids(struct zbuf *b, const int32_t *v, int n, const char *sep)
{
	for (int k = 0; k < n; k++)
		zb_printf(b, "%s%d", k ? sep : "", v[k]);
}

static void gctl_describe_text(const struct gctl *g, const struct gctl_topic *t,
			       const int32_t *live, int n_live, struct zbuf *b)
{
	if (!gctl_filtered(g)) {
		zb_printf(b, "Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\t"
			  "Configs: %s%s\n", t->name, t->n, t->n ? t->as[0].n_replicas : 0,
			  t->cfg_text.p ? t->cfg_text.p : "",
			  t->deleting ? "\tMarkedForDeletion: true" : "");
	}
	for (int p = 0; p < t->n; p++) {
		if (!gctl_partition_shown(g, t, p, live, n_live))
			continue;
		zb_printf(b, "\tTopic: %s\tPartition: %d\tLeader: ", t->name, p);
		if (t->has_st[p] && t->st[p].leader >= 0)
			zb_printf(b, "%d", t->st[p].leader);
		else
			zb_puts(b, "none");
		zb_puts(b, "\tReplicas: ");
		gctl_put_ids(b, t->as[p].replicas, t->as[p].n_replicas, ",");
		zb_puts(b, "\tIsr: ");
		if (t->has_st[p])
			gctl_put_ids(b, t->st[p].isr, t->st[p].n_isr, ",");
		if (t->has_st[p])
			zb_printf(b, "\tLeaderEpoch: %d\n", t->st[p].leader_epoch);
		else
			zb_puts(b, "\tLeaderEpoch: none\n");
	}
}

static void gctl_describe_json(const struct gctl *g, const struct gctl_topic *t,
			       const int32_t *live, int n_live, struct zbuf *b)
{
	zb_puts(b, "{\"name\":");
	zb_jstr(b, t->name);
	zb_printf(b, ",\"partition_count\":%d,\"replication_factor\":%d,"
		  "\"marked_for_deletion\":%s,\"configs\":%s,\"partitions\":[",
		  t->n, t->n ? t->as[0].n_replicas : 0, t->deleting ? "true" : "false",
		  t->cfg_json.p ? t->cfg_json.p : "{}");
	int first = 1;
	for (int p = 0; p < t->n; p++) {
		if (!gctl_partition_shown(g, t, p, live, n_live))
			continue;
		int has = t->has_st[p];
		zb_printf(b, "%s{\"partition\":%d,\"leader\":%d,\"leader_epoch\":%d,"
			  "\"replicas\":[", first ? "" : ",", p,
			  has ? t->st[p].leader : -1, has ? t->st[p].leader_epoch : -1);
		gctl_put_ids(b, t->as[p].replicas, t->as[p].n_replicas, ",");
		zb_puts(b, "],\"isr\":[");
		if (has)
			gctl_put_ids(b, t->st[p].isr, t->st[p].n_isr, ",");
		/* the partition object's keys are fixed (scripts compare it whole);
		 * min ISR is at the topic level */
		zb_printf(b, "],\"has_state\":%s,\"under_replicated\":%s,"
			  "\"unavailable\":%s}", has ? "true" : "false",
			  gctl_under_replicated(t, p) ? "true" : "false",
			  gctl_unavailable(t, p, live, n_live) ? "true" : "false");
		first = 0;
	}
	zb_puts(b, "]}");
}

/* The topic names to describe: --topic, or all of /brokers/topics. */
static int gctl_topic_names(struct gctl *g, struct String_vector *names)
{
	if (!g->o.topic) {
		int rc = gctl_children(g, "/brokers/topics", names);
		if (rc == GCTL_NONODE)
			gctl_err("%s", gctl_no_cluster("/brokers/topics"));
		return rc;
	}
	names->count = 1;
	names->data = calloc(1, sizeof *names->data);
	if (!names->data || !(names->data[0] = strdup(g->o.topic))) {
		gctl_err("out of memory");
		return GCTL_FAIL;
	}
	return 0;
}

static int gctl_topics_describe(struct gctl *g)
{
	struct String_vector names;
	int32_t *live = NULL;
	int n_live = gctl_live_brokers(g, &live);
	if (n_live < 0 || gctl_topic_names(g, &names)) {
		free(live);
		return 1;
	}
	int status = 0, first = 1;
	struct zbuf out;
	zb_init(&out);
	if (g->o.json)
		zb_puts(&out, "{\"topics\":[");
	for (int k = 0; k < names.count; k++) {
		struct gctl_topic t;
		if (g->o.exclude_internal && !g->o.topic && strncmp(names.data[k], "__", 2) == 0)
			continue;
		int rc = gctl_topic_load(g, names.data[k], &t);
		if (rc == 0 && g->o.with_overrides && !t.cfg_text.len) {
			gctl_topic_free(&t);
			continue;
		}
		if (rc == GCTL_NONODE && g->o.topic)
			gctl_err("topic '%s' does not exist", names.data[k]);
		if (rc == GCTL_NONODE && !g->o.topic) {
			/* deleted since the listing: not an error */
		} else if (rc) {
			status = 1;
		} else if (g->o.json) {
			zb_puts(&out, first ? "" : ",");
			gctl_describe_json(g, &t, live, n_live, &out);
			first = 0;
		} else {
			gctl_describe_text(g, &t, live, n_live, &out);
		}
		gctl_topic_free(&t);
	}
	if (g->o.json)
		zb_puts(&out, "]}\n");
	if (out.oom) {
		gctl_err("out of memory");
		status = 1;
	} else if (out.len) {
		fwrite(out.p, 1, out.len, stdout);
	}
	zb_free(&out);
	deallocate_String_vector(&names);
	free(live);
	return status;
}

static int gctl_topics_list(struct gctl *g)
{
	struct String_vector names;
	int rc = gctl_children(g, "/brokers/topics", &names);
	if (rc == GCTL_NONODE)
		gctl_err("%s", gctl_no_cluster("/brokers/topics"));
	if (rc)
		return 1;
	struct zbuf b;
	zb_init(&b);
	zb_puts(&b, g->o.json ? "{\"topics\":[" : "");
	int first = 1;
	for (int k = 0; k < names.count; k++) {
		char path[GCTL_PATH_MAX];
		struct Stat st;
		if (g->o.exclude_internal && strncmp(names.data[k], "__", 2) == 0)
			continue;
		int del = gctl_path(path, "/admin/delete_topics/%s", names.data[k]) == 0 &&
			  zoo_exists(g->zh, path, 0, &st) == ZOK;
		if (g->o.json) {
			zb_puts(&b, first ? "{\"name\":" : ",{\"name\":");
			zb_jstr(&b, names.data[k]);
			zb_printf(&b, ",\"marked_for_deletion\":%s}", del ? "true" : "false");
		} else {
			zb_printf(&b, "%s%s\n", names.data[k], del ? " - marked for deletion" : "");
		}
		first = 0;
	}
	zb_puts(&b, g->o.json ? "]}\n" : "");
	deallocate_String_vector(&names);
	if (b.oom)
		return zb_free(&b), gctl_err("out of memory"), 1;
	fwrite(b.p, 1, b.len, stdout);
	zb_free(&b);
	return 0;
}

/* --replica-assignment "1:2:3,2:3:1": one entry per partition from first
 * (earlier entries skipped, as kafka-topics --alter does); every entry the
 * same length, no broker twice in one, every broker registered. Returns
 * the count of partitions filled, or -1 (printed). */
static int gctl_parse_assignment(struct gctl *g, int first, struct zn_assign *as, int cap,
				 const int32_t *live, int n_live)
{
	const char *s = g->o.replica_assignment;
	int n = 0, idx = 0, rf = -1;
	while (*s) {
		struct zn_assign a;
		memset(&a, 0, sizeof a);
		for (;;) {
			char *e;
			long v = strtol(s, &e, 10);
			if (e == s || v < 0 || v > INT32_MAX || a.n_replicas == ZN_MAX_REPLICAS)
				return gctl_err("--replica-assignment: bad broker list at '%s'", s), -1;
			if (gctl_contains(a.replicas, a.n_replicas, (int32_t)v))
				return gctl_err("--replica-assignment: broker %ld twice in partition %d",
						v, idx), -1;
			if (!gctl_contains(live, n_live, (int32_t)v))
				return gctl_err("--replica-assignment: broker %ld is not registered", v), -1;
			a.replicas[a.n_replicas++] = (int32_t)v;
			s = e;
			if (*s != ':')
				break;
			s++;
		}
		if (*s && *s != ',')
			return gctl_err("--replica-assignment: unexpected '%c'", *s), -1;
		s += *s == ',';
		if (rf >= 0 && a.n_replicas != rf)
			return gctl_err("--replica-assignment: partition %d has %d replicas, not %d",
					idx, a.n_replicas, rf), -1;
		rf = a.n_replicas;
		if (idx++ < first)
			continue;
		if (n == cap)
			return gctl_err("--replica-assignment: more partitions than %d", cap), -1;
		a.partition = first + n;
		as[n++] = a;
	}
	return n;
}

/* Kafka refuses names equal once '.' and '_' are identified. */
static int gctl_name_collides(struct gctl *g, const char *name)
{
	struct String_vector kids;
	if (gctl_children(g, "/brokers/topics", &kids))
		return 0;
	int hit = 0;
	for (int k = 0; k < kids.count && !hit; k++) {
		const char *a = kids.data[k], *b = name;
		if (strcmp(a, b) == 0 || strlen(a) != strlen(b))
			continue;
		hit = 1;
		for (; *a && hit; a++, b++)
			hit = *a == *b || ((*a == '.' || *a == '_') && (*b == '.' || *b == '_'));
		if (hit)
			gctl_err("topic '%s' collides with existing topic '%s'", name,
				 kids.data[k]);
	}
	deallocate_String_vector(&kids);
	return hit;
}

static int gctl_rand(int n)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint32_t)rand();
	return (int)(r % (uint32_t)n);
}

/* /config/topics/<t> from the --config k=v list; overwrites a leftover of
 * an earlier failed create, as Kafka does. */
static int gctl_write_config(struct gctl *g, const char *topic)
{
	int n = g->o.n_configs, status = 1;
	char **keys = calloc((size_t)n + 1, sizeof *keys);
	const char **vals = calloc((size_t)n + 1, sizeof *vals);
	for (int k = 0; keys && vals && k < n; k++) {
		keys[k] = strdup(g->o.configs[k]);
		char *eq = keys[k] ? strchr(keys[k], '=') : NULL;
		if (!eq || eq == keys[k]) {
			gctl_err("--config '%s' is not key=value", g->o.configs[k]);
			goto out;
		}
		*eq = '\0';
		vals[k] = eq + 1;
	}
	char path[GCTL_PATH_MAX];
	struct zbuf b;
	zb_init(&b);
	if (keys && vals)
		zn_config_build(&b, (const char *const *)keys, vals, n);
	if (!keys || !vals || b.oom) {
		gctl_err("out of memory");
	} else if (gctl_path(path, "/config/topics/%s", topic) == 0) {
		int rc = gctl_write_new(g, path, b.p, b.len);
		if (rc == GCTL_EXISTS)
			rc = zoo_set(g->zh, path, b.p, (int)b.len, -1) == ZOK ? 0 : GCTL_FAIL;
		if (rc == GCTL_FAIL)
			gctl_err("cannot write %s", path);
		status = rc != 0;
	}
	zb_free(&b);
out:
	for (int k = 0; keys && k < n; k++)
		free(keys[k]);
	free(keys);
	free(vals);
	return status;
}

static int gctl_create_check(struct gctl *g, int n_live)
{
	const struct gctl_opts *o = &g->o;
	if (o->replica_assignment) {
		if (!o->topic || o->partitions >= 0 || o->rf >= 0) {
			gctl_err("topics create --replica-assignment needs --topic and neither "
				 "--partitions nor --replication-factor");
			return 1;
		}
		return 0;
	}
	if (!o->topic || o->partitions < 0 || o->rf < 0) {
		gctl_err("topics create needs --topic, --partitions and --replication-factor");
		return 1;
	}
	if (o->partitions < 1 || o->partitions > GCTL_MAX_PARTITIONS) {
		gctl_err("--partitions must be in [1, %d]", GCTL_MAX_PARTITIONS);
		return 1;
	}
	if (o->rf < 1 || o->rf > n_live || o->rf > ZN_MAX_REPLICAS) {
		gctl_err("replication factor %d is larger than the %d available brokers "
			 "(or below 1)", o->rf, n_live);
		return 1;
	}
	return 0;
}

static int gctl_topics_create(struct gctl *g)
{
	int32_t *live = NULL;
	int n_live = gctl_live_brokers(g, &live);
	char path[GCTL_PATH_MAX];
	struct Stat st;
	struct zn_assign *as = NULL;
	int status = 1;
	if (n_live < 0 || gctl_create_check(g, n_live) ||
	    gctl_path(path, "/brokers/topics/%s", g->o.topic))
		goto out;
	if (zoo_exists(g->zh, path, 0, &st) == ZOK) {
		status = !g->o.if_not_exists;
		if (status)
			gctl_err("topic '%s' already exists", g->o.topic);
		goto out;
	}
	if (gctl_name_collides(g, g->o.topic))
		goto out;
	int cap = g->o.replica_assignment ? (int)strlen(g->o.replica_assignment) / 2 + 1
					  : g->o.partitions;
	as = calloc((size_t)cap, sizeof *as);
	if (!as) {
		gctl_err("out of memory");
		goto out;
	}
	if (g->o.replica_assignment) {
		g->o.partitions = gctl_parse_assignment(g, 0, as, cap, live, n_live);
		if (g->o.partitions < 1)
			goto out;
	} else if (assign_replicas(live, n_live, g->o.partitions, g->o.rf, 0, gctl_rand(n_live),
			    gctl_rand(n_live), as)) {
		gctl_err("cannot assign %d replicas over %d brokers", g->o.rf, n_live);
		goto out;
	}
	if (gctl_write_config(g, g->o.topic))
		goto out;
	struct zbuf b;
	zb_init(&b);
	zn_topic_build(&b, as, g->o.partitions);
	int rc = b.oom ? GCTL_FAIL : gctl_write_new(g, path, b.p, b.len);
	zb_free(&b);
	if (rc == GCTL_EXISTS && !g->o.if_not_exists)
		gctl_err("topic '%s' already exists", g->o.topic);
	else if (rc == 0)
		printf("Created topic %s.\n", g->o.topic);
	status = rc != 0 && !(rc == GCTL_EXISTS && g->o.if_not_exists);
out:
	free(as);
	free(live);
	return status;
}

static int gctl_topics_delete(struct gctl *g)
{
	char path[GCTL_PATH_MAX];
	struct Stat st;
	if (!g->o.topic) {
		gctl_err("topics delete needs --topic");
		return 1;
	}
	if (gctl_path(path, "/brokers/topics/%s", g->o.topic))
		return 1;
	int rc = zoo_exists(g->zh, path, 0, &st);
	if (rc == ZNONODE && g->o.if_exists)
		return 0;
	if (rc != ZOK) {
		if (rc == ZNONODE)
			gctl_err("topic '%s' does not exist", g->o.topic);
		else
			gctl_err("ZooKeeper: %s", zerror(rc));
		return 1;
	}
	if (gctl_path(path, "/admin/delete_topics/%s", g->o.topic))
		return 1;
	rc = gctl_write_new(g, path, NULL, 0);
	if (rc == GCTL_FAIL)
		return 1;
	printf(rc == GCTL_EXISTS ? "Topic %s is already marked for deletion.\n" :
	       "Topic %s is marked for deletion.\n", g->o.topic);
	return 0;
}

/* Kafka's AdminZkClient.addPartitions: new partitions start at the first
 * live broker whose id is >= partition 0's preferred replica, with that
 * index as the shift too. */
static int gctl_alter_assign(struct gctl *g, struct zn_assign *as, int n)
{
	int32_t *live = NULL;
	int n_live = gctl_live_brokers(g, &live), rf = as[0].n_replicas;
	if (n_live < 0)
		return 1;
	int start = 0;
	while (start < n_live && live[start] < as[0].replicas[0])
		start++;
	if (start == n_live)
		start = 0;
	int rc = rf <= n_live ? assign_replicas(live, n_live, g->o.partitions - n, rf, n,
						start, start, &as[n]) : -1;
	if (rc)
		gctl_err("replication factor %d is larger than the %d available brokers",
			 rf, n_live);
	free(live);
	return rc != 0;
}

static int gctl_topics_alter(struct gctl *g)
{
	if (!g->o.topic || g->o.partitions < 0) {
		gctl_err("topics alter needs --topic and --partitions");
		return 1;
	}
	struct zn_assign *old = NULL, *as = NULL;
	int n, status = 1;
	int32_t version;
	int rc = gctl_read_assignment(g, g->o.topic, &old, &n, &version);
	if (rc == GCTL_NONODE && g->o.if_exists)
		return 0;
	if (rc == GCTL_NONODE)
		gctl_err("topic '%s' does not exist", g->o.topic);
	if (rc)
		return 1;
	if (n < 1 || g->o.partitions <= n || g->o.partitions > GCTL_MAX_PARTITIONS) {
		gctl_err("topic '%s' has %d partitions; %d would not be an increase "
			 "(at most %d)", g->o.topic, n, g->o.partitions, GCTL_MAX_PARTITIONS);
		goto out;
	}
	as = calloc((size_t)g->o.partitions, sizeof *as);
	if (!as) {
		gctl_err("out of memory");
		goto out;
	}
	memcpy(as, old, sizeof *as * (size_t)n);
	if (g->o.replica_assignment) {
		int32_t *live = NULL;
		int n_live = gctl_live_brokers(g, &live);
		int got = n_live < 0 ? -1 : gctl_parse_assignment(g, n, &as[n], g->o.partitions - n,
								  live, n_live);
		free(live);
		if (got >= 0 && got != g->o.partitions - n)
			gctl_err("--replica-assignment gives %d new partitions, --partitions %d "
				 "needs %d", got, g->o.partitions, g->o.partitions - n);
		if (got != g->o.partitions - n)
			goto out;
	} else if (gctl_alter_assign(g, as, n)) {
		goto out;
	}
	uint8_t id[16];
	int have_id = 0;
	if (gctl_read_topic_id(g, g->o.topic, id, &have_id))
		goto out;
	char path[GCTL_PATH_MAX];
	struct zbuf b;
	zb_init(&b);
	zn_topic_build_id(&b, have_id ? id : NULL, as, g->o.partitions);
	rc = b.oom || b.len > GCTL_DATA_MAX ? ZSYSTEMERROR :
	     gctl_path(path, "/brokers/topics/%s", g->o.topic) ? ZBADARGUMENTS :
	     zoo_set(g->zh, path, b.p, (int)b.len, version);
	zb_free(&b);
	if (rc == ZBADVERSION)
		gctl_err("topic '%s' changed while being altered; try again", g->o.topic);
	else if (rc != ZOK)
		gctl_err("cannot write the new assignment of '%s': %s", g->o.topic,
			 zerror(rc));
	else
		printf("Topic %s now has %d partitions.\n", g->o.topic, g->o.partitions);
	status = rc != ZOK;
out:
	free(old);
	free(as);
	return status;
}

int gctl_cmd_topics(struct gctl *g, const char *cmd)
{
	if (strcmp(cmd, "list") == 0)
		return gctl_topics_list(g);
	if (strcmp(cmd, "describe") == 0)
		return gctl_topics_describe(g);
	if (strcmp(cmd, "create") == 0)
		return gctl_topics_create(g);
	if (strcmp(cmd, "delete") == 0)
		return gctl_topics_delete(g);
	if (strcmp(cmd, "alter") == 0)
		return gctl_topics_alter(g);
	gctl_err("unknown topics command '%s' (list, describe, create, delete, alter)",
		 cmd);
	return 1;
}
