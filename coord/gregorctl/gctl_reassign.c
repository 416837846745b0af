/* gregorctl reassign's plan logic, the same over --bootstrap-server and
 * --zookeeper: --generate (the current assignment and Kafka's rack-unaware
 * proposal over --broker-list) and --throttle (the replication throttle
 * configs of a plan, set and removed). Where the current assignment comes
 * from and how configs are written is the caller's struct gctl_rsrc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "coord/assign.h"
#include "coord/gregorctl/gctl.h"
#include "coord/zjson.h"

#define GR_MAX_BROKERS 256

static int gr_int_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int gr_part_cmp(const void *a, const void *b)
{
	return gr_int_cmp(&((const struct zn_assign *)a)->partition,
			  &((const struct zn_assign *)b)->partition);
}

/* The topic's partitions, sorted; 0 or 1 (printed, a missing topic too). */
static int gr_current(const struct gctl_rsrc *s, const char *topic, struct zn_assign **as, int *n)
{
	int rc = s->current(s->ctx, topic, as, n);
	if (rc == GCTL_NONODE)
		return gctl_err("topic '%s' does not exist", topic), 1;
	if (rc)
		return 1;
	qsort(*as, (size_t)*n, sizeof **as, gr_part_cmp);
	return 0;
}

/* {"topics":[{"topic":"t"},...],"version":1} into names (malloc'd). */
static int gr_topics_to_move(const char *file, char ***names, int *n)
{
	size_t len;
	char *data = gctl_read_file(file, &len);
	if (!data)
		return 1;
	struct zjson j;
	int rc = 1;
	*n = 0;
	*names = NULL;
	if (zj_parse(&j, data, len) == 0) {
		int arr = zj_get(&j, 0, "topics");
		int cnt = zj_type(&j, arr) == ZJ_ARR ? j.t[arr].count : -1;
		*names = cnt > 0 ? calloc((size_t)cnt, sizeof **names) : NULL;
		for (int i = 0; *names && i < cnt; i++) {
			char t[256];
			int e = zj_at(&j, arr, i);
			if (zj_str(&j, zj_get(&j, e, "topic"), t, sizeof t) || !((*names)[*n] = strdup(t)))
				break;
			(*n)++;
		}
		rc = cnt <= 0 || *n != cnt;
		zj_free(&j);
	}
	free(data);
	if (rc)
		gctl_err("%s: not {\"topics\":[{\"topic\":\"t\"},...],\"version\":1}", file);
	return rc;
}

static void gr_put_assignment(struct zbuf *b, const char *topic, int32_t part, const int32_t *r,
			      int n, int first)
{
	zb_puts(b, first ? "{\"topic\":" : ",{\"topic\":");
	zb_jstr(b, topic);
	zb_printf(b, ",\"partition\":%d,\"replicas\":[", part);
	for (int i = 0; i < n; i++)
		zb_printf(b, "%s%d", i ? "," : "", r[i]);
	zb_puts(b, "],\"log_dirs\":[");
	for (int i = 0; i < n; i++)
		zb_puts(b, i ? ",\"any\"" : "\"any\"");
	zb_puts(b, "]}");
}

static int gr_generate_topic(const struct gctl_rsrc *s, const char *name, const int32_t *brokers,
			     int nb, struct zbuf *cur, struct zbuf *prop, int *first)
{
	struct zn_assign *as, *to;
	int n;
	if (gr_current(s, name, &as, &n))
		return 1;
	int rf = n ? as[0].n_replicas : 0, rc = 1;
	if (rf > nb)
		gctl_err("topic '%s' has replication factor %d, more than the %d brokers in "
			 "--broker-list", name, rf, nb);
	else if (!(to = calloc((size_t)n + 1, sizeof *to)))
		gctl_err("out of memory");
	else {
		/* partitions are 0..n-1, so to[] is indexed by partition */
		rc = assign_replicas(brokers, nb, n, rf, 0, rand() % nb, rand() % nb, to) != 0;
		for (int i = 0; !rc && i < n && as[i].partition < n; i++) {
			gr_put_assignment(cur, name, as[i].partition, as[i].replicas, as[i].n_replicas,
					  *first);
			gr_put_assignment(prop, name, as[i].partition, to[as[i].partition].replicas, rf,
					  *first);
			*first = 0;
		}
		if (rc)
			gctl_err("cannot assign %s's replicas", name);
		free(to);
	}
	free(as);
	return rc;
}

/* --broker-list "1,2,3": distinct ids, ascending, each registered. Count,
 * or -1 (usage error printed) / -2 (an unknown broker, printed). */
static int gr_broker_list(const struct gctl_rsrc *s, const char *list, int32_t *out)
{
	int nb = 0;
	for (const char *p = list; *p && nb < GR_MAX_BROKERS;) {
		char *e;
		long v = strtol(p, &e, 10);
		if (e == p || v < 0 || v > INT32_MAX || (*e && *e != ','))
			return gctl_err("--broker-list: '%s' is not ids like 1,2,3", list), -1;
		if (!gctl_contains(out, nb, (int32_t)v))
			out[nb++] = (int32_t)v;
		p = *e ? e + 1 : e;
	}
	for (int i = 0; i < nb; i++)
		if (!gctl_contains(s->brokers, s->n_brokers, out[i]))
			return gctl_err("--broker-list: broker %d is not registered in the cluster",
					out[i]), -2;
	qsort(out, (size_t)nb, sizeof *out, gr_int_cmp);
	return nb;
}

int gctl_reassign_generate(const struct gctl_opts *o, const struct gctl_rsrc *s)
{
	if (!o->topics_to_move || !o->broker_list)
		return gctl_err("--generate needs --topics-to-move-json-file and --broker-list"),
		       GCTL_EXIT_USAGE;
	int32_t brokers[GR_MAX_BROKERS];
	int nb = gr_broker_list(s, o->broker_list, brokers);
	if (nb <= 0)
		return nb == -2 ? GCTL_EXIT_FAIL : GCTL_EXIT_USAGE;
	char **names;
	int nt, rc = 0, first = 1;
	if (gr_topics_to_move(o->topics_to_move, &names, &nt))
		return 1;
	struct zbuf cur, prop;
	zb_init(&cur);
	zb_init(&prop);
	zb_puts(&cur, "{\"version\":1,\"partitions\":[");
	zb_puts(&prop, "{\"version\":1,\"partitions\":[");
	srand((unsigned)clock_mono_ms());
	for (int i = 0; i < nt && !rc; i++)
		rc = gr_generate_topic(s, names[i], brokers, nb, &cur, &prop, &first);
	zb_puts(&cur, "]}");
	zb_puts(&prop, "]}");
	if (!rc && !cur.oom && !prop.oom)
		printf("Current partition replica assignment\n%s\n\nProposed partition reassignment "
		       "configuration\n%s\n", cur.p, prop.p);
	for (int i = 0; i < nt; i++)
		free(names[i]);
	free(names);
	zb_free(&cur);
	zb_free(&prop);
	return rc;
}

/* ---- throttles (kafka-reassign-partitions --throttle) ---- */

static const struct zn_assign *gr_find(const struct zn_assign *as, int n, int32_t part)
{
	for (int i = 0; i < n; i++)
		if (as[i].partition == part)
			return &as[i];
	return NULL;
}

/* One topic's "p:b,p:b" lists: leader side the current replicas, follower
 * side the new ones not yet replicas, as Kafka's tool writes them; the
 * brokers either side names are added to ids. 0 or 1 (printed). */
static int gr_throttle_lists(const struct gctl_rsrc *s, const struct zn_tp *v, int n,
			     const char *topic, struct zbuf *lead, struct zbuf *follow,
			     int32_t *ids, int *nb)
{
	struct zn_assign *as;
	int na;
	if (gr_current(s, topic, &as, &na))
		return 1;
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i].topic, topic))
			continue;
		const struct zn_assign *cur = gr_find(as, na, v[i].partition);
		int nc = cur ? cur->n_replicas : 0;
		for (int j = 0; j < nc; j++) {
			zb_printf(lead, "%s%d:%d", lead->len ? "," : "", v[i].partition, cur->replicas[j]);
			if (!gctl_contains(ids, *nb, cur->replicas[j]) && *nb < GR_MAX_BROKERS)
				ids[(*nb)++] = cur->replicas[j];
		}
		for (int j = 0; j < v[i].n_replicas; j++) {
			if (!cur || !gctl_contains(cur->replicas, nc, v[i].replicas[j]))
				zb_printf(follow, "%s%d:%d", follow->len ? "," : "", v[i].partition,
					  v[i].replicas[j]);
			if (!gctl_contains(ids, *nb, v[i].replicas[j]) && *nb < GR_MAX_BROKERS)
				ids[(*nb)++] = v[i].replicas[j];
		}
	}
	free(as);
	return lead->oom || follow->oom;
}

static int gr_first_of_topic(const struct zn_tp *v, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(v[j].topic, v[i].topic) == 0)
			return 0;
	return 1;
}

int gctl_reassign_throttle(const struct gctl_rsrc *s, const struct zn_tp *v, int n, int64_t rate)
{
	static const char *const bkeys[] = { "leader.replication.throttled.rate",
					     "follower.replication.throttled.rate" };
	static const char *const tkeys[] = { "leader.replication.throttled.replicas",
					     "follower.replication.throttled.replicas" };
	int32_t ids[GR_MAX_BROKERS];
	int nb = 0, rc = 0;
	char rs[24], id[16];
	snprintf(rs, sizeof rs, "%lld", (long long)rate);
	const char *const rv[] = { rs, rs };
	/* topics first: their lists name the brokers the move involves */
	for (int i = 0; i < n; i++) {
		if (!gr_first_of_topic(v, i))
			continue;
		struct zbuf lead, follow;
		zb_init(&lead);
		zb_init(&follow);
		int bad = rate >= 0 && gr_throttle_lists(s, v, n, v[i].topic, &lead, &follow, ids, &nb);
		const char *const tv[] = { lead.p ? lead.p : "", follow.p ? follow.p : "" };
		rc |= bad || s->configs(s->ctx, 0, v[i].topic, tkeys, rate >= 0 ? tv : NULL, 2);
		zb_free(&lead);
		zb_free(&follow);
	}
	/* the rates: set on the brokers involved; cleared on every broker, as
	 * Kafka's tool does (the ones involved then may be gone from the plan) */
	if (rate < 0)
		nb = 0;
	for (int i = 0; rate < 0 && i < s->n_brokers && nb < GR_MAX_BROKERS; i++)
		ids[nb++] = s->brokers[i];
	for (int i = 0; i < nb && (rate < 0 || !rc); i++) {
		snprintf(id, sizeof id, "%d", ids[i]);
		rc |= s->configs(s->ctx, 1, id, bkeys, rate >= 0 ? rv : NULL, 2);
	}
	if (!rc && rate >= 0)
		printf("The inter-broker throttle limit was set to %lld B/s\n", (long long)rate);
	else if (!rc)
		printf("Throttle was removed.\n");
	return rc;
}
