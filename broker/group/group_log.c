/* Encoding and replay of __consumer_offsets records (see group_log.h). A
 * replayed record is untrusted: it is decoded with the bounded codec and
 * anything it does not describe fully is skipped. */
#include "broker/group/group_log.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/log.h"
#include "common/proto/messages.h"
#include "common/proto/record_batch.h"

#define OFFSET_KEY_VERSION 1
#define OFFSET_VALUE_VERSION 3
#define OFFSET_VALUE_EXPIRY_VERSION 1
#define METADATA_VALUE_VERSION 3

void glog_init(struct glog *gl)
{
	memset(gl, 0, sizeof *gl);
}

void glog_free(struct glog *gl)
{
	for (int i = 0; i < gl->n; i++) {
		kout_free(&gl->keys[i]);
		kout_free(&gl->vals[i]);
	}
	free(gl->keys);
	free(gl->vals);
	glog_init(gl);
}

/* Room for one more record; its key and value start empty. */
static int glog_slot(struct glog *gl)
{
	if (gl->oom)
		return -1;
	if (gl->n == gl->cap) {
		int cap = gl->cap ? gl->cap * 2 : 8;
		struct kout *k = realloc(gl->keys, (size_t)cap * sizeof *k);
		if (k)
			gl->keys = k;
		struct kout *v = k ? realloc(gl->vals, (size_t)cap * sizeof *v) : NULL;
		if (!v) {
			gl->oom = 1;
			return -1;
		}
		gl->vals = v;
		gl->cap = cap;
	}
	kout_init(&gl->keys[gl->n]);
	kout_init(&gl->vals[gl->n]);
	return gl->n++;
}

static void note_oom(struct glog *gl, int i)
{
	if (gl->keys[i].oom || gl->vals[i].oom)
		gl->oom = 1;
}

static struct kbytes member_subscription(const struct group *g, const struct group_member *m)
{
	for (int i = 0; i < m->nprotocols; i++)
		if (g->protocol && strcmp(m->protocols[i].name, g->protocol) == 0)
			return (struct kbytes){ m->protocols[i].meta, m->protocols[i].meta_len };
	return (struct kbytes){ (const uint8_t *)"", 0 };
}

static void fill_metadata_value(const struct group *g, struct group_metadata_value *v,
				struct group_metadata_member *mv)
{
	v->protocol_type = gc_kstr(g->protocol_type ? g->protocol_type : "");
	v->generation = g->generation;
	v->protocol = gc_kstr(g->protocol);
	v->leader = gc_kstr(g->leader);
	v->current_state_timestamp = g->state_ts;
	v->members = (struct karray){ g->nmembers, mv };
	for (int i = 0; i < g->nmembers; i++) {
		const struct group_member *m = g->members[i];
		mv[i] = (struct group_metadata_member){
			.member_id = gc_kstr(m->member_id),
			.group_instance_id = gc_kstr(m->instance_id),
			.client_id = gc_kstr(m->client_id),
			.client_host = gc_kstr(m->client_host),
			.rebalance_timeout = m->rebalance_timeout_ms,
			.session_timeout = m->session_timeout_ms,
			.subscription = member_subscription(g, m),
			.assignment = { m->assignment ? m->assignment : (const uint8_t *)"",
					m->assignment_len },
		};
	}
}

void glog_add_metadata(struct glog *gl, const struct group *g)
{
	int i = glog_slot(gl);
	struct group_metadata_member *mv = calloc((size_t)g->nmembers + 1, sizeof *mv);
	if (i < 0 || !mv) {
		gl->oom = 1;
		free(mv);
		return;
	}
	struct group_metadata_key k = { gc_kstr(g->id) };
	struct group_metadata_value v;
	fill_metadata_value(g, &v, mv);
	kcodec_encode_versioned(&group_metadata_key_msg, GROUP_METADATA_KEY_VERSION, &k, &gl->keys[i]);
	kcodec_encode_versioned(&group_metadata_value_msg, METADATA_VALUE_VERSION, &v, &gl->vals[i]);
	free(mv);
	note_oom(gl, i);
}

void glog_add_metadata_tombstone(struct glog *gl, const char *group_id)
{
	int i = glog_slot(gl);
	if (i < 0)
		return;
	struct group_metadata_key k = { gc_kstr(group_id) };
	kcodec_encode_versioned(&group_metadata_key_msg, GROUP_METADATA_KEY_VERSION, &k, &gl->keys[i]);
	note_oom(gl, i);
}

static void add_offset_key(struct glog *gl, int i, const char *group_id, const char *topic,
			   int32_t partition)
{
	struct offset_commit_key k = { gc_kstr(group_id), gc_kstr(topic), partition };
	kcodec_encode_versioned(&offset_commit_key_msg, OFFSET_KEY_VERSION, &k, &gl->keys[i]);
}

void glog_add_offset(struct glog *gl, const char *group_id, const struct gc_offset *o,
		     int64_t commit_ts)
{
	int i = glog_slot(gl);
	if (i < 0)
		return;
	add_offset_key(gl, i, group_id, o->topic, o->partition);
	struct offset_commit_value v = {
		.offset = o->offset,
		.leader_epoch = o->leader_epoch,
		.metadata = gc_kstr(o->metadata ? o->metadata : ""),
		.commit_timestamp = commit_ts,
		.expire_timestamp = o->expire_ts > 0 ? o->expire_ts : -1,
	};
	/* Only value v1 carries an explicit expiry (Kafka writes v1 then too);
	 * it has no leader epoch. */
	int16_t ver = o->expire_ts > 0 ? OFFSET_VALUE_EXPIRY_VERSION : OFFSET_VALUE_VERSION;
	kcodec_encode_versioned(&offset_commit_value_msg, ver, &v, &gl->vals[i]);
	note_oom(gl, i);
}

void glog_add_offset_tombstone(struct glog *gl, const char *group_id, const char *topic,
			       int32_t partition)
{
	int i = glog_slot(gl);
	if (i < 0)
		return;
	add_offset_key(gl, i, group_id, topic, partition);
	note_oom(gl, i);
}

static int build(struct glog *gl, int64_t now_wall_ms, int16_t attributes, int64_t producer_id,
		 int16_t producer_epoch, uint8_t **out, size_t *len)
{
	if (gl->oom || gl->n == 0)
		return -1;
	struct rb_build_record *recs = calloc((size_t)gl->n, sizeof *recs);
	size_t cap = RB_HEADER_SIZE;
	for (int i = 0; recs && i < gl->n; i++) {
		recs[i] = (struct rb_build_record){
			gl->keys[i].buf, (int32_t)gl->keys[i].len,
			gl->vals[i].buf, gl->vals[i].buf ? (int32_t)gl->vals[i].len : -1,
		};
		cap += gl->keys[i].len + gl->vals[i].len + 40;
	}
	uint8_t *buf = recs ? malloc(cap) : NULL;
	int64_t n = buf ? rb_build(buf, cap, recs, gl->n, now_wall_ms, attributes, producer_id,
				   producer_epoch, -1) : -1;
	free(recs);
	if (n < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int glog_build(struct glog *gl, int64_t now_wall_ms, uint8_t **out, size_t *len)
{
	return build(gl, now_wall_ms, 0, -1, -1, out, len);
}

int glog_build_txn(struct glog *gl, int64_t now_wall_ms, int64_t producer_id,
		   int16_t producer_epoch, uint8_t **out, size_t *len)
{
	return build(gl, now_wall_ms, RB_ATTR_TRANSACTIONAL, producer_id, producer_epoch, out, len);
}

/* ---- replay ---- */

static char *kdup(struct kstr s)
{
	return s.len < 0 ? NULL : strndup(s.p ? s.p : "", (size_t)s.len);
}

static void *bdup(struct kbytes b, int32_t *len)
{
	int32_t n = b.len > 0 ? b.len : 0;
	uint8_t *p = malloc((size_t)n + 1);
	if (p && n)
		memcpy(p, b.p, (size_t)n);
	*len = n;
	return p;
}

static struct group *group_for(struct strmap *groups, const struct group_env *env,
			       struct kstr id)
{
	struct group *g = strmap_get(groups, id.p, (size_t)id.len);
	if (g)
		return g;
	char *s = kdup(id);
	g = s ? group_new(s, env) : NULL;
	free(s);
	if (g && strmap_put(groups, g->id, strlen(g->id), g) < 0) {
		group_free(g, 0);
		return NULL;
	}
	return g;
}

/* producer_id >= 0: the record is in that producer's transaction and is
 * held pending until its marker is replayed. at: the record's offset in
 * the log (-1 unknown), kept for the marker's comparison. */
static int replay_offset(struct strmap *groups, const struct group_env *env,
			 const struct offset_commit_key *k, struct kreader *vr, int has_value,
			 int64_t producer_id, int64_t at, struct arena *a)
{
	if (k->group.len < 0 || k->topic.len < 0)
		return -1;
	struct group *g = group_for(groups, env, k->group);
	char *topic = kdup(k->topic);
	int rc = -1;
	if (g && topic && !has_value) {
		if (producer_id >= 0)
			group_txn_offset_del(g, producer_id, topic, k->partition, -1);
		else
			group_offset_del(g, topic, k->partition);
		rc = 0;
	} else if (g && topic) {
		struct offset_commit_value v;
		int16_t ver;
		if (kcodec_decode_versioned(&offset_commit_value_msg, 0, OFFSET_COMMIT_VALUE_MAX_VERSION,
					    vr, &ver, &v, a) == 0) {
			char *md = kdup(v.metadata);
			struct group_offset o = {
				topic, k->partition, v.offset, v.leader_epoch, md, v.commit_timestamp,
				producer_id < 0 && ver == OFFSET_VALUE_EXPIRY_VERSION ? v.expire_timestamp : 0,
				at,
			};
			if (producer_id >= 0)
				rc = group_txn_offset_stage(g, producer_id, &o);
			else
				rc = group_offset_apply(g, &o) < 0 ? -1 : 0;
			free(md);
		}
	}
	free(topic);
	return rc;
}

static int load_member(struct group *g, const struct group_metadata_member *mm)
{
	struct group_member m = { 0 };
	m.member_id = kdup(mm->member_id);
	m.instance_id = kdup(mm->group_instance_id);
	m.client_id = kdup(mm->client_id);
	m.client_host = kdup(mm->client_host);
	m.protocol_type = strdup(g->protocol_type ? g->protocol_type : "");
	m.rebalance_timeout_ms = mm->rebalance_timeout > 0 ? mm->rebalance_timeout
							   : mm->session_timeout;
	m.session_timeout_ms = mm->session_timeout;
	m.protocols = calloc(1, sizeof *m.protocols);
	if (m.protocols) {
		m.nprotocols = 1;
		m.protocols[0].name = strdup(g->protocol ? g->protocol : "");
		m.protocols[0].meta = bdup(mm->subscription, &m.protocols[0].meta_len);
	}
	m.assignment = bdup(mm->assignment, &m.assignment_len);
	if (!m.member_id || !m.client_id || !m.client_host || !m.protocol_type || !m.protocols ||
	    !m.protocols[0].name || !m.protocols[0].meta || !m.assignment ||
	    group_load_member(g, &m) < 0) {
		free(m.member_id);
		free(m.instance_id);
		free(m.client_id);
		free(m.client_host);
		free(m.protocol_type);
		if (m.protocols) {
			free(m.protocols[0].name);
			free(m.protocols[0].meta);
		}
		free(m.protocols);
		free(m.assignment);
		return -1;
	}
	return 0;
}

static int replay_metadata(struct strmap *groups, const struct group_env *env, struct kstr id,
			   struct kreader *vr, int has_value, struct arena *a)
{
	struct group *g = group_for(groups, env, id);
	if (!g)
		return -1;
	group_load_reset(g);
	if (!has_value)
		return 0; /* tombstone: membership gone; offsets have their own */
	struct group_metadata_value v;
	int16_t ver;
	if (kcodec_decode_versioned(&group_metadata_value_msg, 0, GROUP_METADATA_VALUE_MAX_VERSION,
				    vr, &ver, &v, a) < 0)
		return -1;
	g->protocol_type = kdup(v.protocol_type);
	g->protocol = kdup(v.protocol);
	g->generation = v.generation;
	if (v.current_state_timestamp > 0)
		g->state_ts = v.current_state_timestamp;
	const struct group_metadata_member *mv = v.members.v;
	for (int32_t i = 0; i < v.members.n; i++)
		if (load_member(g, &mv[i]) < 0)
			return -1;
	char *leader = kdup(v.leader);
	struct group_member *lm = group_member_find(g, leader);
	g->leader = lm ? lm->member_id : g->nmembers ? g->members[0]->member_id : NULL;
	free(leader);
	return 0;
}

static int replay_record(struct strmap *groups, const struct group_env *env,
			 const uint8_t *key, int32_t key_len, const uint8_t *val, int32_t val_len,
			 int64_t producer_id, int64_t at)
{
	struct arena a;
	arena_init(&a);
	struct kreader kr, vr;
	kreader_init(&kr, key, key_len > 0 ? (size_t)key_len : 0);
	kreader_init(&vr, val, val_len > 0 ? (size_t)val_len : 0);
	int has_value = val && val_len >= 0;
	int16_t ver = -1;
	int rc = -1;
	struct offset_commit_key ok;
	struct group_metadata_key gk;
	if (key_len >= 2 && ((key[0] << 8) | key[1]) <= OFFSET_COMMIT_KEY_MAX_VERSION) {
		if (kcodec_decode_versioned(&offset_commit_key_msg, 0, OFFSET_COMMIT_KEY_MAX_VERSION,
					    &kr, &ver, &ok, &a) == 0)
			rc = replay_offset(groups, env, &ok, &vr, has_value, producer_id, at, &a);
	} else if (kcodec_decode_versioned(&group_metadata_key_msg, GROUP_METADATA_KEY_VERSION,
					   GROUP_METADATA_KEY_VERSION, &kr, &ver, &gk, &a) == 0 &&
		   gk.group.len >= 0) {
		rc = replay_metadata(groups, env, gk.group, &vr, has_value, &a);
	}
	arena_free(&a);
	return rc;
}

int glog_replay(struct strmap *groups, const struct group_env *env, const uint8_t *key,
		int32_t key_len, const uint8_t *val, int32_t val_len)
{
	return replay_record(groups, env, key, key_len, val, val_len, -1, -1);
}

/* A control batch's marker: its first record's key is {i16 version, i16
 * type}; 1 commit, 0 abort, -1 unreadable. */
static int marker_type(const uint8_t *batch, size_t len)
{
	struct rb_iter it;
	struct rb_record rec;
	rb_iter_init(&it, batch, len);
	if (rb_iter_next(&it, &rec) != 1 || !rec.key || rec.key_len < 4)
		return -1;
	int type = (rec.key[2] << 8) | rec.key[3];
	return type == 0 || type == 1 ? type : -1;
}

static void replay_marker(struct strmap *groups, int64_t producer_id, int commit)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(groups, &pos, &k, &v);)
		group_txn_complete(v, producer_id, commit);
}

int glog_replay_batch(struct strmap *groups, const struct group_env *env,
		      const uint8_t *batch, size_t len, int64_t from_offset)
{
	struct rb_header h;
	if (rb_parse_header(batch, len, &h) < 0)
		return GLOG_MALFORMED;
	if (h.attributes & RB_ATTR_CONTROL) {
		int type = h.producer_id >= 0 && h.base_offset >= from_offset ? marker_type(batch, len) : -1;
		if (type >= 0)
			replay_marker(groups, h.producer_id, type);
		return 0;
	}
	if (h.attributes & RB_ATTR_COMPRESSION_MASK)
		return GLOG_COMPRESSED;
	int64_t pid = (h.attributes & RB_ATTR_TRANSACTIONAL) && h.producer_id >= 0 ? h.producer_id : -1;
	struct rb_iter it;
	struct rb_record rec;
	rb_iter_init(&it, batch, len);
	int rc, n = 0;
	while ((rc = rb_iter_next(&it, &rec)) == 1) {
		if (h.base_offset + rec.offset_delta < from_offset || !rec.key)
			continue;
		replay_record(groups, env, rec.key, rec.key_len, rec.value, rec.value_len, pid,
			      h.base_offset + rec.offset_delta);
		n++;
	}
	return rc < 0 ? GLOG_MALFORMED : n;
}
