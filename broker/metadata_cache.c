/* Metadata cache: a strmap of topics, each a growable array of partitions. */
#include "broker/metadata_cache.h"

#include <stdlib.h>
#include <string.h>

#include "common/proto/kerr.h"

struct metadata_cache *mc_new(void)
{
	struct metadata_cache *mc = calloc(1, sizeof *mc);
	if (!mc)
		return NULL;
	strmap_init(&mc->topics);
	strmap_init(&mc->ids);
	mc->controller_id = -1;
	return mc;
}

static void partition_clear(struct mc_partition *p)
{
	free(p->replicas);
	free(p->isr);
	free(p->offline);
	memset(p, 0, sizeof *p);
}

static void topic_free(struct mc_topic *t)
{
	for (int32_t i = 0; i < t->npartitions; i++)
		partition_clear(&t->parts[i]);
	free(t->parts);
	free(t->name);
	free(t);
}

void mc_free(struct metadata_cache *mc)
{
	if (!mc)
		return;
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&mc->topics, &i, &k, &v);)
		topic_free(v);
	strmap_free(&mc->topics);
	strmap_free(&mc->ids);
	free(mc->brokers);
	free(mc);
}

const struct mc_topic *mc_topic(const struct metadata_cache *mc, const char *name, int32_t len)
{
	return strmap_get(&mc->topics, name, (size_t)len);
}

const struct mc_broker *mc_broker(const struct metadata_cache *mc, int32_t id)
{
	for (int32_t i = 0; i < mc->nbrokers; i++)
		if (mc->brokers[i].id == id)
			return &mc->brokers[i];
	return NULL;
}

const struct mc_endpoint *mc_broker_endpoint(const struct mc_broker *b, const char *listener)
{
	for (int32_t i = 0; i < b->nendpoints; i++)
		if (strcmp(b->ep[i].listener, listener) == 0)
			return &b->ep[i];
	return NULL;
}

int mc_set_brokers(struct metadata_cache *mc, const struct mc_broker *b, int32_t n)
{
	struct mc_broker *copy = malloc(((size_t)n + 1) * sizeof *copy);
	if (!copy)
		return -1;
	memcpy(copy, b, (size_t)n * sizeof *copy);
	free(mc->brokers);
	mc->brokers = copy;
	mc->nbrokers = n;
	return 0;
}

static int32_t *dup_ids(const int32_t *v, int32_t n)
{
	int32_t *c = malloc(((size_t)n + 1) * sizeof *c);
	if (c && n > 0)
		memcpy(c, v, (size_t)n * sizeof *c);
	return c;
}

static struct mc_topic *topic_get_or_add(struct metadata_cache *mc, const char *name, int32_t len)
{
	struct mc_topic *t = strmap_get(&mc->topics, name, (size_t)len);
	if (t)
		return t;
	t = calloc(1, sizeof *t);
	if (!t || !(t->name = strndup(name, (size_t)len)) ||
	    strmap_put(&mc->topics, name, (size_t)len, t) < 0) {
		if (t)
			free(t->name);
		free(t);
		return NULL;
	}
	return t;
}

int mc_set_partition(struct metadata_cache *mc, const char *topic, int32_t tlen,
		     int32_t index, int32_t leader, int32_t leader_epoch,
		     const int32_t *replicas, int32_t nreplicas,
		     const int32_t *isr, int32_t nisr,
		     const int32_t *offline, int32_t noffline)
{
	if (index < 0 || index > 1000000 || nreplicas < 0 || nisr < 0 || noffline < 0)
		return -1;
	struct mc_topic *t = topic_get_or_add(mc, topic, tlen);
	if (!t)
		return -1;
	if (index >= t->npartitions) {
		struct mc_partition *np = realloc(t->parts, ((size_t)index + 1) * sizeof *np);
		if (!np)
			return -1;
		memset(np + t->npartitions, 0,
		       ((size_t)index + 1 - (size_t)t->npartitions) * sizeof *np);
		t->parts = np;
		t->npartitions = index + 1;
	}
	struct mc_partition *p = &t->parts[index];
	partition_clear(p);
	p->replicas = dup_ids(replicas, nreplicas);
	p->isr = dup_ids(isr, nisr);
	p->offline = dup_ids(offline, noffline);
	if (!p->replicas || !p->isr || !p->offline) {
		partition_clear(p);
		return -1;
	}
	p->exists = 1;
	p->leader = leader;
	p->leader_epoch = leader_epoch;
	p->nreplicas = nreplicas;
	p->nisr = nisr;
	p->noffline = noffline;
	return 0;
}

int mc_id_is_zero(const uint8_t id[16])
{
	static const uint8_t zero[16];
	return memcmp(id, zero, 16) == 0;
}

int mc_set_topic_id(struct metadata_cache *mc, const char *topic, int32_t tlen,
		    const uint8_t id[16])
{
	struct mc_topic *t = topic_get_or_add(mc, topic, tlen);
	if (!t)
		return -1;
	if (memcmp(t->id, id, 16) == 0)
		return 0;
	if (!mc_id_is_zero(t->id) && strmap_get(&mc->ids, (const char *)t->id, 16) == t)
		strmap_del(&mc->ids, (const char *)t->id, 16);
	memset(t->id, 0, 16);
	if (mc_id_is_zero(id))
		return 0;
	/* an id still held by another (deleted and not yet forgotten) topic
	 * moves to this one: ids are unique in the cluster */
	struct mc_topic *other = strmap_del(&mc->ids, (const char *)id, 16);
	if (other)
		memset(other->id, 0, 16);
	if (strmap_put(&mc->ids, (const char *)id, 16, t) < 0)
		return -1;
	memcpy(t->id, id, 16);
	return 0;
}

const struct mc_topic *mc_topic_by_id(const struct metadata_cache *mc, const uint8_t id[16])
{
	return mc_id_is_zero(id) ? NULL : strmap_get(&mc->ids, (const char *)id, 16);
}

void mc_remove_topic(struct metadata_cache *mc, const char *topic, int32_t tlen)
{
	struct mc_topic *t = strmap_del(&mc->topics, topic, (size_t)tlen);
	if (t && !mc_id_is_zero(t->id) && strmap_get(&mc->ids, (const char *)t->id, 16) == t)
		strmap_del(&mc->ids, (const char *)t->id, 16);
	if (t)
		topic_free(t);
}

int16_t mc_missing_partition_error(const struct metadata_cache *mc, const char *topic,
				   int32_t len, int32_t partition)
{
	const struct mc_topic *t = len > 0 ? mc_topic(mc, topic, len) : NULL;
	if (t && partition >= 0 && partition < t->npartitions && t->parts[partition].exists)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	return KERR_UNKNOWN_TOPIC_OR_PARTITION;
}
