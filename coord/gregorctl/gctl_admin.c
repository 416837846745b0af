/* gregorctl cluster (brokers, controller) and partitions (elect-preferred,
 * reassign): reads of the broker registry and controller znodes, and the
 * admin request znodes the controller acts on. Requests are re-serialized
 * from validated values, never copied from user input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"
#include "coord/zjson.h"

static void gctl_put_endpoint(struct zbuf *b, const struct zn_endpoint *e)
{
	int v6 = strchr(e->host, ':') != NULL;
	zb_printf(b, "%s://%s%s%s:%d", e->listener, v6 ? "[" : "", e->host,
		  v6 ? "]" : "", e->port);
}

static void gctl_broker_text(struct zbuf *b, const struct zn_broker *br, int64_t epoch)
{
	zb_printf(b, "Broker: %d\tEndpoints: ", br->id);
	for (int k = 0; k < br->n_endpoints; k++) {
		zb_puts(b, k ? "," : "");
		gctl_put_endpoint(b, &br->ep[k]);
	}
	zb_printf(b, "\tRack: %s\tEpoch: %lld\n", br->has_rack ? br->rack : "none",
		  (long long)epoch);
}

static void gctl_broker_json(struct zbuf *b, const struct zn_broker *br, int64_t epoch,
			     int first)
{
	zb_printf(b, "%s{\"id\":%d,\"endpoints\":[", first ? "" : ",", br->id);
	for (int k = 0; k < br->n_endpoints; k++) {
		struct zbuf e;
		zb_init(&e);
		gctl_put_endpoint(&e, &br->ep[k]);
		zb_puts(b, k ? "," : "");
		zb_jstr(b, e.p ? e.p : "");
		zb_free(&e);
	}
	zb_puts(b, "],\"rack\":");
	if (br->has_rack)
		zb_jstr(b, br->rack);
	else
		zb_puts(b, "null");
	zb_printf(b, ",\"epoch\":%lld}", (long long)epoch);
}

static int gctl_one_broker(struct gctl *g, int32_t id, struct zbuf *out, int first)
{
	char path[GCTL_PATH_MAX], *d;
	int l;
	struct Stat st;
	struct zn_broker br;
	snprintf(path, sizeof path, "/brokers/ids/%d", id);
	int rc = gctl_get(g, path, &d, &l, &st);
	if (rc == GCTL_NONODE)
		return 0; /* went away since the listing */
	if (rc)
		return 1;
	rc = zn_broker_parse(d, (size_t)l, &br);
	free(d);
	if (rc) {
		gctl_err("malformed data in %s", path);
		return 1;
	}
	br.id = id; /* the znode name is authoritative */
	if (g->o.json)
		gctl_broker_json(out, &br, st.czxid, first);
	else
		gctl_broker_text(out, &br, st.czxid);
	return 0;
}

static int gctl_cluster_brokers(struct gctl *g)
{
	int32_t *ids;
	int n = gctl_live_brokers(g, &ids), status = 0;
	if (n < 0)
		return 1;
	struct zbuf out;
	zb_init(&out);
	zb_puts(&out, g->o.json ? "{\"brokers\":[" : "");
	size_t empty = out.len; /* a broker may vanish: first = nothing written yet */
	for (int k = 0; k < n; k++)
		status |= gctl_one_broker(g, ids[k], &out, out.len == empty);
	zb_puts(&out, g->o.json ? "]}\n" : "");
	if (out.oom)
		gctl_err("out of memory");
	else if (out.len)
		fwrite(out.p, 1, out.len, stdout);
	zb_free(&out);
	free(ids);
	return status || out.oom;
}

/* /controller_epoch holds a bare decimal integer. */
static int gctl_parse_epoch(const char *d, int l, int64_t *out)
{
	char *e;
	if (l < 1 || l > 11 || d[0] < '0' || d[0] > '9')
		return -1;
	errno = 0;
	long long v = strtoll(d, &e, 10);
	if (errno || e != d + l || v > INT32_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Garbage in a controller znode: shown escaped, with the zkCli command
 * that repairs it (as the brokers log it). */
static void gctl_malformed(struct gctl *g, const char *path, const char *d, int l,
			   const char *repair)
{
	char shown[160];
	size_t o = 0;
	for (int i = 0; i < l && o + 5 < sizeof shown; i++) {
		unsigned char ch = (unsigned char)d[i];
		o += (size_t)snprintf(shown + o, sizeof shown - o,
				      ch >= 0x20 && ch < 0x7f && ch != '\\' ? "%c" : "\\x%02x", ch);
	}
	shown[o] = 0;
	gctl_err("malformed data in %s: \"%s\"; no controller can be elected until it is "
		 "repaired: zkCli.sh -server %s %s", path, shown, g->o.zookeeper, repair);
}

static int gctl_cluster_controller(struct gctl *g)
{
	char *d;
	int l;
	int64_t epoch;
	struct Stat st;
	int rc = gctl_get(g, "/controller", &d, &l, NULL);
	if (rc == GCTL_NONODE) {
		gctl_err("no active controller (/controller does not exist)");
		/* garbage in the epoch is what stops the election: say so */
		if (gctl_get(g, "/controller_epoch", &d, &l, &st) == 0) {
			if (gctl_parse_epoch(d, l, &epoch)) {
				char repair[64];
				snprintf(repair, sizeof repair, "set /controller_epoch %d",
					 (int)st.version + 1);
				gctl_malformed(g, "/controller_epoch", d, l, repair);
			}
			free(d);
		}
	}
	if (rc)
		return 1;
	int32_t id = zn_controller_parse(d, (size_t)l);
	if (id < 0)
		gctl_malformed(g, "/controller", d, l, "delete /controller");
	free(d);
	if (id < 0)
		return 1;
	rc = gctl_get(g, "/controller_epoch", &d, &l, &st);
	if (rc == GCTL_NONODE)
		gctl_err("/controller_epoch does not exist");
	if (rc)
		return 1;
	rc = gctl_parse_epoch(d, l, &epoch);
	if (rc) {
		char repair[64];
		snprintf(repair, sizeof repair, "set /controller_epoch %d", (int)st.version + 1);
		gctl_malformed(g, "/controller_epoch", d, l, repair);
	}
	free(d);
	if (rc)
		return 1;
	if (g->o.json)
		printf("{\"controller\":%d,\"epoch\":%lld}\n", id, (long long)epoch);
	else
		printf("Controller: %d\tEpoch: %lld\n", id, (long long)epoch);
	return 0;
}

int gctl_cmd_cluster(struct gctl *g, const char *cmd)
{
	if (strcmp(cmd, "brokers") == 0)
		return gctl_cluster_brokers(g);
	if (strcmp(cmd, "controller") == 0)
		return gctl_cluster_controller(g);
	gctl_err("unknown cluster command '%s' (brokers, controller)", cmd);
	return 1;
}

/* Appends {"topic":t,"partition":p} for every partition of one topic. */
static int gctl_elect_topic(struct gctl *g, const char *topic, struct zbuf *b,
			    int *count)
{
	struct zn_assign *as;
	int n;
	int rc = gctl_read_assignment(g, topic, &as, &n, NULL);
	if (rc == GCTL_NONODE && g->o.topic)
		gctl_err("topic '%s' does not exist", topic);
	if (rc == GCTL_NONODE && !g->o.topic)
		return 0; /* deleted since the listing */
	if (rc)
		return 1;
	for (int p = 0; p < n; p++) {
		zb_puts(b, *count ? "," : "");
		zb_puts(b, "{\"topic\":");
		zb_jstr(b, topic);
		zb_printf(b, ",\"partition\":%d}", p);
		(*count)++;
	}
	free(as);
	return 0;
}

static int gctl_create_admin(struct gctl *g, const char *path, struct zbuf *b,
			     const char *busy)
{
	if (b->oom) {
		gctl_err("out of memory");
		return 1;
	}
	int rc = gctl_write_new(g, path, b->p, b->len);
	if (rc == GCTL_EXISTS)
		gctl_err("%s (%s exists)", busy, path);
	return rc != 0;
}

static int gctl_elect_preferred(struct gctl *g)
{
	struct String_vector names = { 0, NULL };
	int rc = 0, count = 0;
	struct zbuf b;
	zb_init(&b);
	zb_puts(&b, "{\"version\":1,\"partitions\":[");
	if (g->o.topic) {
		rc = gctl_elect_topic(g, g->o.topic, &b, &count);
	} else {
		rc = gctl_children(g, "/brokers/topics", &names);
		if (rc == GCTL_NONODE)
			gctl_err("%s", gctl_no_cluster("/brokers/topics"));
		for (int k = 0; !rc && k < names.count; k++)
			rc = gctl_elect_topic(g, names.data[k], &b, &count);
		deallocate_String_vector(&names);
	}
	zb_puts(&b, "]}");
	if (!rc && count == 0) {
		gctl_err("no partitions to elect");
		rc = 1;
	}
	if (!rc)
		rc = gctl_create_admin(g, "/admin/preferred_replica_election", &b,
				       "a preferred replica election is in progress");
	if (!rc)
		printf("Started preferred replica election for %d partition(s).\n", count);
	zb_free(&b);
	return rc != 0;
}

/* Reads the whole --file, bounded by ZooKeeper's data limit. */
char *gctl_read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	if (!f) {
		gctl_err("cannot open %s: %s", name, strerror(errno));
		return NULL;
	}
	char *buf = malloc(GCTL_DATA_MAX + 1);
	size_t n = buf ? fread(buf, 1, GCTL_DATA_MAX + 1, f) : 0;
	int bad = !buf || ferror(f) || n > GCTL_DATA_MAX;
	fclose(f);
	if (bad) {
		gctl_err("cannot read %s (%s)", name, !buf ? "out of memory" :
			 n > GCTL_DATA_MAX ? "larger than 1 MiB" : "read error");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

struct gctl_move {
	char topic[256];
	int32_t partition;
	int n;
	int32_t replicas[ZN_MAX_REPLICAS];
};

/* One entry of the file's "partitions" array; errors name the entry. */
static int gctl_move_parse(const struct zjson *j, int e, int idx, struct gctl_move *m)
{
	int64_t v;
	int t = zj_get(j, e, "topic"), p = zj_get(j, e, "partition");
	int r = zj_get(j, e, "replicas");
	if (zj_type(j, e) != ZJ_OBJ || zj_str(j, t, m->topic, sizeof m->topic) ||
	    !zn_topic_name_valid(m->topic) || zj_int(j, p, 0, INT32_MAX, &v) ||
	    zj_type(j, r) != ZJ_ARR) {
		gctl_err("reassignment entry %d needs a valid \"topic\", \"partition\" "
			 "and \"replicas\"", idx);
		return 1;
	}
	m->partition = (int32_t)v;
	m->n = j->t[r].count;
	if (m->n < 1 || m->n > ZN_MAX_REPLICAS) {
		gctl_err("reassignment entry %d: 1 to %d replicas", idx, ZN_MAX_REPLICAS);
		return 1;
	}
	for (int k = 0; k < m->n; k++) {
		if (zj_int(j, zj_at(j, r, k), 0, INT32_MAX, &v) ||
		    gctl_contains(m->replicas, k, (int32_t)v)) {
			gctl_err("reassignment entry %d: replica %d is not a broker id distinct from the others",
				 idx, k);
			return 1;
		}
		m->replicas[k] = (int32_t)v;
	}
	return 0;
}

/* The partition must exist and every target broker be registered. */
static int gctl_move_check(struct gctl *g, const struct gctl_move *m, int idx,
			   const int32_t *live, int n_live)
{
	struct zn_assign *as;
	int n;
	int rc = gctl_read_assignment(g, m->topic, &as, &n, NULL);
	if (rc == GCTL_NONODE)
		gctl_err("reassignment entry %d: topic '%s' does not exist", idx, m->topic);
	if (rc)
		return 1;
	free(as);
	if (m->partition >= n) {
		gctl_err("reassignment entry %d: topic '%s' has no partition %d", idx,
			 m->topic, m->partition);
		return 1;
	}
	for (int k = 0; k < m->n; k++) {
		if (!gctl_contains(live, n_live, m->replicas[k])) {
			gctl_err("reassignment entry %d: broker %d is not registered", idx,
				 m->replicas[k]);
			return 1;
		}
	}
	return 0;
}

static void gctl_move_put(struct zbuf *b, const struct gctl_move *m, int first)
{
	zb_puts(b, first ? "{\"topic\":" : ",{\"topic\":");
	zb_jstr(b, m->topic);
	zb_printf(b, ",\"partition\":%d,\"replicas\":[", m->partition);
	for (int k = 0; k < m->n; k++)
		zb_printf(b, "%s%d", k ? "," : "", m->replicas[k]);
	zb_puts(b, "]}");
}

static int gctl_move_dup(const struct gctl_move *ms, int n, const struct gctl_move *m)
{
	for (int k = 0; k < n; k++)
		if (ms[k].partition == m->partition && strcmp(ms[k].topic, m->topic) == 0)
			return 1;
	return 0;
}

/* Validates every entry and re-serializes them into b. */
static int gctl_reassign_build(struct gctl *g, const struct zjson *j, struct zbuf *b)
{
	int arr = zj_get(j, 0, "partitions"), n = 0, rc = 0;
	if (zj_type(j, arr) != ZJ_ARR || j->t[arr].count < 1) {
		gctl_err("%s: needs a non-empty \"partitions\" array", g->o.file);
		return 1;
	}
	int32_t *live = NULL;
	int n_live = gctl_live_brokers(g, &live);
	struct gctl_move *ms = calloc((size_t)j->t[arr].count, sizeof *ms);
	if (n_live < 0 || !ms) {
		free(live);
		free(ms);
		return 1;
	}
	zb_puts(b, "{\"version\":1,\"partitions\":[");
	for (int k = 0; k < j->t[arr].count && !rc; k++) {
		rc = gctl_move_parse(j, zj_at(j, arr, k), k, &ms[n]) ||
		     gctl_move_check(g, &ms[n], k, live, n_live);
		if (!rc && gctl_move_dup(ms, n, &ms[n])) {
			gctl_err("reassignment entry %d: %s-%d appears twice", k,
				 ms[n].topic, ms[n].partition);
			rc = 1;
		}
		if (!rc)
			gctl_move_put(b, &ms[n], n == 0);
		n++;
	}
	zb_puts(b, "]}");
	free(ms);
	free(live);
	return rc;
}

static int gctl_reassign(struct gctl *g)
{
	size_t len;
	if (!g->o.file) {
		gctl_err("partitions reassign needs --file");
		return 1;
	}
	char *data = gctl_read_file(g->o.file, &len);
	if (!data)
		return 1;
	struct zjson j;
	struct zbuf b;
	zb_init(&b);
	/* the tokens point into data: it lives until zj_free */
	int rc = zj_parse(&j, data, len);
	if (rc) {
		free(data);
		gctl_err("%s is not valid JSON", g->o.file);
		return 1;
	}
	rc = gctl_reassign_build(g, &j, &b);
	zj_free(&j);
	free(data);
	if (!rc)
		rc = gctl_create_admin(g, "/admin/reassign_partitions", &b,
				       "a partition reassignment is in progress");
	if (!rc)
		printf("Started reassignment of partitions.\n");
	zb_free(&b);
	return rc != 0;
}

int gctl_cmd_partitions(struct gctl *g, const char *cmd)
{
	if (strcmp(cmd, "elect-preferred") == 0)
		return gctl_elect_preferred(g);
	if (strcmp(cmd, "reassign") == 0)
		return gctl_reassign(g);
	gctl_err("unknown partitions command '%s' (elect-preferred, reassign)", cmd);
	return 1;
}
