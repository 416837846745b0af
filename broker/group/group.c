/* The group state machine (see group.h), after Kafka's GroupCoordinator:
 * joins gather in PreparingRebalance until every known member rejoined or
 * the rebalance timeout passed, the leader's SyncGroup assignment is stored
 * before anyone hears it, and sessions expire members that stop
 * heartbeating outside a rebalance. */
#include "broker/group/group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"

#define GROUP_PENDING_GRACE_MS 0 /* pending ids live one session timeout */

const char *group_state_name(enum group_state s)
{
	static const char *const names[] = { "Empty", "PreparingRebalance",
					     "CompletingRebalance", "Stable", "Dead" };
	return (unsigned)s < 5 ? names[s] : "Dead";
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- members ---- */

static void protocols_free(struct group_protocol *p, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].meta);
	}
	free(p);
}

static struct group_protocol *protocols_copy(const struct group_protocol *in, int n)
{
	struct group_protocol *p = calloc((size_t)n + 1, sizeof *p);
	for (int i = 0; p && i < n; i++) {
		p[i].name = strdup(in[i].name ? in[i].name : "");
		p[i].meta_len = in[i].meta_len > 0 ? in[i].meta_len : 0;
		p[i].meta = malloc((size_t)p[i].meta_len + 1);
		if (!p[i].name || !p[i].meta) {
			protocols_free(p, i + 1);
			return NULL;
		}
		if (p[i].meta_len)
			memcpy(p[i].meta, in[i].meta, (size_t)p[i].meta_len);
	}
	return p;
}

static void member_free(struct group_member *m)
{
	free(m->member_id);
	free(m->instance_id);
	free(m->client_id);
	free(m->client_host);
	free(m->protocol_type);
	protocols_free(m->protocols, m->nprotocols);
	free(m->assignment);
	free(m);
}

struct group_member *group_member_find(const struct group *g, const char *member_id)
{
	for (int i = 0; member_id && i < g->nmembers; i++)
		if (strcmp(g->members[i]->member_id, member_id) == 0)
			return g->members[i];
	return NULL;
}

static struct group_member *static_member_find(const struct group *g, const char *instance_id)
{
	for (int i = 0; instance_id && i < g->nmembers; i++)
		if (streq(g->members[i]->instance_id, instance_id))
			return g->members[i];
	return NULL;
}

static int members_add(struct group *g, struct group_member *m)
{
	if (g->nmembers == g->capmembers) {
		int cap = g->capmembers ? g->capmembers * 2 : 8;
		void *v = realloc(g->members, (size_t)cap * sizeof *g->members);
		if (!v)
			return -1;
		g->members = v;
		g->capmembers = cap;
	}
	g->members[g->nmembers++] = m;
	if (!g->leader)
		g->leader = m->member_id;
	return 0;
}

static void join_reply_error(group_join_fn cb, void *arg, int16_t err, const char *member_id)
{
	struct group_join_result r = { .error = err, .generation = -1,
				       .member_id = member_id ? member_id : "" };
	cb(arg, &r);
}

static void sync_reply_error(group_sync_fn cb, void *arg, int16_t err)
{
	struct group_sync_result r = { .error = err };
	cb(arg, &r);
}

/* Takes m out of the group, answering its callbacks with err; a new leader
 * is the first member that has rejoined, else the first member. */
static void member_remove(struct group *g, struct group_member *m, int16_t err)
{
	int i = 0;
	while (i < g->nmembers && g->members[i] != m)
		i++;
	if (i == g->nmembers)
		return;
	memmove(&g->members[i], &g->members[i + 1], (size_t)(g->nmembers - i - 1) * sizeof m);
	g->nmembers--;
	if (m->join_fn)
		join_reply_error(m->join_fn, m->join_arg, err, m->member_id);
	if (m->sync_fn)
		sync_reply_error(m->sync_fn, m->sync_arg, err);
	if (g->leader == m->member_id) {
		g->leader = NULL;
		for (int k = 0; k < g->nmembers && !g->leader; k++)
			if (g->members[k]->join_fn)
				g->leader = g->members[k]->member_id;
		if (!g->leader && g->nmembers)
			g->leader = g->members[0]->member_id;
	}
	member_free(m);
}

/* ---- pending member ids (MEMBER_ID_REQUIRED) ---- */

static int pending_find(const struct group *g, const char *id)
{
	for (int i = 0; id && i < g->npending; i++)
		if (strcmp(g->pending[i].member_id, id) == 0)
			return i;
	return -1;
}

static void pending_del(struct group *g, int i)
{
	free(g->pending[i].member_id);
	g->pending[i] = g->pending[--g->npending];
}

static int pending_add(struct group *g, const char *id, int64_t deadline)
{
	if (g->npending == g->cappending) {
		int cap = g->cappending ? g->cappending * 2 : 8;
		void *v = realloc(g->pending, (size_t)cap * sizeof *g->pending);
		if (!v)
			return -1;
		g->pending = v;
		g->cappending = cap;
	}
	char *s = strdup(id);
	if (!s)
		return -1;
	g->pending[g->npending++] = (struct pending_member){ s, deadline };
	return 0;
}

/* ---- lifecycle ---- */

struct group *group_new(const char *id, const struct group_env *env)
{
	struct group *g = calloc(1, sizeof *g);
	if (!g || !(g->id = strdup(id))) {
		free(g);
		return NULL;
	}
	g->env = env;
	g->state = GROUP_EMPTY;
	g->state_ts = clock_wall_ms();
	strmap_init(&g->offsets);
	strmap_init(&g->commits);
	return g;
}

static void offsets_clear(struct group *g)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&g->offsets, &pos, &k, &v);) {
		struct group_offset *o = v;
		free(o->topic);
		free(o->metadata);
		free(o);
	}
	strmap_free(&g->offsets);
}

void group_free(struct group *g, int16_t err)
{
	if (!g)
		return;
	g->state = GROUP_DEAD;
	while (g->nmembers)
		member_remove(g, g->members[g->nmembers - 1], err);
	while (g->npending)
		pending_del(g, g->npending - 1);
	free(g->members);
	free(g->pending);
	free(g->protocol_type);
	free(g->protocol);
	offsets_clear(g);
	group_commit_clear(g);
	group_txn_clear(g);
	free(g->id);
	free(g);
}

static void set_state(struct group *g, enum group_state s)
{
	g->state = s;
	g->state_ts = clock_wall_ms();
}

/* ---- protocols ---- */

static int member_supports(const struct group_member *m, const char *name)
{
	for (int i = 0; i < m->nprotocols; i++)
		if (strcmp(m->protocols[i].name, name) == 0)
			return 1;
	return 0;
}

/* Supported by every member except `skip` (the one being replaced). */
static int all_support(const struct group *g, const char *name, const struct group_member *skip)
{
	for (int i = 0; i < g->nmembers; i++)
		if (g->members[i] != skip && !member_supports(g->members[i], name))
			return 0;
	return 1;
}

/* Kafka's supportsProtocols: same protocol type as the group and at least
 * one protocol every other member also supports. */
static int protocols_acceptable(const struct group *g, const struct group_join_req *r,
				const struct group_member *skip)
{
	if (!r->protocol_type || !r->protocol_type[0] || r->nprotocols <= 0)
		return 0;
	int others = g->nmembers - (skip ? 1 : 0);
	if (others <= 0)
		return 1;
	if (!streq(g->protocol_type, r->protocol_type))
		return 0;
	for (int i = 0; i < r->nprotocols; i++)
		if (all_support(g, r->protocols[i].name, skip))
			return 1;
	return 0;
}

/* Each member votes for its most preferred protocol that all support; the
 * most votes win (ties: the first candidate in the first member's order). */
static const char *select_protocol(const struct group *g)
{
	const struct group_member *first = g->members[0];
	const char *best = NULL;
	int best_votes = -1;
	for (int c = 0; c < first->nprotocols; c++) {
		const char *cand = first->protocols[c].name;
		if (!all_support(g, cand, NULL))
			continue;
		int votes = 0;
		for (int i = 0; i < g->nmembers; i++) {
			const struct group_member *m = g->members[i];
			for (int k = 0; k < m->nprotocols; k++)
				if (all_support(g, m->protocols[k].name, NULL)) {
					votes += strcmp(m->protocols[k].name, cand) == 0;
					break;
				}
		}
		if (votes > best_votes) {
			best = cand;
			best_votes = votes;
		}
	}
	return best;
}

static const struct group_protocol *member_protocol(const struct group_member *m, const char *name)
{
	for (int i = 0; name && i < m->nprotocols; i++)
		if (strcmp(m->protocols[i].name, name) == 0)
			return &m->protocols[i];
	return NULL;
}

static int same_protocols(const struct group_member *m, const struct group_join_req *r)
{
	if (m->nprotocols != r->nprotocols)
		return 0;
	for (int i = 0; i < r->nprotocols; i++) {
		const struct group_protocol *p = &m->protocols[i];
		int32_t len = r->protocols[i].meta_len > 0 ? r->protocols[i].meta_len : 0;
		if (strcmp(p->name, r->protocols[i].name) || p->meta_len != len ||
		    (len && memcmp(p->meta, r->protocols[i].meta, (size_t)len)))
			return 0;
	}
	return 1;
}

/* ---- rebalance ---- */

static int32_t max_rebalance_timeout(const struct group *g)
{
	int32_t t = 0;
	for (int i = 0; i < g->nmembers; i++)
		if (g->members[i]->rebalance_timeout_ms > t)
			t = g->members[i]->rebalance_timeout_ms;
	return t;
}

/* Answers every pending sync with err and forgets assignments (Kafka's
 * resetAndPropagateAssignmentError). */
static void reset_assignments(struct group *g, int16_t err)
{
	for (int i = 0; i < g->nmembers; i++) {
		struct group_member *m = g->members[i];
		free(m->assignment);
		m->assignment = NULL;
		m->assignment_len = 0;
		if (m->sync_fn) {
			group_sync_fn fn = m->sync_fn;
			m->sync_fn = NULL;
			sync_reply_error(fn, m->sync_arg, err);
		}
	}
}

/* why: the state-change line's reason (a member joined, left, ...). */
static void prepare_rebalance(struct group *g, int64_t now, const char *why)
{
	if (g->state == GROUP_COMPLETING_REBALANCE)
		reset_assignments(g, KERR_REBALANCE_IN_PROGRESS);
	int32_t timeout = max_rebalance_timeout(g);
	int32_t delay = g->env->cfg->initial_rebalance_delay_ms;
	g->initial_join = g->state == GROUP_EMPTY && delay > 0;
	g->new_member_added = 0;
	if (g->initial_join) {
		/* Kafka's InitialDelayedJoin waits the whole initial delay, even
		 * when the rebalance timeout is shorter (e.g. 0) */
		g->join_deadline_ms = now + delay;
		g->initial_remaining_ms = timeout > delay ? timeout - delay : 0;
	} else {
		g->join_deadline_ms = now + timeout;
	}
	for (int i = 0; i < g->nmembers; i++)
		g->members[i]->joined = 0;
	const char *from = group_state_name(g->state);
	set_state(g, GROUP_PREPARING_REBALANCE);
	log_state_rl("[GroupCoordinator id=%d] group %s: %s -> PreparingRebalance at generation "
		     "%d, %d members (reason: %s)", g->env->cfg->broker_id, log_esc(g->id), from,
		     g->generation, g->nmembers, why);
}

static void maybe_prepare_rebalance(struct group *g, int64_t now, const char *why)
{
	if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE ||
	    g->state == GROUP_EMPTY)
		prepare_rebalance(g, now, why);
}

static void empty_stored(struct group *g, int16_t err, void *arg)
{
	(void)arg;
	if (g && err)
		log_warn_rl("group", "group %s: storing empty metadata failed: %d", log_esc(g->id),
			    err);
}

static void send_join_result(struct group *g, struct group_member *m,
			     const struct group_join_member *all, int nall)
{
	int is_leader = streq(g->leader, m->member_id);
	struct group_join_result r = {
		.generation = g->generation,
		.protocol_type = g->protocol_type,
		.protocol_name = g->protocol,
		.leader = g->leader,
		.member_id = m->member_id,
		.members = is_leader ? all : NULL,
		.nmembers = is_leader ? nall : 0,
	};
	group_join_fn fn = m->join_fn;
	m->join_fn = NULL;
	fn(m->join_arg, &r);
}

static void complete_join_responses(struct group *g, int64_t now)
{
	struct group_join_member *all = calloc((size_t)g->nmembers + 1, sizeof *all);
	int n = 0;
	for (int i = 0; all && i < g->nmembers; i++) {
		const struct group_member *m = g->members[i];
		const struct group_protocol *p = member_protocol(m, g->protocol);
		all[n++] = (struct group_join_member){ m->member_id, m->instance_id,
						       p ? p->meta : NULL, p ? p->meta_len : 0 };
	}
	for (int i = 0; i < g->nmembers; i++) {
		struct group_member *m = g->members[i];
		m->hb_deadline_ms = now + m->session_timeout_ms;
		m->synced = 0;
		if (m->join_fn)
			send_join_result(g, m, all, n);
	}
	free(all);
}

/* onCompleteJoin: drop members that did not rejoin, start the next
 * generation and answer the joins. */
static void complete_join(struct group *g, int64_t now)
{
	for (int i = g->nmembers - 1; i >= 0; i--) {
		struct group_member *m = g->members[i];
		if (!m->join_fn) {
			log_info_rl("group", "group %s: member %s did not rejoin, removing",
				    log_esc(g->id), log_esc(m->member_id));
			member_remove(g, m, KERR_UNKNOWN_MEMBER_ID);
		}
	}
	if (g->leader && !group_member_find(g, g->leader))
		g->leader = g->nmembers ? g->members[0]->member_id : NULL;
	g->generation++;
	free(g->protocol);
	g->protocol = NULL;
	if (g->nmembers == 0) {
		set_state(g, GROUP_EMPTY);
		log_state_rl("[GroupCoordinator id=%d] group %s: PreparingRebalance -> Empty, "
			     "generation %d -> %d (reason: no member rejoined)",
			     g->env->cfg->broker_id, log_esc(g->id), g->generation - 1,
			     g->generation);
		g->env->store(g->env->env_arg, g, empty_stored, NULL);
		return;
	}
	const char *p = select_protocol(g);
	g->protocol = p ? strdup(p) : NULL;
	set_state(g, GROUP_COMPLETING_REBALANCE);
	g->sync_deadline_ms = now + max_rebalance_timeout(g);
	log_state_rl("[GroupCoordinator id=%d] group %s: PreparingRebalance -> "
		     "CompletingRebalance, generation %d -> %d, %d members, protocol %s, leader %s "
		     "(reason: every member rejoined or the rebalance timeout passed)",
		     g->env->cfg->broker_id, log_esc(g->id), g->generation - 1, g->generation,
		     g->nmembers, g->protocol ? log_esc(g->protocol) : "-", log_esc(g->leader));
	complete_join_responses(g, now);
}

static int all_joined(const struct group *g)
{
	if (g->npending)
		return 0;
	for (int i = 0; i < g->nmembers; i++)
		if (!g->members[i]->join_fn)
			return 0;
	return 1;
}

static void maybe_complete_join(struct group *g, int64_t now)
{
	if (g->state == GROUP_PREPARING_REBALANCE && !g->initial_join && all_joined(g))
		complete_join(g, now);
}

/* ---- JoinGroup ---- */

static void new_member_id(const char *client_id, char *out, size_t cap)
{
	uint8_t r[16] = { 0 };
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		int64_t t = clock_mono_ms() ^ (int64_t)(uintptr_t)out;
		memcpy(r, &t, sizeof t);
	}
	snprintf(out, cap,
		 "%.200s-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 client_id ? client_id : "", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
		 r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

static void member_update(struct group_member *m, const struct group_join_req *r,
			  struct group_protocol *protocols, group_join_fn cb, void *arg)
{
	protocols_free(m->protocols, m->nprotocols);
	m->protocols = protocols;
	m->nprotocols = r->nprotocols;
	m->session_timeout_ms = r->session_timeout_ms;
	m->rebalance_timeout_ms = r->rebalance_timeout_ms;
	m->join_fn = cb;
	m->join_arg = arg;
	m->joined = 1;
}

static struct group_member *member_create(const char *id, const struct group_join_req *r)
{
	struct group_member *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->member_id = strdup(id);
	m->instance_id = dupstr(r->instance_id);
	m->client_id = strdup(r->client_id ? r->client_id : "");
	m->client_host = strdup(r->client_host ? r->client_host : "");
	m->protocol_type = strdup(r->protocol_type ? r->protocol_type : "");
	if (!m->member_id || !m->client_id || !m->client_host || !m->protocol_type ||
	    (r->instance_id && !m->instance_id)) {
		member_free(m);
		return NULL;
	}
	return m;
}

static void add_member_and_rebalance(struct group *g, const char *id,
				     const struct group_join_req *r, int64_t now,
				     group_join_fn cb, void *arg)
{
	struct group_member *m = member_create(id, r);
	struct group_protocol *p = m ? protocols_copy(r->protocols, r->nprotocols) : NULL;
	if (!p || members_add(g, m) < 0) {
		protocols_free(p, p ? r->nprotocols : 0);
		if (m)
			member_free(m);
		join_reply_error(cb, arg, KERR_UNKNOWN_SERVER_ERROR, id);
		return;
	}
	if (!g->protocol_type)
		g->protocol_type = strdup(r->protocol_type);
	member_update(m, r, p, cb, arg);
	int pi = pending_find(g, id);
	if (pi >= 0)
		pending_del(g, pi);
	/* Kafka extends the initial delay only for a group's first generation;
	 * a group that emptied and refills waits one delay. */
	if (g->state == GROUP_PREPARING_REBALANCE && g->generation == 0)
		g->new_member_added = 1;
	char why[LOG_ESC_MAX + 32];
	snprintf(why, sizeof why, "member %s joined", log_esc(id));
	maybe_prepare_rebalance(g, now, why);
	maybe_complete_join(g, now);
}

static void update_member_and_rebalance(struct group *g, struct group_member *m,
					const struct group_join_req *r, int64_t now,
					group_join_fn cb, void *arg)
{
	struct group_protocol *p = protocols_copy(r->protocols, r->nprotocols);
	if (!p) {
		join_reply_error(cb, arg, KERR_UNKNOWN_SERVER_ERROR, m->member_id);
		return;
	}
	if (m->join_fn) /* a retried join replaces the older one */
		join_reply_error(m->join_fn, m->join_arg, KERR_REBALANCE_IN_PROGRESS, m->member_id);
	member_update(m, r, p, cb, arg);
	char why[LOG_ESC_MAX + 48];
	snprintf(why, sizeof why, "member %s rejoined", log_esc(m->member_id));
	maybe_prepare_rebalance(g, now, why);
	maybe_complete_join(g, now);
}

/* A static member restarted: it gets a new member id in place of the old
 * one (whose callbacks are fenced), keeping its assignment. */
static void replace_static_member(struct group *g, struct group_member *m, const char *new_id)
{
	int is_leader = g->leader == m->member_id;
	if (m->join_fn) {
		group_join_fn fn = m->join_fn;
		m->join_fn = NULL;
		join_reply_error(fn, m->join_arg, KERR_FENCED_INSTANCE_ID, m->member_id);
	}
	if (m->sync_fn) {
		group_sync_fn fn = m->sync_fn;
		m->sync_fn = NULL;
		sync_reply_error(fn, m->sync_arg, KERR_FENCED_INSTANCE_ID);
	}
	char *id = strdup(new_id);
	if (!id)
		return;
	free(m->member_id);
	m->member_id = id;
	if (is_leader)
		g->leader = id;
}

static void static_rejoin_stored(struct group *g, int16_t err, void *arg)
{
	(void)arg;
	if (g && err)
		log_warn_rl("group", "group %s: storing a static member's new id failed: %d",
			    log_esc(g->id), err);
}

static void static_member_join(struct group *g, struct group_member *m, const char *new_id,
			       const struct group_join_req *r, int64_t now,
			       group_join_fn cb, void *arg)
{
	int was_leader = g->leader == m->member_id;
	replace_static_member(g, m, new_id);
	if (g->state == GROUP_STABLE && !was_leader && same_protocols(m, r)) {
		m->hb_deadline_ms = now + m->session_timeout_ms;
		m->session_timeout_ms = r->session_timeout_ms;
		g->env->store(g->env->env_arg, g, static_rejoin_stored, NULL);
		m->join_fn = cb;
		m->join_arg = arg;
		send_join_result(g, m, NULL, 0);
		return;
	}
	update_member_and_rebalance(g, m, r, now, cb, arg);
}

static void join_unknown_member(struct group *g, const struct group_join_req *r, int64_t now,
				group_join_fn cb, void *arg)
{
	char id[300];
	new_member_id(r->client_id, id, sizeof id);
	struct group_member *old = static_member_find(g, r->instance_id);
	if (old) {
		if (!protocols_acceptable(g, r, old)) {
			join_reply_error(cb, arg, KERR_INCONSISTENT_GROUP_PROTOCOL, "");
			return;
		}
		static_member_join(g, old, id, r, now, cb, arg);
		return;
	}
	if (g->env->cfg->max_size > 0 && g->nmembers >= g->env->cfg->max_size) {
		join_reply_error(cb, arg, KERR_GROUP_MAX_SIZE_REACHED, "");
		return;
	}
	if (!r->instance_id && r->require_known_member_id) {
		if (pending_add(g, id, now + r->session_timeout_ms) < 0)
			join_reply_error(cb, arg, KERR_UNKNOWN_SERVER_ERROR, "");
		else
			join_reply_error(cb, arg, KERR_MEMBER_ID_REQUIRED, id);
		return;
	}
	add_member_and_rebalance(g, id, r, now, cb, arg);
}

static void join_known_member(struct group *g, struct group_member *m,
			      const struct group_join_req *r, int64_t now,
			      group_join_fn cb, void *arg)
{
	switch (g->state) {
	case GROUP_PREPARING_REBALANCE:
		update_member_and_rebalance(g, m, r, now, cb, arg);
		return;
	case GROUP_COMPLETING_REBALANCE:
		if (!same_protocols(m, r)) {
			update_member_and_rebalance(g, m, r, now, cb, arg);
			return;
		}
		break; /* a resent join: answer with this generation */
	case GROUP_STABLE:
		if (g->leader == m->member_id || !same_protocols(m, r)) {
			update_member_and_rebalance(g, m, r, now, cb, arg);
			return;
		}
		break;
	default:
		join_reply_error(cb, arg, KERR_UNKNOWN_MEMBER_ID, r->member_id);
		return;
	}
	m->join_fn = cb;
	m->join_arg = arg;
	m->hb_deadline_ms = now + m->session_timeout_ms;
	send_join_result(g, m, NULL, 0);
}

void group_join(struct group *g, const struct group_join_req *r, int64_t now,
		group_join_fn cb, void *arg)
{
	const struct group_config *cfg = g->env->cfg;
	int known = r->member_id && r->member_id[0];
	if (r->session_timeout_ms < cfg->min_session_timeout_ms ||
	    r->session_timeout_ms > cfg->max_session_timeout_ms) {
		join_reply_error(cb, arg, KERR_INVALID_SESSION_TIMEOUT, r->member_id);
		return;
	}
	if (g->state == GROUP_DEAD) {
		join_reply_error(cb, arg, KERR_COORDINATOR_NOT_AVAILABLE, r->member_id);
		return;
	}
	if (!known) {
		if (!static_member_find(g, r->instance_id) && !protocols_acceptable(g, r, NULL))
			join_reply_error(cb, arg, KERR_INCONSISTENT_GROUP_PROTOCOL, "");
		else
			join_unknown_member(g, r, now, cb, arg);
		return;
	}
	struct group_member *m = group_member_find(g, r->member_id);
	struct group_member *sm = static_member_find(g, r->instance_id);
	if (r->instance_id && sm && sm != m) {
		join_reply_error(cb, arg, KERR_FENCED_INSTANCE_ID, r->member_id);
		return;
	}
	if (!m && pending_find(g, r->member_id) >= 0) {
		if (!protocols_acceptable(g, r, NULL))
			join_reply_error(cb, arg, KERR_INCONSISTENT_GROUP_PROTOCOL, r->member_id);
		else
			add_member_and_rebalance(g, r->member_id, r, now, cb, arg);
		return;
	}
	if (!m) {
		join_reply_error(cb, arg, KERR_UNKNOWN_MEMBER_ID, r->member_id);
		return;
	}
	if (!protocols_acceptable(g, r, m)) {
		join_reply_error(cb, arg, KERR_INCONSISTENT_GROUP_PROTOCOL, r->member_id);
		return;
	}
	join_known_member(g, m, r, now, cb, arg);
}

/* ---- SyncGroup ---- */

static int set_assignment(struct group_member *m, const uint8_t *data, int32_t len)
{
	uint8_t *a = malloc(len > 0 ? (size_t)len : 1);
	if (!a)
		return -1;
	if (len > 0)
		memcpy(a, data, (size_t)len);
	free(m->assignment);
	m->assignment = a;
	m->assignment_len = len > 0 ? len : 0;
	return 0;
}

static void sync_reply(struct group *g, struct group_member *m)
{
	struct group_sync_result r = { 0, g->protocol_type, g->protocol, m->assignment,
				       m->assignment_len };
	group_sync_fn fn = m->sync_fn;
	m->sync_fn = NULL;
	if (fn)
		fn(m->sync_arg, &r);
}

static void assignment_stored(struct group *g, int16_t err, void *arg)
{
	int32_t generation = (int32_t)(intptr_t)arg;
	if (!g || g->state != GROUP_COMPLETING_REBALANCE || g->generation != generation)
		return;
	if (err) {
		log_warn_rl("group", "group %s: storing generation %d failed: %d", log_esc(g->id),
			    generation, err);
		reset_assignments(g, group_store_error(err));
		prepare_rebalance(g, clock_mono_ms(), "storing the assignment failed");
		return;
	}
	set_state(g, GROUP_STABLE);
	for (int i = 0; i < g->nmembers; i++)
		sync_reply(g, g->members[i]);
}

static int apply_assignments(struct group *g, const struct group_sync_req *r)
{
	for (int i = 0; i < g->nmembers; i++)
		if (set_assignment(g->members[i], NULL, 0) < 0)
			return -1;
	for (int k = 0; k < r->nassignments; k++) {
		struct group_member *m = group_member_find(g, r->assignments[k].member_id);
		if (m && set_assignment(m, r->assignments[k].data, r->assignments[k].len) < 0)
			return -1;
	}
	return 0;
}

static int16_t sync_check(const struct group *g, const struct group_member *m,
			  const struct group_sync_req *r)
{
	if (g->state == GROUP_DEAD)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct group_member *sm = static_member_find(g, r->instance_id);
	if (r->instance_id && sm && sm != m)
		return KERR_FENCED_INSTANCE_ID;
	if (!m)
		return KERR_UNKNOWN_MEMBER_ID;
	if (r->generation != g->generation)
		return KERR_ILLEGAL_GENERATION;
	if ((r->protocol_type && !streq(r->protocol_type, g->protocol_type)) ||
	    (r->protocol_name && !streq(r->protocol_name, g->protocol)))
		return KERR_INCONSISTENT_GROUP_PROTOCOL;
	if (g->state == GROUP_EMPTY)
		return KERR_UNKNOWN_MEMBER_ID;
	if (g->state == GROUP_PREPARING_REBALANCE)
		return KERR_REBALANCE_IN_PROGRESS;
	return 0;
}

void group_sync(struct group *g, const struct group_sync_req *r, int64_t now,
		group_sync_fn cb, void *arg)
{
	struct group_member *m = group_member_find(g, r->member_id);
	int16_t err = sync_check(g, m, r);
	if (err) {
		sync_reply_error(cb, arg, err);
		return;
	}
	m->hb_deadline_ms = now + m->session_timeout_ms;
	if (g->state == GROUP_STABLE) {
		m->sync_fn = cb;
		m->sync_arg = arg;
		sync_reply(g, m);
		return;
	}
	if (m->sync_fn) /* a retried sync replaces the older one */
		sync_reply_error(m->sync_fn, m->sync_arg, KERR_REBALANCE_IN_PROGRESS);
	m->sync_fn = cb;
	m->sync_arg = arg;
	m->synced = 1;
	if (g->leader != m->member_id || g->sync_deadline_ms == INT64_MAX)
		return;
	if (apply_assignments(g, r) < 0) {
		reset_assignments(g, KERR_UNKNOWN_SERVER_ERROR);
		prepare_rebalance(g, now, "the leader's assignment could not be applied");
		return;
	}
	g->sync_deadline_ms = INT64_MAX; /* the leader answered; the store decides now */
	g->env->store(g->env->env_arg, g, assignment_stored, (void *)(intptr_t)g->generation);
}

/* ---- Heartbeat, LeaveGroup ---- */

static int16_t member_check(const struct group *g, const struct group_member *m,
			    const char *member_id, const char *instance_id)
{
	(void)member_id;
	if (g->state == GROUP_DEAD)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct group_member *sm = static_member_find(g, instance_id);
	if (instance_id && sm && sm != m)
		return KERR_FENCED_INSTANCE_ID;
	if (!m)
		return KERR_UNKNOWN_MEMBER_ID;
	return 0;
}

int16_t group_heartbeat(struct group *g, const char *member_id, const char *instance_id,
			int32_t generation, int64_t now)
{
	struct group_member *m = group_member_find(g, member_id);
	int16_t err = member_check(g, m, member_id, instance_id);
	if (err)
		return err;
	if (g->state == GROUP_EMPTY)
		return KERR_UNKNOWN_MEMBER_ID;
	if (generation != g->generation)
		return KERR_ILLEGAL_GENERATION;
	m->hb_deadline_ms = now + m->session_timeout_ms;
	return g->state == GROUP_PREPARING_REBALANCE ? KERR_REBALANCE_IN_PROGRESS : 0;
}

static void remove_and_update(struct group *g, struct group_member *m, int64_t now,
			      const char *what)
{
	char why[LOG_ESC_MAX + 48];
	snprintf(why, sizeof why, "member %s %s", log_esc(m->member_id), what);
	member_remove(g, m, KERR_UNKNOWN_MEMBER_ID);
	if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE)
		prepare_rebalance(g, now, why);
	maybe_complete_join(g, now);
	/* a last member gone completes the (now empty) join at once */
	if (g->state == GROUP_PREPARING_REBALANCE && g->nmembers == 0 && !g->npending)
		complete_join(g, now);
}

int16_t group_leave(struct group *g, const char *member_id, const char *instance_id,
		    int64_t now)
{
	if (g->state == GROUP_DEAD)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	int pi = pending_find(g, member_id);
	if (pi >= 0 && !instance_id) {
		pending_del(g, pi);
		maybe_complete_join(g, now);
		return 0;
	}
	struct group_member *m = instance_id ? static_member_find(g, instance_id)
					     : group_member_find(g, member_id);
	if (instance_id && m && member_id && member_id[0] && !streq(m->member_id, member_id))
		return KERR_FENCED_INSTANCE_ID;
	if (!m)
		return KERR_UNKNOWN_MEMBER_ID;
	log_info_rl("group", "group %s: member %s left", log_esc(g->id), log_esc(m->member_id));
	remove_and_update(g, m, now, "left (LeaveGroup)");
	return 0;
}

/* ---- deadlines ---- */

static void expire_sessions(struct group *g, int64_t now)
{
	for (int i = g->nmembers - 1; i >= 0 && i < g->nmembers; i--) {
		struct group_member *m = g->members[i];
		if (m->join_fn || m->sync_fn || now < m->hb_deadline_ms)
			continue;
		log_info_rl("group", "group %s: member %s session expired", log_esc(g->id),
			    log_esc(m->member_id));
		remove_and_update(g, m, now, "session expired");
	}
	for (int i = g->npending - 1; i >= 0; i--)
		if (now >= g->pending[i].deadline_ms) {
			pending_del(g, i);
			maybe_complete_join(g, now);
		}
}

/* KIP-345-era pending-sync timeout: members that never sent SyncGroup
 * within the rebalance timeout are removed. */
static void expire_sync(struct group *g, int64_t now)
{
	if (g->state != GROUP_COMPLETING_REBALANCE || now < g->sync_deadline_ms)
		return;
	for (int i = g->nmembers - 1; i >= 0; i--)
		if (!g->members[i]->synced) {
			log_info_rl("group", "group %s: member %s never synced, removing",
				    log_esc(g->id), log_esc(g->members[i]->member_id));
			member_remove(g, g->members[i], KERR_UNKNOWN_MEMBER_ID);
		}
	if (g->state == GROUP_COMPLETING_REBALANCE)
		prepare_rebalance(g, now, "members did not send SyncGroup in time");
}

static void expire_join(struct group *g, int64_t now)
{
	if (g->state != GROUP_PREPARING_REBALANCE || now < g->join_deadline_ms)
		return;
	if (g->initial_join && g->new_member_added && g->initial_remaining_ms > 0) {
		int32_t delay = g->env->cfg->initial_rebalance_delay_ms;
		int32_t next = delay < g->initial_remaining_ms ? delay : g->initial_remaining_ms;
		g->initial_remaining_ms -= next;
		g->join_deadline_ms = now + next;
		g->new_member_added = 0;
		return;
	}
	complete_join(g, now);
}

void group_tick(struct group *g, int64_t now)
{
	if (g->state == GROUP_DEAD)
		return;
	expire_join(g, now);
	expire_sync(g, now);
	expire_sessions(g, now);
}

/* ---- loading ---- */

int group_load_member(struct group *g, const struct group_member *src)
{
	struct group_member *m = calloc(1, sizeof *m);
	if (!m)
		return -1;
	*m = *src;
	m->join_fn = NULL;
	m->sync_fn = NULL;
	if (members_add(g, m) < 0) {
		free(m);
		return -1;
	}
	return 0;
}

void group_load_reset(struct group *g)
{
	while (g->nmembers)
		member_remove(g, g->members[g->nmembers - 1], KERR_NOT_COORDINATOR);
	while (g->npending)
		pending_del(g, g->npending - 1);
	free(g->protocol_type);
	free(g->protocol);
	g->protocol_type = g->protocol = NULL;
	g->leader = NULL;
}

void group_load_finish(struct group *g, int64_t now)
{
	for (int i = 0; i < g->nmembers; i++)
		g->members[i]->hb_deadline_ms = now + g->members[i]->session_timeout_ms;
	if (g->nmembers)
		set_state(g, GROUP_STABLE);
	else
		g->state = GROUP_EMPTY; /* since the logged state time: retention counts from it */
}

int16_t group_store_error(int16_t err)
{
	switch (err) {
	case 0:
		return 0;
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KERR_NOT_ENOUGH_REPLICAS:
	case KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
	case KERR_REQUEST_TIMED_OUT:
		return KERR_COORDINATOR_NOT_AVAILABLE;
	case KERR_NOT_LEADER_OR_FOLLOWER:
	case KERR_KAFKA_STORAGE_ERROR:
		return KERR_NOT_COORDINATOR;
	default:
		return KERR_UNKNOWN_SERVER_ERROR;
	}
}

/* ---- invariants (group_check) ---- */

static int group_bad(const struct group *g, const char *what)
{
	log_error("group", "%s: invariant broken: %s (state %s, generation %d, %d members)",
		  g->id, what, group_state_name(g->state), g->generation, g->nmembers);
	return -1;
}

int group_check(const struct group *g, int32_t *generation_seen)
{
	if (g->generation < *generation_seen)
		return group_bad(g, "generation went back");
	*generation_seen = g->generation;
	if ((g->leader == NULL) != (g->nmembers == 0))
		return group_bad(g, "leader set without members or members without leader");
	if ((g->state == GROUP_EMPTY || g->state == GROUP_DEAD) && g->nmembers)
		return group_bad(g, "members in an Empty or Dead group");
	int found = g->leader == NULL;
	for (int i = 0; i < g->nmembers && !found; i++)
		found = g->members[i]->member_id == g->leader ||
			!strcmp(g->members[i]->member_id, g->leader);
	return found ? 0 : group_bad(g, "leader is not a member");
}
