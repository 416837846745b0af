/* gregorctl groups: list, describe, reset-offsets and delete consumer
 * groups over the Kafka protocol, as kafka-consumer-groups.sh does: groups
 * live on their coordinators (FindCoordinator), committed offsets come from
 * OffsetFetch and log-end offsets from ListOffsets on each leader. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/gregorctl/gctl_text.h"
#include "coord/zjson.h"

#define GG_MAX_GROUPS 1000000
#define GG_RETRY_MS 200

static void gg_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* One partition of a described or reset group. */
struct gg_part {
	const char *topic;
	int32_t partition;
	int64_t current;   /* committed offset; -1 none */
	int64_t leo;       /* latest offset; -1 unknown */
	int64_t start;     /* earliest offset; -1 unknown */
	int member;        /* index into the members; -1 none */
};

struct gg_assign {
	const char *topic;
	int32_t n;
	int32_t *parts;
};

struct gg_member {
	const char *id, *client, *host;
	struct gg_assign *as;
	int n_as;
};

struct gg_desc {
	const char *state, *ptype, *proto;
	struct gg_member *m;
	int n_m;
	struct gg_part *p;
	int n_p;
};

static int16_t gg_err_describe(const void *r)
{
	const struct describe_groups_response *d = r;
	return d->groups.n > 0 ? ((struct describe_groups_resp_group *)d->groups.v)[0].error_code : 0;
}

static int16_t gg_err_fetch(const void *r)
{
	return ((const struct offset_fetch_response *)r)->error_code;
}

static int16_t gg_err_delete(const void *r)
{
	const struct delete_groups_response *d = r;
	return d->results.n > 0 ? ((struct delete_groups_resp_result *)d->results.v)[0].error_code : 0;
}

static int16_t gg_err_offset_delete(const void *r)
{
	const struct offset_delete_response *x = r;
	return x->error_code;
}

static int16_t gg_err_commit(const void *r)
{
	const struct offset_commit_response *c = r;
	const struct offset_commit_resp_topic *t = c->topics.v;
	for (int32_t i = 0; i < c->topics.n; i++) {
		const struct offset_commit_resp_partition *p = t[i].partitions.v;
		for (int32_t j = 0; j < t[i].partitions.n; j++)
			if (p[j].error_code)
				return p[j].error_code;
	}
	return 0;
}

/* ---- output helpers ---- */

/* Prints rows x cols cells (row 0 the header) left-aligned in columns. */
static void gg_table(const char **cells, int rows, int cols)
{
	size_t w[16] = { 0 };
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols && c < 16; c++) {
			size_t l = strlen(cells[r * cols + c]);
			w[c] = l > w[c] ? l : w[c];
		}
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			if (c == cols - 1)
				printf("%s\n", cells[r * cols + c]);
			else
				printf("%-*s ", (int)w[c], cells[r * cols + c]);
		}
	}
}

static const char *gg_num(struct gk *k, int64_t v)
{
	if (v < 0)
		return "-";
	char *s = arena_alloc(&k->a, 24);
	if (!s)
		return "?";
	snprintf(s, 24, "%lld", (long long)v);
	return s;
}

static void gg_jnum(struct zbuf *b, const char *key, int64_t v)
{
	if (v < 0)
		zb_printf(b, ",\"%s\":null", key);
	else
		zb_printf(b, ",\"%s\":%lld", key, (long long)v);
}

static int gg_write(struct zbuf *b)
{
	if (b->oom) {
		gctl_err("out of memory");
		return 1;
	}
	if (b->len)
		fwrite(b->p, 1, b->len, stdout);
	return 0;
}

static int gg_part_cmp(const void *a, const void *b)
{
	const struct gg_part *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);
	return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* ---- ListOffsets on each leader ---- */

static int32_t gg_leader(const struct gk *k, const char *topic, int32_t part)
{
	const struct metadata_resp_topic *t = gk_topic(k, topic);
	if (!t)
		return -1;
	const struct metadata_resp_partition *p = t->partitions.v;
	for (int32_t i = 0; i < t->partitions.n; i++)
		if (p[i].partition_index == part)
			return p[i].error_code ? -1 : p[i].leader_id;
	return -1;
}

/* The request for the parts (sorted) led by leader; NULL on OOM. */
static struct list_offsets_request *gg_lo_request(struct gk *k, const struct gg_part *p,
						  const int32_t *leaders, int n,
						  int32_t leader, int64_t ts)
{
	int cnt = 0;
	for (int i = 0; i < n; i++)
		cnt += leaders[i] == leader;
	struct list_offsets_request *rq = arena_alloc(&k->a, sizeof *rq);
	struct list_offsets_req_topic *t = arena_alloc(&k->a, sizeof *t * (size_t)cnt);
	struct list_offsets_req_partition *rp = arena_alloc(&k->a, sizeof *rp * (size_t)cnt);
	if (!rq || !t || !rp)
		return NULL;
	rq->replica_id = -1;
	rq->topics.v = t;
	const char *prev = NULL;
	int nt = 0, np = 0;
	for (int i = 0; i < n; i++) {
		if (leaders[i] != leader)
			continue;
		if (!prev || strcmp(prev, p[i].topic)) {
			t[nt].name = gk_kstr(p[i].topic);
			t[nt].partitions.v = &rp[np];
			nt++;
			prev = p[i].topic;
		}
		rp[np].partition_index = p[i].partition;
		rp[np].current_leader_epoch = -1;
		rp[np].timestamp = ts;
		rp[np].max_num_offsets = 1;
		t[nt - 1].partitions.n++;
		np++;
	}
	rq->topics.n = nt;
	return rq;
}

static void gg_lo_apply(struct gk *k, struct gg_part *p, int n,
			const struct list_offsets_response *r, int latest)
{
	const struct list_offsets_resp_topic *t = r->topics.v;
	for (int32_t i = 0; i < r->topics.n; i++) {
		const struct list_offsets_resp_partition *rp = t[i].partitions.v;
		struct gg_part key = { .topic = gk_cstr(k, t[i].name) };
		for (int32_t j = 0; j < t[i].partitions.n; j++) {
			key.partition = rp[j].partition_index;
			struct gg_part *hit = bsearch(&key, p, (size_t)n, sizeof *p, gg_part_cmp);
			if (!hit || rp[j].error_code)
				continue;
			if (latest)
				hit->leo = rp[j].offset;
			else
				hit->start = rp[j].offset;
		}
	}
}

/* Fills leo (latest) or start of the sorted parts with ListOffsets v2 on
 * each leader; a partition without a leader stays -1. 0, or 1 (printed)
 * when a leader cannot be reached. */
static int gg_list_offsets(struct gk *k, struct gg_part *p, int n, int latest)
{
	int32_t *leaders = arena_alloc(&k->a, sizeof *leaders * (size_t)(n + 1));
	if (!leaders)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < n; i++)
		leaders[i] = gg_leader(k, p[i].topic, p[i].partition);
	for (int i = 0; i < n; i++) {
		int32_t l = leaders[i];
		int seen = l < 0;
		for (int j = 0; j < i && !seen; j++)
			seen = leaders[j] == l;
		if (seen)
			continue;
		struct broker_channel *ch = gk_broker(k, l);
		struct list_offsets_request *rq =
			gg_lo_request(k, p, leaders, n, l, latest ? -1 : -2);
		struct list_offsets_response resp;
		if (!rq)
			return gctl_err("out of memory"), 1;
		int rc = ch ? gk_call(k, ch, GK_API_LIST_OFFSETS, 2, &list_offsets_request_msg,
				      rq, &list_offsets_response_msg, &resp) : -EHOSTUNREACH;
		if (rc) {
			gctl_err("ListOffsets on leader %d failed: %s", l,
				 rc == -EBADMSG ? "undecodable response" : strerror(-rc));
			return 1;
		}
		gg_lo_apply(k, p, n, &resp, latest);
	}
	return 0;
}

/* ---- describe ---- */

/* The consumer protocol's MemberAssignment: version i16, [topic string,
 * partitions int32[]], user data bytes (ignored). 0 or -1 if malformed. */
static int gg_decode_assignment(struct gk *k, struct kbytes b, struct gg_member *m)
{
	m->n_as = 0;
	if (b.len <= 0)
		return 0;
	struct kreader r;
	kreader_init(&r, b.p, (size_t)b.len);
	(void)kr_i16(&r);
	int32_t nt = kr_i32(&r);
	if (r.err || nt < 0 || (size_t)nt > kr_left(&r) / 6)
		return -1;
	m->as = arena_alloc(&k->a, sizeof *m->as * (size_t)(nt + 1));
	if (!m->as)
		return -1;
	for (int32_t i = 0; i < nt; i++) {
		struct kstr name = { NULL, kr_i16(&r) };
		if (r.err || name.len < 0 || !(name.p = (const char *)kr_take(&r, (size_t)name.len)))
			return -1;
		int32_t np = kr_i32(&r);
		if (r.err || np < 0 || (size_t)np > kr_left(&r) / 4)
			return -1;
		struct gg_assign *a = &m->as[m->n_as++];
		a->topic = gk_cstr(k, name);
		a->n = np;
		a->parts = arena_alloc(&k->a, sizeof *a->parts * (size_t)(np + 1));
		if (!a->parts)
			return -1;
		for (int32_t j = 0; j < np; j++)
			a->parts[j] = kr_i32(&r);
	}
	return r.err ? -1 : 0;
}

/* DescribeGroups v5 of o.group into d (members decoded). 0, or 1 printed;
 * a missing group (GROUP_ID_NOT_FOUND or state Dead) is *dead = 1. */
static int gg_describe_group(struct gctl *g, struct gk *k, struct gg_desc *d, int *dead)
{
	struct kstr name = gk_kstr(g->o.group);
	struct describe_groups_request req = { .groups = { 1, &name } };
	struct describe_groups_response resp;
	if (gk_group_call(k, g->o.group, GK_API_DESCRIBE_GROUPS, 5, &describe_groups_request_msg,
			  &req, &describe_groups_response_msg, &resp, gg_err_describe))
		return 1;
	if (resp.groups.n != 1)
		return gctl_err("DescribeGroups answered %d groups for one", resp.groups.n), 1;
	const struct describe_groups_resp_group *gr = resp.groups.v;
	memset(d, 0, sizeof *d);
	d->state = gk_cstr(k, gr->group_state);
	*dead = gr->error_code == KERR_GROUP_ID_NOT_FOUND || strcmp(d->state, "Dead") == 0;
	if (*dead)
		return 0;
	if (gr->error_code)
		return gctl_err("group '%s': %s", g->o.group, kerr_name(gr->error_code)), 1;
	d->ptype = gk_cstr(k, gr->protocol_type);
	d->proto = gk_cstr(k, gr->protocol_data);
	d->m = arena_alloc(&k->a, sizeof *d->m * (size_t)(gr->members.n + 1));
	if (!d->m)
		return gctl_err("out of memory"), 1;
	const struct describe_groups_resp_member *mv = gr->members.v;
	int consumer = strcmp(d->ptype, "consumer") == 0;
	for (int32_t i = 0; i < gr->members.n; i++) {
		struct gg_member *m = &d->m[d->n_m++];
		m->id = gk_cstr(k, mv[i].member_id);
		m->client = gk_cstr(k, mv[i].client_id);
		m->host = gk_cstr(k, mv[i].client_host);
		if (consumer && gg_decode_assignment(k, mv[i].member_assignment, m)) {
			fprintf(stderr, "gregorctl: member %s: malformed assignment ignored\n", m->id);
			m->n_as = 0;
		}
	}
	return 0;
}

/* OffsetFetch v7 (all topics) of o.group; 0 with *out, or 1 printed. */
static int gg_fetch_offsets(struct gctl *g, struct gk *k, struct offset_fetch_response *out)
{
	struct offset_fetch_request req = { .group_id = gk_kstr(g->o.group),
					    .topics = { -1, NULL } };
	if (gk_group_call(k, g->o.group, GK_API_OFFSET_FETCH, 7, &offset_fetch_request_msg, &req,
			  &offset_fetch_response_msg, out, gg_err_fetch))
		return 1;
	if (out->error_code)
		return gctl_err("OffsetFetch for group '%s': %s", g->o.group,
				kerr_name(out->error_code)), 1;
	return 0;
}

/* Rows: assigned partitions and committed ones, merged, sorted. */
static int gg_build_rows(struct gk *k, struct gg_desc *d, const struct offset_fetch_response *of)
{
	size_t cap = 1;
	for (int i = 0; i < d->n_m; i++)
		for (int j = 0; j < d->m[i].n_as; j++)
			cap += (size_t)d->m[i].as[j].n;
	const struct offset_fetch_resp_topic *t = of->topics.v;
	for (int32_t i = 0; i < of->topics.n; i++)
		cap += (size_t)t[i].partitions.n;
	struct gg_part *p = arena_alloc(&k->a, sizeof *p * cap);
	if (!p)
		return -1;
	int n = 0;
	for (int i = 0; i < d->n_m; i++)
		for (int j = 0; j < d->m[i].n_as; j++)
			for (int32_t x = 0; x < d->m[i].as[j].n; x++)
				p[n++] = (struct gg_part){ d->m[i].as[j].topic,
							   d->m[i].as[j].parts[x], -1, -1, -1, i };
	for (int32_t i = 0; i < of->topics.n; i++) {
		const struct offset_fetch_resp_partition *fp = t[i].partitions.v;
		for (int32_t j = 0; j < t[i].partitions.n; j++)
			if (!fp[j].error_code && fp[j].committed_offset >= 0)
				p[n++] = (struct gg_part){ gk_cstr(k, t[i].name), fp[j].partition_index,
							   fp[j].committed_offset, -1, -1, -1 };
	}
	qsort(p, (size_t)n, sizeof *p, gg_part_cmp);
	int out = 0;
	for (int i = 0; i < n; i++) {
		if (out && gg_part_cmp(&p[out - 1], &p[i]) == 0) {
			struct gg_part *q = &p[out - 1];
			q->current = q->current >= 0 ? q->current : p[i].current;
			q->member = q->member >= 0 ? q->member : p[i].member;
			continue;
		}
		p[out++] = p[i];
	}
	d->p = p;
	d->n_p = out;
	return 0;
}

static int64_t gg_lag(const struct gg_part *p)
{
	return p->current >= 0 && p->leo >= 0 ? (p->leo > p->current ? p->leo - p->current : 0) : -1;
}

static void gg_describe_json(const struct gctl *g, const struct gg_desc *d, struct zbuf *b)
{
	zb_puts(b, "{\"group\":");
	zb_jstr(b, g->o.group);
	zb_puts(b, ",\"state\":");
	zb_jstr(b, d->state);
	zb_puts(b, ",\"protocol_type\":");
	zb_jstr(b, d->ptype);
	zb_puts(b, ",\"protocol\":");
	zb_jstr(b, d->proto);
	zb_puts(b, ",\"members\":[");
	for (int i = 0; i < d->n_m; i++) {
		const struct gg_member *m = &d->m[i];
		zb_puts(b, i ? ",{\"consumer_id\":" : "{\"consumer_id\":");
		zb_jstr(b, m->id);
		zb_puts(b, ",\"client_id\":");
		zb_jstr(b, m->client);
		zb_puts(b, ",\"host\":");
		zb_jstr(b, m->host);
		zb_puts(b, ",\"assignment\":[");
		for (int j = 0; j < m->n_as; j++) {
			zb_puts(b, j ? ",{\"topic\":" : "{\"topic\":");
			zb_jstr(b, m->as[j].topic);
			zb_puts(b, ",\"partitions\":[");
			for (int32_t x = 0; x < m->as[j].n; x++)
				zb_printf(b, "%s%d", x ? "," : "", m->as[j].parts[x]);
			zb_puts(b, "]}");
		}
		zb_puts(b, "]}");
	}
	zb_puts(b, "],\"partitions\":[");
	for (int i = 0; i < d->n_p; i++) {
		const struct gg_part *p = &d->p[i];
		zb_puts(b, i ? ",{\"topic\":" : "{\"topic\":");
		zb_jstr(b, p->topic);
		zb_printf(b, ",\"partition\":%d", p->partition);
		gg_jnum(b, "current_offset", p->current);
		gg_jnum(b, "log_end_offset", p->leo);
		gg_jnum(b, "lag", gg_lag(p));
		const struct gg_member *m = p->member >= 0 ? &d->m[p->member] : NULL;
		const char *keys[3] = { "consumer_id", "host", "client_id" };
		const char *vals[3] = { m ? m->id : NULL, m ? m->host : NULL, m ? m->client : NULL };
		for (int x = 0; x < 3; x++) {
			zb_printf(b, ",\"%s\":", keys[x]);
			if (vals[x])
				zb_jstr(b, vals[x]);
			else
				zb_puts(b, "null");
		}
		zb_puts(b, "}");
	}
	zb_puts(b, "]}\n");
}

/* Without --state, --members or --offsets all three parts are shown;
 * with any of them, only the parts named (as kafka-consumer-groups). */
static int gg_describe_text(struct gctl *g, struct gk *k, const struct gg_desc *d)
{
	int any = g->o.state || g->o.members || g->o.offsets;
	if (!any || g->o.state)
		printf("Consumer group '%s': state %s, protocol type %s, protocol %s, %d member(s)\n",
		       g->o.group, d->state, *d->ptype ? d->ptype : "-", *d->proto ? d->proto : "-",
		       d->n_m);
	const char **c = arena_alloc(&k->a, sizeof *c * 9 * (size_t)(d->n_p + d->n_m + 1));
	if (!c)
		return gctl_err("out of memory"), 1;
	static const char *const hdr[9] = { "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET",
					    "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
					    "CLIENT-ID" };
	memcpy(c, hdr, sizeof hdr);
	for (int i = 0; i < d->n_p; i++) {
		const struct gg_part *p = &d->p[i];
		const struct gg_member *m = p->member >= 0 ? &d->m[p->member] : NULL;
		const char **r = &c[9 * (i + 1)];
		r[0] = g->o.group;
		r[1] = p->topic;
		r[2] = gg_num(k, p->partition);
		r[3] = gg_num(k, p->current);
		r[4] = gg_num(k, p->leo);
		r[5] = gg_num(k, gg_lag(p));
		r[6] = m ? m->id : "-";
		r[7] = m ? m->host : "-";
		r[8] = m ? m->client : "-";
	}
	if (d->n_p && (!any || g->o.offsets)) {
		if (!any || g->o.state)
			putchar('\n');
		gg_table(c, d->n_p + 1, 9);
	}
	/* members without partitions appear only here */
	if (d->n_m && (!any || g->o.members)) {
		static const char *const mh[4] = { "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS" };
		memcpy(c, mh, sizeof mh);
		for (int i = 0; i < d->n_m; i++) {
			int64_t np = 0;
			for (int j = 0; j < d->m[i].n_as; j++)
				np += d->m[i].as[j].n;
			const char **r = &c[4 * (i + 1)];
			r[0] = d->m[i].id;
			r[1] = d->m[i].host;
			r[2] = d->m[i].client;
			r[3] = gg_num(k, np);
		}
		if (!any || g->o.state || g->o.offsets)
			putchar('\n');
		gg_table(c, d->n_m + 1, 4);
	}
	return 0;
}

static int gg_describe(struct gctl *g, struct gk *k)
{
	struct gg_desc d;
	struct offset_fetch_response of;
	int dead;
	if (gg_describe_group(g, k, &d, &dead))
		return 1;
	if (dead)
		return gctl_err("consumer group '%s' does not exist", g->o.group), 1;
	if (gg_fetch_offsets(g, k, &of))
		return 1;
	if (gg_build_rows(k, &d, &of))
		return gctl_err("out of memory"), 1;
	if (gg_list_offsets(k, d.p, d.n_p, 1))
		return 1;
	if (!g->o.json)
		return gg_describe_text(g, k, &d);
	struct zbuf b;
	zb_init(&b);
	gg_describe_json(g, &d, &b);
	int rc = gg_write(&b);
	zb_free(&b);
	return rc;
}

/* ---- list ---- */

struct gg_listed {
	const char *id, *state, *ptype;
};

static int gg_listed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gg_listed *)a)->id, ((const struct gg_listed *)b)->id);
}

/* ListGroups v4 on one broker, appended to *v; 0 or -errno / Kafka error. */
static int gg_list_broker(struct gk *k, struct broker_channel *ch, struct gg_listed **v,
			  int *n, int *cap)
{
	struct list_groups_request req = { .states_filter = { 0, NULL } };
	struct list_groups_response resp;
	int64_t deadline = clock_mono_ms() + (int64_t)k->o->timeout_s * 1000;
	int rc;
	/* a broker still loading its __consumer_offsets partitions says so */
	while ((rc = gk_call(k, ch, GK_API_LIST_GROUPS, 4, &list_groups_request_msg, &req,
			     &list_groups_response_msg, &resp)) == 0 &&
	       resp.error_code == KERR_COORDINATOR_LOAD_IN_PROGRESS &&
	       clock_mono_ms() + GG_RETRY_MS < deadline)
		gg_sleep_ms(GG_RETRY_MS);
	if (rc)
		return rc;
	if (resp.error_code)
		return resp.error_code;
	const struct list_groups_resp_group *gv = resp.groups.v;
	for (int32_t i = 0; i < resp.groups.n; i++) {
		if (*n == *cap) {
			int nc = *cap ? *cap * 2 : 16;
			struct gg_listed *nv = nc <= GG_MAX_GROUPS ? realloc(*v, sizeof *nv * (size_t)nc) : NULL;
			if (!nv)
				return -ENOMEM;
			*v = nv;
			*cap = nc;
		}
		(*v)[(*n)++] = (struct gg_listed){ gk_cstr(k, gv[i].group_id),
						   gk_cstr(k, gv[i].group_state),
						   gk_cstr(k, gv[i].protocol_type) };
	}
	return 0;
}

static void gg_list_print(const struct gctl *g, struct gk *k, struct gg_listed *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, gg_listed_cmp);
	if (g->o.json) {
		struct zbuf b;
		zb_init(&b);
		zb_puts(&b, "{\"groups\":[");
		for (int i = 0; i < n; i++) {
			zb_puts(&b, i ? ",{\"group\":" : "{\"group\":");
			zb_jstr(&b, v[i].id);
			zb_puts(&b, ",\"state\":");
			zb_jstr(&b, v[i].state);
			zb_puts(&b, ",\"protocol_type\":");
			zb_jstr(&b, v[i].ptype);
			zb_puts(&b, "}");
		}
		zb_puts(&b, "]}\n");
		gg_write(&b);
		zb_free(&b);
		return;
	}
	const char **c = arena_alloc(&k->a, sizeof *c * 3 * (size_t)(n + 1));
	if (!c)
		return;
	c[0] = "GROUP", c[1] = "STATE", c[2] = "PROTOCOL-TYPE";
	for (int i = 0; i < n; i++) {
		c[3 * (i + 1)] = v[i].id;
		c[3 * (i + 1) + 1] = v[i].state;
		c[3 * (i + 1) + 2] = *v[i].ptype ? v[i].ptype : "-";
	}
	gg_table(c, n + 1, 3);
}

static int gg_list(struct gctl *g, struct gk *k)
{
	struct gg_listed *v = NULL;
	int n = 0, cap = 0, failed = 0, first_err = 0;
	int32_t first_id = -1;
	int nb = k->n_nodes; /* the Metadata brokers */
	for (int i = 0; i < nb; i++) {
		int rc = gg_list_broker(k, &k->nodes[i].ch, &v, &n, &cap);
		if (rc == -ENOMEM)
			return free(v), gctl_err("out of memory"), 1;
		if (rc && !failed++) {
			first_err = rc;
			first_id = k->nodes[i].id;
		}
	}
	/* a group listed twice (a coordinator move mid-listing) is shown once */
	gg_list_print(g, k, v, n);
	free(v);
	if (!failed)
		return 0;
	if (first_err < 0)
		gctl_err("%d of %d brokers did not answer ListGroups (broker %d: %s): the list "
			 "may be incomplete", failed, nb, first_id,
			 first_err == -EBADMSG ? "undecodable response" : strerror(-first_err));
	else
		gctl_err("%d of %d brokers failed ListGroups (broker %d: %s): the list may be "
			 "incomplete", failed, nb, first_id, kerr_name(first_err));
	return 1;
}

/* ---- reset-offsets ---- */

/* "t" or "t:0,1,2" into p (all partitions of t without a list). */
static int gg_add_topic(struct gk *k, const char *spec, struct gg_part *p, int *n, int cap)
{
	const char *colon = strchr(spec, ':');
	char *name = arena_alloc(&k->a, strlen(spec) + 1);
	if (!name)
		return gctl_err("out of memory"), 1;
	snprintf(name, strlen(spec) + 1, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	const struct metadata_resp_topic *t = gk_topic(k, name);
	if (!t || t->error_code)
		return gctl_err("topic '%s' does not exist", name), 1;
	const struct metadata_resp_partition *mp = t->partitions.v;
	if (!colon) {
		for (int32_t i = 0; i < t->partitions.n && *n < cap; i++)
			p[(*n)++] = (struct gg_part){ name, mp[i].partition_index, -1, -1, -1, -1 };
		return 0;
	}
	for (const char *q = colon + 1; *q && *n < cap;) {
		char *e;
		long v = strtol(q, &e, 10);
		int found = 0;
		for (int32_t i = 0; i < t->partitions.n; i++)
			found |= mp[i].partition_index == v;
		if (e == q || (*e && *e != ',') || !found)
			return gctl_err("--topic %s: no partition '%s' in %s", spec, q, name), 1;
		p[(*n)++] = (struct gg_part){ name, (int32_t)v, -1, -1, -1, -1 };
		q = *e ? e + 1 : e;
	}
	return 0;
}

/* The committed offset of (topic, partition) in of, or -1. */
static int64_t gg_committed(struct gk *k, const struct offset_fetch_response *of, const char *topic,
			    int32_t part)
{
	const struct offset_fetch_resp_topic *t = of->topics.v;
	for (int32_t i = 0; i < of->topics.n; i++) {
		if (strcmp(gk_cstr(k, t[i].name), topic))
			continue;
		const struct offset_fetch_resp_partition *p = t[i].partitions.v;
		for (int32_t j = 0; j < t[i].partitions.n; j++)
			if (p[j].partition_index == part && !p[j].error_code)
				return p[j].committed_offset;
	}
	return -1;
}

/* The partitions to reset: --topic specs, or --all-topics (every topic
 * the group has committed offsets for). Sorted. */
static int gg_reset_parts(struct gctl *g, struct gk *k, const struct offset_fetch_response *of,
			  struct gg_part **out, int *n)
{
	int cap = 0;
	const struct metadata_resp_topic *mt = k->md.topics.v;
	for (int32_t i = 0; i < k->md.topics.n; i++)
		cap += mt[i].partitions.n;
	struct gg_part *p = arena_alloc(&k->a, sizeof *p * (size_t)(cap + 1));
	if (!p)
		return gctl_err("out of memory"), 1;
	*n = 0;
	for (int i = 0; i < g->o.topics.n; i++)
		if (gg_add_topic(k, g->o.topics.v[i], p, n, cap))
			return 1;
	const struct offset_fetch_resp_topic *ft = of->topics.v;
	for (int32_t i = 0; g->o.all_topics && i < of->topics.n; i++) {
		const char *tn = gk_cstr(k, ft[i].name);
		int dup = 0;
		for (int j = 0; j < *n && !dup; j++)
			dup = strcmp(p[j].topic, tn) == 0;
		if (!dup && gk_topic(k, tn) && gg_add_topic(k, tn, p, n, cap))
			return 1;
	}
	qsort(p, (size_t)*n, sizeof *p, gg_part_cmp);
	int w = 0; /* a partition named twice is reset once */
	for (int i = 0; i < *n; i++)
		if (w == 0 || gg_part_cmp(&p[w - 1], &p[i]))
			p[w++] = p[i];
	*n = w;
	*out = p;
	if (*n == 0)
		return gctl_err("no partitions to reset"), 1;
	return 0;
}

/* Offsets at or after ts (ListOffsets by time) into each part's current;
 * a partition with no such record goes to its log end, as Kafka does. */
static int gg_offsets_for_time(struct gk *k, struct gg_part *p, int n, int64_t ts)
{
	int64_t *keep = arena_alloc(&k->a, sizeof *keep * (size_t)(n + 1));
	if (!keep)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < n; i++)
		keep[i] = p[i].start, p[i].start = -1;
	int32_t *leaders = arena_alloc(&k->a, sizeof *leaders * (size_t)(n + 1));
	if (!leaders)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < n; i++)
		leaders[i] = gg_leader(k, p[i].topic, p[i].partition);
	for (int i = 0; i < n; i++) {
		int seen = leaders[i] < 0;
		for (int j = 0; j < i && !seen; j++)
			seen = leaders[j] == leaders[i];
		if (seen)
			continue;
		struct broker_channel *ch = gk_broker(k, leaders[i]);
		struct list_offsets_request *rq = gg_lo_request(k, p, leaders, n, leaders[i], ts);
		struct list_offsets_response resp;
		if (!rq)
			return gctl_err("out of memory"), 1;
		int rc = ch ? gk_call(k, ch, GK_API_LIST_OFFSETS, 2, &list_offsets_request_msg, rq,
				      &list_offsets_response_msg, &resp) : -EHOSTUNREACH;
		if (rc)
			return gctl_err("ListOffsets on leader %d failed: %s", leaders[i],
					rc == -EBADMSG ? "undecodable response" : strerror(-rc)), 1;
		gg_lo_apply(k, p, n, &resp, 0);
	}
	for (int i = 0; i < n; i++) {
		int64_t at = p[i].start;
		p[i].start = keep[i];
		p[i].current = at >= 0 ? at : p[i].leo;
	}
	return 0;
}

/* The new offset of each part, by the mode; clamped into [start, leo]. */
static int gg_reset_compute(struct gctl *g, struct gk *k, struct gg_part *p, int n,
			    const struct offset_fetch_response *of, int64_t ts)
{
	if (gg_list_offsets(k, p, n, 1) || gg_list_offsets(k, p, n, 0))
		return 1;
	for (int i = 0; i < n; i++)
		if (p[i].leo < 0 || p[i].start < 0)
			return gctl_err("no offsets for %s-%d (no leader?)", p[i].topic, p[i].partition), 1;
	if (ts >= 0 && gg_offsets_for_time(k, p, n, ts))
		return 1;
	for (int i = 0; i < n; i++) {
		int64_t committed = gg_committed(k, of, p[i].topic, p[i].partition);
		int64_t v;
		if (g->o.to_earliest)
			v = p[i].start;
		else if (g->o.to_latest)
			v = p[i].leo;
		else if (g->o.to_offset_set)
			v = g->o.to_offset;
		else if (ts >= 0)
			v = p[i].current;
		else if (committed < 0)
			return gctl_err("%s-%d has no committed offset to %s", p[i].topic,
					p[i].partition, g->o.shift_set ? "shift" : "keep"), 1;
		else
			v = g->o.shift_set ? committed + g->o.shift_by : committed;
		/* as Kafka: an offset outside the log is clamped into its range */
		v = v > p[i].leo ? p[i].leo : v < p[i].start ? p[i].start : v;
		p[i].current = v;
	}
	return 0;
}

static int gg_commit(struct gctl *g, struct gk *k, const struct gg_part *p, int n)
{
	struct offset_commit_req_partition *cp = arena_alloc(&k->a, sizeof *cp * (size_t)(n + 1));
	struct offset_commit_req_topic *tv = arena_alloc(&k->a, sizeof *tv * (size_t)(n + 1));
	if (!cp || !tv)
		return gctl_err("out of memory"), 1;
	int nt = 0;
	for (int i = 0; i < n; i++) {
		cp[i] = (struct offset_commit_req_partition){
			.partition_index = p[i].partition, .committed_offset = p[i].current,
			.committed_leader_epoch = -1, .commit_timestamp = -1,
			.committed_metadata = gk_kstr("") };
		if (i == 0 || strcmp(p[i].topic, p[i - 1].topic))
			tv[nt++] = (struct offset_commit_req_topic){ gk_kstr(p[i].topic), { 0, &cp[i] } };
		tv[nt - 1].partitions.n++;
	}
	/* what Kafka's admin client sends for an inactive group: generation -1,
	 * no member id */
	struct offset_commit_request req = {
		.group_id = gk_kstr(g->o.group), .generation_id_or_member_epoch = -1,
		.member_id = gk_kstr(""), .group_instance_id = { NULL, -1 },
		.retention_time_ms = -1, .topics = { nt, tv } };
	struct offset_commit_response resp;
	if (gk_group_call(k, g->o.group, GK_API_OFFSET_COMMIT, 2, &offset_commit_request_msg, &req,
			  &offset_commit_response_msg, &resp, gg_err_commit))
		return 1;
	int16_t e = gg_err_commit(&resp);
	if (e)
		return gctl_err("OffsetCommit for group '%s': %s", g->o.group, kerr_name(e)), 1;
	return 0;
}

static int gg_reset_print(struct gctl *g, struct gk *k, const struct gg_part *p, int n)
{
	if (g->o.json) {
		struct zbuf b;
		zb_init(&b);
		zb_puts(&b, "{\"group\":");
		zb_jstr(&b, g->o.group);
		zb_printf(&b, ",\"executed\":%s,\"partitions\":[", g->o.execute ? "true" : "false");
		for (int i = 0; i < n; i++) {
			zb_puts(&b, i ? ",{\"topic\":" : "{\"topic\":");
			zb_jstr(&b, p[i].topic);
			zb_printf(&b, ",\"partition\":%d,\"new_offset\":%lld}", p[i].partition,
				  (long long)p[i].current);
		}
		zb_puts(&b, "]}\n");
		int rc = gg_write(&b);
		zb_free(&b);
		return rc;
	}
	const char **c = arena_alloc(&k->a, sizeof *c * 4 * (size_t)(n + 1));
	if (!c)
		return gctl_err("out of memory"), 1;
	c[0] = "GROUP", c[1] = "TOPIC", c[2] = "PARTITION", c[3] = "NEW-OFFSET";
	for (int i = 0; i < n; i++) {
		const char **r = &c[4 * (i + 1)];
		r[0] = g->o.group, r[1] = p[i].topic;
		r[2] = gg_num(k, p[i].partition), r[3] = gg_num(k, p[i].current);
	}
	gg_table(c, n + 1, 4);
	return 0;
}

/* The --to-datetime / --by-duration timestamp, -1 for other modes, or
 * -2 after a usage error (printed). */
static int64_t gg_reset_ts(const struct gctl *g)
{
	if (g->o.to_datetime) {
		int64_t t = gctl_parse_datetime(g->o.to_datetime);
		if (t < 0)
			gctl_err("--to-datetime: '%s' is not YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm]",
				 g->o.to_datetime);
		return t < 0 ? -2 : t;
	}
	if (g->o.by_duration) {
		int64_t d = gctl_parse_duration(g->o.by_duration);
		if (d < 0)
			gctl_err("--by-duration: '%s' is not an ISO-8601 duration such as PT1H30M "
				 "or P1DT12H", g->o.by_duration);
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t t = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - d;
		return d < 0 ? -2 : t < 0 ? 0 : t;
	}
	return -1;
}

static int gg_reset(struct gctl *g, struct gk *k)
{
	int modes = g->o.to_earliest + g->o.to_latest + g->o.to_offset_set + g->o.shift_set +
		    g->o.to_current + !!g->o.to_datetime + !!g->o.by_duration;
	if ((!g->o.topics.n && !g->o.all_topics) || modes != 1)
		return gctl_err("reset-offsets needs --topic T and one of --to-earliest, "
				"--to-latest, --to-offset N, --to-current, --shift-by N, "
				"--to-datetime T, --by-duration D (--all-topics for every topic "
				"the group has offsets for)"), 1;
	if (g->o.execute && g->o.dry_run)
		return gctl_err("--dry-run and --execute exclude each other"), GCTL_EXIT_USAGE;
	int64_t ts = gg_reset_ts(g);
	if (ts == -2)
		return GCTL_EXIT_USAGE;
	struct gg_desc d;
	int dead;
	if (gg_describe_group(g, k, &d, &dead))
		return 1;
	/* Kafka resets only inactive groups: Empty, or Dead (no group yet) */
	if (!dead && strcmp(d.state, "Empty") != 0)
		return gctl_err("assignments can only be reset if the group '%s' is inactive, "
				"but the current state is %s", g->o.group, d.state), 1;
	struct offset_fetch_response of;
	memset(&of, 0, sizeof of);
	if (!dead && gg_fetch_offsets(g, k, &of))
		return 1;
	struct gg_part *p;
	int n;
	if (gg_reset_parts(g, k, &of, &p, &n) || gg_reset_compute(g, k, p, n, &of, ts))
		return 1;
	if (g->o.execute && gg_commit(g, k, p, n))
		return 1;
	int rc = gg_reset_print(g, k, p, n);
	if (!g->o.execute)
		fprintf(stderr, "gregorctl: dry run: nothing committed (add --execute)\n");
	return rc;
}

/* ---- delete-offsets ---- */

static int gg_delete_offsets(struct gctl *g, struct gk *k)
{
	if (!g->o.topics.n)
		return gctl_err("delete-offsets needs --topic T[:P,P..]"), GCTL_EXIT_USAGE;
	struct offset_fetch_response none;
	memset(&none, 0, sizeof none);
	struct gg_part *p;
	int n;
	if (gg_reset_parts(g, k, &none, &p, &n))
		return 1;
	struct offset_delete_req_partition *dp = arena_alloc(&k->a, sizeof *dp * (size_t)(n + 1));
	struct offset_delete_req_topic *tv = arena_alloc(&k->a, sizeof *tv * (size_t)(n + 1));
	if (!dp || !tv)
		return gctl_err("out of memory"), 1;
	int nt = 0;
	for (int i = 0; i < n; i++) {
		dp[i].partition_index = p[i].partition;
		if (i == 0 || strcmp(p[i].topic, p[i - 1].topic))
			tv[nt++] = (struct offset_delete_req_topic){ gk_kstr(p[i].topic), { 0, &dp[i] } };
		tv[nt - 1].partitions.n++;
	}
	struct offset_delete_request req = { gk_kstr(g->o.group), { nt, tv } };
	struct offset_delete_response resp;
	if (gk_group_call(k, g->o.group, GK_API_OFFSET_DELETE, 0, &offset_delete_request_msg, &req,
			  &offset_delete_response_msg, &resp, gg_err_offset_delete))
		return 1;
	if (resp.error_code == KERR_GROUP_ID_NOT_FOUND)
		return gctl_err("consumer group '%s' does not exist", g->o.group), 1;
	if (resp.error_code)
		return gctl_err("OffsetDelete for group '%s': %s", g->o.group,
				kerr_name(resp.error_code)), 1;
	const struct offset_delete_resp_topic *rt = resp.topics.v;
	const char **c = arena_alloc(&k->a, sizeof *c * 3 * (size_t)(n + 2));
	if (!c)
		return gctl_err("out of memory"), 1;
	c[0] = "TOPIC", c[1] = "PARTITION", c[2] = "STATUS";
	int rows = 1, bad = 0;
	for (int32_t i = 0; i < resp.topics.n; i++) {
		const struct offset_delete_resp_partition *rp = rt[i].partitions.v;
		for (int32_t j = 0; j < rt[i].partitions.n && rows <= n; j++, rows++) {
			c[3 * rows] = gk_cstr(k, rt[i].name);
			c[3 * rows + 1] = gg_num(k, rp[j].partition_index);
			c[3 * rows + 2] = rp[j].error_code ? kerr_name(rp[j].error_code) : "Successful";
			bad |= rp[j].error_code != 0;
		}
	}
	printf("Request %s for deleting offsets with topic %s group %s\n",
	       bad ? "failed" : "succeed", g->o.topics.v[0], g->o.group);
	gg_table(c, rows, 3);
	return bad;
}

/* ---- delete ---- */

static int gg_delete(struct gctl *g, struct gk *k)
{
	struct kstr name = gk_kstr(g->o.group);
	struct delete_groups_request req = { .groups_names = { 1, &name } };
	struct delete_groups_response resp;
	if (gk_group_call(k, g->o.group, GK_API_DELETE_GROUPS, 1, &delete_groups_request_msg, &req,
			  &delete_groups_response_msg, &resp, gg_err_delete))
		return 1;
	if (resp.results.n != 1)
		return gctl_err("DeleteGroups answered %d results for one", resp.results.n), 1;
	int16_t e = gg_err_delete(&resp);
	if (e == KERR_GROUP_ID_NOT_FOUND)
		return gctl_err("consumer group '%s' does not exist", g->o.group), 1;
	if (e == KERR_NON_EMPTY_GROUP)
		return gctl_err("consumer group '%s' is not empty (it has active members)",
				g->o.group), 1;
	if (e)
		return gctl_err("cannot delete group '%s': %s", g->o.group, kerr_name(e)), 1;
	printf("Deletion of requested consumer groups ('%s') was successful.\n", g->o.group);
	return 0;
}

/* --all-groups: every group of every broker, into o.groups. */
static int gg_all_groups(struct gctl *g, struct gk *k)
{
	struct gg_listed *v = NULL;
	int n = 0, cap = 0;
	for (int i = 0, nb = k->n_nodes; i < nb; i++)
		if (gg_list_broker(k, &k->nodes[i].ch, &v, &n, &cap))
			return free(v), gctl_err("ListGroups on broker %d failed", k->nodes[i].id), 1;
	g->o.groups.v = realloc(g->o.groups.v, sizeof *g->o.groups.v * (size_t)(n + 1));
	if (!g->o.groups.v)
		return free(v), gctl_err("out of memory"), 1;
	qsort(v, (size_t)n, sizeof *v, gg_listed_cmp);
	g->o.groups.n = 0;
	for (int i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i].id, v[i - 1].id))
			g->o.groups.v[g->o.groups.n++] = v[i].id;
	free(v);
	return 0;
}

/* describe and delete take several groups: each in turn. */
static int gg_each_group(struct gctl *g, struct gk *k, int (*fn)(struct gctl *, struct gk *))
{
	int rc = 0;
	for (int i = 0; i < g->o.groups.n; i++) {
		g->o.group = g->o.groups.v[i];
		if (strlen(g->o.group) > INT16_MAX || !*g->o.group)
			rc |= (gctl_err("bad group id"), 1);
		else
			rc |= fn(g, k);
	}
	return rc;
}

int gctl_cmd_groups(struct gctl *g, const char *cmd)
{
	static const char *cmds[] = { "list", "describe", "reset-offsets", "delete",
				      "delete-offsets" };
	size_t c = 0;
	while (c < 5 && strcmp(cmd, cmds[c]) != 0)
		c++;
	if (c == 5)
		return gctl_err("unknown groups command '%s' (list, describe, reset-offsets, "
				"delete, delete-offsets)", cmd), GCTL_EXIT_USAGE;
	int multi = c == 1 || c == 3;
	if (c != 0 && !(multi && g->o.all_groups) &&
	    (!g->o.group || !*g->o.group || strlen(g->o.group) > INT16_MAX))
		return gctl_err("groups %s needs --group G", cmd), 1;
	if (c != 0 && !multi && g->o.groups.n > 1)
		return gctl_err("groups %s takes one --group", cmd), GCTL_EXIT_USAGE;
	struct gk k;
	if (gk_open(&k, &g->o)) {
		gk_close(&k);
		return 1;
	}
	int rc = 0;
	if (multi && g->o.all_groups)
		rc = gg_all_groups(g, &k);
	if (rc == 0)
		rc = c == 0 ? gg_list(g, &k) :
		     c == 1 ? gg_each_group(g, &k, gg_describe) :
		     c == 3 ? gg_each_group(g, &k, gg_delete) :
		     c == 2 ? gg_reset(g, &k) : gg_delete_offsets(g, &k);
	gk_close(&k);
	return rc;
}

static const struct gctl_spec cg_spec = {
	"consumer-groups",
	"bootstrap-server bootstrap command-config list describe delete reset-offsets "
	"delete-offsets group all-groups topic all-topics to-earliest to-latest to-offset "
	"shift-by to-datetime by-duration to-current dry-run execute members offsets state",
	"usage: gregorctl consumer-groups --bootstrap-server H:P ACTION [options]\n"
	"       (kafka-consumer-groups)\n"
	"  --list [--state]        group id, state, protocol type\n"
	"  --describe (--group G ... | --all-groups) [--state] [--offsets] [--members]\n"
	"                          the group's state, its committed offsets, log-end\n"
	"                          offsets and lag, its members (all three by default)\n"
	"  --delete (--group G ... | --all-groups)\n"
	"  --reset-offsets --group G (--topic T[:P,P..] ... | --all-topics)\n"
	"      (--to-earliest | --to-latest | --to-current | --to-offset N | --shift-by N |\n"
	"       --to-datetime YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm] | --by-duration PnDTnHnMnS)\n"
	"      [--dry-run | --execute]  the group must be empty; without --execute nothing\n"
	"                          is committed; offsets are clamped into the log's range\n"
	"  --delete-offsets --group G --topic T[:P,P..] ...   (OffsetDelete)\n"
	"(older form: groups list|describe|reset-offsets|delete)\n"
	"  --bootstrap-server H:P[,H:P...]  brokers to bootstrap from\n"
	"  --command-config FILE   client properties: security.protocol, ssl.*\n"
	"  --json                  machine-readable output\n"
	"  --timeout S             seconds per connection or request (default 10)\n"
	"example: gregorctl consumer-groups --bootstrap-server 127.0.0.1:9092 \\\n"
	"           --reset-offsets --group g --topic t --to-earliest --execute\n",
};

int gctl_verb_consumer_groups(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	int nw = gctl_parse(&g, argc, argv, &cg_spec, w, 1, &rc);
	if (nw < 0)
		goto out;
	if (nw > 0 && gctl_set_action(&g.o, w[0])) {
		rc = gctl_usage_err(cg_spec.verb, "conflicting actions '%s' and '%s'",
				    g.o.action, w[0]);
		goto out;
	}
	if (!g.o.action)
		rc = gctl_usage_err(cg_spec.verb, "no action given (--list, --describe, ...)");
	else if (!(rc = gctl_need_bootstrap(&g, cg_spec.verb)))
		rc = gctl_cmd_groups(&g, g.o.action);
out:
	gctl_done(&g);
	return rc;
}
