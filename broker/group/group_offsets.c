/* A group's committed offsets and the rules for accepting a commit, plus the
 * one look into member metadata the broker needs: which topics a consumer
 * subscribed to (OffsetDelete refuses those). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group/group.h"
#include "common/proto/codec.h"
#include "common/proto/kerr.h"

static size_t offset_key(char *buf, size_t cap, const char *topic, int32_t partition)
{
	int n = snprintf(buf, cap, "%d:%s", partition, topic);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

const struct group_offset *group_offset_get(const struct group *g, const char *topic,
					    int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	return strmap_get(&g->offsets, key, n);
}

int group_offset_put(struct group *g, const char *topic, int32_t partition, int64_t offset,
		     int32_t leader_epoch, const char *metadata, int64_t commit_ts)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	struct group_offset *o = strmap_get(&g->offsets, key, n);
	char *md = strdup(metadata ? metadata : "");
	if (!md)
		return -1;
	if (!o) {
		o = calloc(1, sizeof *o);
		if (!o || !(o->topic = strdup(topic)) || strmap_put(&g->offsets, key, n, o) < 0) {
			if (o)
				free(o->topic);
			free(o);
			free(md);
			return -1;
		}
		o->partition = partition;
	}
	free(o->metadata);
	o->metadata = md;
	o->offset = offset;
	o->leader_epoch = leader_epoch;
	o->commit_ts = commit_ts;
	return 0;
}

void group_offset_del(struct group *g, const char *topic, int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	struct group_offset *o = strmap_del(&g->offsets, key, n);
	if (o) {
		free(o->topic);
		free(o->metadata);
		free(o);
	}
}

int group_offset_count(const struct group *g)
{
	return (int)g->offsets.used;
}

int16_t group_check_commit(struct group *g, const char *member_id, const char *instance_id,
			   int32_t generation, int64_t now)
{
	if (g->state == GROUP_DEAD)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	if (generation < 0 && g->state == GROUP_EMPTY)
		return 0; /* not using group management: allowed */
	struct group_member *m = group_member_find(g, member_id);
	for (int i = 0; instance_id && i < g->nmembers; i++)
		if (g->members[i]->instance_id && !strcmp(g->members[i]->instance_id, instance_id) &&
		    g->members[i] != m)
			return KERR_FENCED_INSTANCE_ID;
	if (g->state == GROUP_COMPLETING_REBALANCE)
		return KERR_REBALANCE_IN_PROGRESS;
	if (!m)
		return KERR_UNKNOWN_MEMBER_ID;
	if (generation != g->generation)
		return KERR_ILLEGAL_GENERATION;
	m->hb_deadline_ms = now + m->session_timeout_ms; /* a commit counts as a heartbeat */
	return 0;
}

/* ConsumerProtocolSubscription: i16 version, [string] topics, ... */
static int subscription_has(const uint8_t *p, int32_t len, const char *topic)
{
	struct kreader r;
	kreader_init(&r, p, len > 0 ? (size_t)len : 0);
	(void)kr_i16(&r);
	int32_t n = kr_i32(&r);
	size_t tlen = strlen(topic);
	for (int32_t i = 0; i < n && !r.err; i++) {
		int16_t sl = kr_i16(&r);
		const uint8_t *s = sl > 0 ? kr_take(&r, (size_t)sl) : NULL;
		if (s && (size_t)sl == tlen && memcmp(s, topic, tlen) == 0)
			return 1;
	}
	return 0;
}

int group_subscribed_to(const struct group *g, const char *topic)
{
	if (!g->protocol_type || strcmp(g->protocol_type, "consumer") != 0)
		return 0;
	for (int i = 0; i < g->nmembers; i++) {
		const struct group_member *m = g->members[i];
		for (int k = 0; k < m->nprotocols; k++)
			if ((!g->protocol || !strcmp(m->protocols[k].name, g->protocol)) &&
			    subscription_has(m->protocols[k].meta, m->protocols[k].meta_len, topic))
				return 1;
	}
	return 0;
}
