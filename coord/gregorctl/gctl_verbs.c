/* The verbs whose work predates the verb table: each parses its options
 * (gctl_parse) and calls its gctl_cmd_* in the file that does the work.
 * The action is a Kafka-style flag (--list, --describe, ...) or, as older
 * gregorctl scripts write it, the word after the verb (topics list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"

#define GCTL_ZK_OPTS "zookeeper zk-digest zk-digest-file "
#define GCTL_KAFKA_OPTS "bootstrap-server bootstrap command-config "
#define GCTL_COMMON_HELP \
	"  --json                  machine-readable output (listing actions)\n" \
	"  --timeout S             seconds per connection or request (default 10)\n" \
	"  --verbose               more detail on stderr\n"
#define GCTL_KAFKA_HELP \
	"  --bootstrap-server H:P[,H:P...]  brokers to bootstrap from\n" \
	"  --command-config FILE   client properties: security.protocol, ssl.*\n"
#define GCTL_ZK_HELP \
	"  --zookeeper H:P[,...][/chroot]   the cluster's ZooKeeper\n" \
	"  --zk-digest USER:PASSWORD | --zk-digest-file F  ZooKeeper digest credentials\n" \
	"                          (needed for writes when brokers set zookeeper.set.acl)\n"

/* The action from a flag or the first word; words[1..] stay positional. */
static int gctl_action(struct gctl *g, const char *verb, const char **words, int nw,
		       const char *dflt)
{
	if (nw > 0 && gctl_set_action(&g->o, words[0]))
		return gctl_usage_err(verb, "conflicting actions '%s' and '%s'", g->o.action,
				      words[0]);
	if (!g->o.action && dflt)
		g->o.action = dflt;
	if (!g->o.action)
		return gctl_usage_err(verb, "no action given");
	return 0;
}

/* The common shape: parse, action, ZooKeeper, run, close. */
static int gctl_run_zk(int argc, char **argv, const struct gctl_spec *spec,
		       int (*cmd)(struct gctl *, const char *))
{
	struct gctl g;
	const char *w[2];
	int rc;
	int nw = gctl_parse(&g, argc, argv, spec, w, 1, &rc);
	if (nw >= 0 && !(rc = gctl_action(&g, spec->verb, w, nw, NULL)) &&
	    !(rc = gctl_zk_open(&g, spec->verb))) {
		rc = cmd(&g, g.o.action);
		gctl_close(&g);
	}
	gctl_done(&g);
	return rc;
}

static const struct gctl_spec topics_spec = {
	"topics",
	GCTL_ZK_OPTS GCTL_KAFKA_OPTS "list describe create alter delete topic partitions "
	"replication-factor "
	"config if-not-exists if-exists replica-assignment under-replicated-partitions "
	"under-min-isr-partitions at-min-isr-partitions unavailable-partitions "
	"exclude-internal topics-with-overrides",
	"usage: gregorctl topics (--bootstrap-server H:P | --zookeeper H:P) ACTION [options]\n"
	"       (kafka-topics; --bootstrap-server: Metadata, CreateTopics, CreatePartitions,\n"
	"       DeleteTopics; --zookeeper: the znodes, as the ZooKeeper-era tool)\n"
	"actions:\n"
	"  --list                  topic names\n"
	"  --describe [--topic T]  partitions, leader, replicas, ISR, configs; filters:\n"
	"      --under-replicated-partitions  ISR smaller than the replicas\n"
	"      --under-min-isr-partitions     ISR smaller than min.insync.replicas\n"
	"      --at-min-isr-partitions        ISR exactly min.insync.replicas\n"
	"      --unavailable-partitions       no leader, or the leader is not live\n"
	"      --topics-with-overrides        only topics with config overrides\n"
	"      --exclude-internal             leave out __consumer_offsets and the like\n"
	"  --create --topic T ([--partitions N] [--replication-factor R] |\n"
	"           --replica-assignment B:B,B:B,...) [--config k=v ...] [--if-not-exists]\n"
	"  --alter --topic T --partitions N [--replica-assignment ...] [--if-exists]\n"
	"  --delete --topic T [--if-exists]\n"
	"(the older form 'topics list|describe|create|alter|delete' works too)\n"
	"over --zookeeper --create needs --partitions and --replication-factor; over\n"
	"--bootstrap-server the broker's num.partitions/default.replication.factor apply\n"
	GCTL_KAFKA_HELP GCTL_ZK_HELP GCTL_COMMON_HELP
	"example: gregorctl topics --zookeeper 127.0.0.1:2181 --create --topic t "
	"--partitions 3 --replication-factor 2\n",
};

int gctl_verb_topics(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	int nw = gctl_parse(&g, argc, argv, &topics_spec, w, 1, &rc);
	if (nw >= 0 && !(rc = gctl_action(&g, "topics", w, nw, NULL))) {
		if (g.o.bootstrap && g.o.zookeeper)
			rc = gctl_usage_err("topics", "--bootstrap-server or --zookeeper, not both");
		else if (g.o.bootstrap)
			rc = gctl_cmd_topics_kafka(&g, g.o.action);
		else if (!(rc = gctl_zk_open(&g, "topics"))) {
			rc = gctl_cmd_topics(&g, g.o.action);
			gctl_close(&g);
		}
	}
	gctl_done(&g);
	return rc;
}

static const struct gctl_spec cluster_spec = {
	"cluster", GCTL_ZK_OPTS "list",
	"usage: gregorctl cluster --zookeeper H:P (brokers | controller) [--json]\n"
	"  brokers     id, endpoints, rack, broker epoch of each registered broker\n"
	"  controller  the controller's id and epoch\n" GCTL_ZK_HELP GCTL_COMMON_HELP,
};

int gctl_verb_cluster(int argc, char **argv)
{
	return gctl_run_zk(argc, argv, &cluster_spec, gctl_cmd_cluster);
}

static const struct gctl_spec partitions_spec = {
	"partitions", GCTL_ZK_OPTS "topic file reassignment-json-file",
	"usage: gregorctl partitions --zookeeper H:P COMMAND\n"
	"  elect-preferred [--topic T]   write /admin/preferred_replica_election\n"
	"  reassign --file F             write /admin/reassign_partitions from\n"
	"                                {\"partitions\":[{\"topic\":..,\"partition\":..,"
	"\"replicas\":[..]}]}\n" GCTL_ZK_HELP GCTL_COMMON_HELP,
};

int gctl_verb_partitions(int argc, char **argv)
{
	return gctl_run_zk(argc, argv, &partitions_spec, gctl_cmd_partitions);
}

static const struct gctl_spec users_spec = {
	"users", GCTL_ZK_OPTS "list describe add alter delete user mechanism password iterations",
	"usage: gregorctl users --zookeeper H:P ACTION [options]  (SCRAM credentials)\n"
	"  --list                          users with credentials, mechanisms, iterations\n"
	"  --describe --user U\n"
	"  --add|--alter --user U --mechanism SCRAM-SHA-256|SCRAM-SHA-512 --password P\n"
	"                [--iterations N (4096..16384)]\n"
	"  --delete --user U [--mechanism M]\n"
	"(or the words list, describe, add, alter, delete after the verb)\n"
	GCTL_ZK_HELP GCTL_COMMON_HELP,
};

int gctl_verb_users(int argc, char **argv)
{
	return gctl_run_zk(argc, argv, &users_spec, gctl_cmd_users);
}

/* ---- the Kafka-protocol verbs ---- */

/* Parse, an action, --bootstrap-server, then cmd; extra words allowed. */
static int gctl_run_kafka(int argc, char **argv, const struct gctl_spec *spec, int max_words,
			  const char *dflt,
			  int (*cmd)(struct gctl *, const char **words, int nw))
{
	struct gctl g;
	const char *w[4];
	int rc;
	int nw = gctl_parse(&g, argc, argv, spec, w, max_words, &rc);
	if (nw >= 0 && !(rc = gctl_action(&g, spec->verb, w, nw, dflt)) &&
	    !(rc = gctl_need_bootstrap(&g, spec->verb)))
		rc = cmd(&g, w, nw);
	gctl_done(&g);
	return rc;
}

static const struct gctl_spec txn_spec = {
	"transactions",
	GCTL_KAFKA_OPTS "list describe abort find-hanging transactional-id topic partition "
	"start-offset producer-id producer-epoch coordinator-epoch broker-id "
	"max-transaction-timeout",
	"usage: gregorctl transactions --bootstrap-server H:P ACTION   (kafka-transactions)\n"
	"  --list                  every coordinator's transactions: state, producer\n"
	"                          id/epoch, timeout, age, partitions\n"
	"  --describe --transactional-id ID   one transaction, from its coordinator\n"
	"  describe-producers --topic T --partition P   the leader's producer state\n"
	"  find-hanging [--broker-id N | --topic T [--partition P]]\n"
	"               [--max-transaction-timeout MINUTES (default 15)]\n"
	"                          open transactions (DescribeProducers on each leader)\n"
	"                          older than the timeout that their coordinator does not\n"
	"                          have Ongoing on that partition\n"
	"  --abort --topic T --partition P --start-offset O\n"
	"                          abort the hanging transaction that began at offset O\n"
	"                          (WriteTxnMarkers to the partition's leader; producer\n"
	"                          id and epoch from DescribeProducers)\n"
	"  --abort --topic T --partition P --producer-id ID --producer-epoch E\n"
	"          --coordinator-epoch C\n"
	"(the action may be a word, as kafka-transactions: transactions abort ...;\n"
	" transactions describe ID also works)\n"
	GCTL_KAFKA_HELP GCTL_COMMON_HELP,
};

static int gctl_txn_words(struct gctl *g, const char **w, int nw)
{
	const char *arg = nw > 1 ? w[1] : g->o.transactional_id;
	return gctl_cmd_transactions(g, g->o.action, arg);
}

int gctl_verb_transactions(int argc, char **argv)
{
	return gctl_run_kafka(argc, argv, &txn_spec, 2, NULL, gctl_txn_words);
}

static const struct gctl_spec producers_spec = {
	"producers", GCTL_KAFKA_OPTS "topic partition",
	"usage: gregorctl producers --bootstrap-server H:P (--topic T --partition P | T P)\n"
	"  active producers on the partition's leader (DescribeProducers): id, epoch,\n"
	"  last sequence, last timestamp, open transaction's first offset\n"
	GCTL_KAFKA_HELP GCTL_COMMON_HELP,
};

static int gctl_producers_words(struct gctl *g, const char **w, int nw)
{
	char part[16];
	/* the action slot took the topic when given as words */
	const char *topic = nw > 0 ? w[0] : g->o.topic;
	const char *p = nw > 1 ? w[1] : NULL;
	if (!p && g->o.partition >= 0) {
		snprintf(part, sizeof part, "%d", g->o.partition);
		p = part;
	}
	if (!topic || !p)
		return gctl_usage_err("producers", "needs --topic T --partition P");
	return gctl_cmd_producers(g, topic, p);
}

int gctl_verb_producers(int argc, char **argv)
{
	struct gctl g;
	const char *w[2];
	int rc;
	int nw = gctl_parse(&g, argc, argv, &producers_spec, w, 2, &rc);
	if (nw >= 0 && !(rc = gctl_need_bootstrap(&g, "producers")))
		rc = gctl_producers_words(&g, w, nw);
	gctl_done(&g);
	return rc;
}

static const struct gctl_spec le_spec = {
	"leader-election",
	GCTL_KAFKA_OPTS GCTL_ZK_OPTS "preferred unclean election-type topic partition "
	"all-topic-partitions path-to-json-file",
	"usage: gregorctl leader-election --bootstrap-server H:P\n"
	"         --election-type PREFERRED|UNCLEAN (or --preferred | --unclean)\n"
	"         (--all-topic-partitions | --topic T [--partition P])\n"
	"  ElectLeaders at the controller; a partition already led by its preferred\n"
	"  replica is not a failure (kafka-leader-election)\n"
	"  --zookeeper H:P instead: a preferred election through\n"
	"  /admin/preferred_replica_election (kafka-preferred-replica-election.sh)\n"
	GCTL_KAFKA_HELP GCTL_ZK_HELP GCTL_COMMON_HELP,
};

static int gctl_le_words(struct gctl *g, const char **w, int nw)
{
	(void)w, (void)nw;
	return gctl_cmd_leader_election(g);
}

/* --zookeeper: kafka-preferred-replica-election.sh's way, through
 * /admin/preferred_replica_election (preferred elections only). */
static int gctl_le_zk(struct gctl *g)
{
	if (g->o.unclean || g->o.partition >= 0)
		return gctl_usage_err("leader-election", "over --zookeeper: preferred elections "
				      "of whole topics only (--topic T, or all)");
	if (gctl_zk_open(g, "leader-election"))
		return 1;
	int rc = gctl_cmd_partitions(g, "elect-preferred");
	gctl_close(g);
	return rc;
}

int gctl_verb_leader_election(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &le_spec, w, 0, &rc) >= 0) {
		if (g.o.zookeeper && !g.o.bootstrap)
			rc = gctl_le_zk(&g);
		else if (!(rc = gctl_need_bootstrap(&g, "leader-election")))
			rc = gctl_le_words(&g, w, 0);
	}
	gctl_done(&g);
	return rc;
}

static const struct gctl_spec logdirs_spec = {
	"log-dirs", GCTL_KAFKA_OPTS "describe broker-list topic-list",
	"usage: gregorctl log-dirs --bootstrap-server H:P [--describe] [--broker-list 1,2]\n"
	"         [--topic-list t1,t2] [--json]\n"
	"  every broker's log dirs (DescribeLogDirs): size, usable bytes, and each\n"
	"  replica's size and offset lag (kafka-log-dirs)\n"
	GCTL_KAFKA_HELP GCTL_COMMON_HELP,
};

static int gctl_logdirs_words(struct gctl *g, const char **w, int nw)
{
	(void)w, (void)nw;
	return gctl_cmd_log_dirs(g);
}

int gctl_verb_log_dirs(int argc, char **argv)
{
	return gctl_run_kafka(argc, argv, &logdirs_spec, 0, "describe", gctl_logdirs_words);
}

static const struct gctl_spec health_spec = {
	"health", "zookeeper zk-digest zk-digest-file log-dir wait",
	"usage: gregorctl health [--log-dir DIR] [--zookeeper H:P] [--wait S]\n"
	"  exit 0 only if the broker whose log.dirs is DIR (default $KAFKA_LOG_DIRS) is\n"
	"  running, registered in ZooKeeper with its current broker epoch, not shutting\n"
	"  down, and a controller exists; --wait: retry for up to S seconds.\n"
	"  --zookeeper defaults to the broker's own zookeeper.connect.\n"
	GCTL_COMMON_HELP,
};

int gctl_verb_health(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &health_spec, w, 0, &rc) >= 0)
		rc = gctl_cmd_health(&g);
	gctl_done(&g);
	return rc;
}
