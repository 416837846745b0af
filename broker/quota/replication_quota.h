/* Replication throttles, as Kafka's ReplicationQuotaManager (ZooKeeper
 * mode): a leader-side and a follower-side byte rate for this broker
 * (leader.replication.throttled.rate / follower.replication.throttled.rate,
 * dynamic: /config/brokers/<id>, else /config/brokers/<default>) applied to
 * the partitions the topic configs leader.replication.throttled.replicas /
 * follower.replication.throttled.replicas name for this broker
 * ("partition:broker,..." pairs whose broker is this one, or "*"). A
 * throttled partition whose replica is not in sync is left out of a fetch
 * while the rate is over the bound; every throttled partition's bytes
 * count. docs/quotas.md, "Replication throttles".
 *
 *   repl_quotas_new / repl_quotas_free
 *   repl_quotas_rates_changed    after a dynamic broker config layer changed
 *   repl_quotas_topic_config     a topic's overrides (as delivered)
 *   repl_quota_leader_skip       leader: answer this follower's partition empty?
 *   repl_quota_follower_skip     follower: leave this partition out of a fetch?
 *   repl_quota_record            bytes of throttled partitions */
#ifndef GREGOR_REPLICATION_QUOTA_H
#define GREGOR_REPLICATION_QUOTA_H

#include <stdint.h>

#include "broker/quota/quota.h"
#include "common/strmap.h"

struct broker;
struct partition;

enum repl_side { REPL_LEADER, REPL_FOLLOWER };

struct repl_quota {
	struct qstat rate;     /* Kafka's SimpleRate over the samples */
	double bound;          /* bytes/s; HUGE_VAL: none */
	struct strmap topics;  /* topic -> struct repl_throttled */
};

struct repl_quotas {
	struct qcfg cfg;       /* replication.quota.window.num / .size.seconds */
	struct repl_quota side[2];
};

struct repl_quotas *repl_quotas_new(int samples, int window_s);
void repl_quotas_free(struct repl_quotas *r);

void repl_quotas_rates_changed(struct broker *b);
void repl_quotas_topic_config(struct broker *b, const char *topic, const char *const *keys,
			      const char *const *values, int n);

/* Is the partition throttled on this side, and is that side over its rate? */
int repl_quota_leader_skip(struct broker *b, const struct partition *p, int32_t follower);
int repl_quota_follower_skip(struct broker *b, const struct partition *p);
/* Counts bytes of p's replication against the side's rate when p is
 * throttled there. */
void repl_quota_record(struct broker *b, enum repl_side side, const struct partition *p,
		       int64_t bytes);

#endif
