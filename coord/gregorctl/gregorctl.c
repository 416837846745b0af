/* gregorctl: the operator's tool. Topics, cluster and partitions talk to
 * ZooKeeper directly, as Kafka's ZooKeeper-era tools (kafka-topics.sh
 * --zookeeper) did; consumer groups talk the Kafka protocol to the brokers
 * (--bootstrap), as kafka-consumer-groups.sh does, and so do transactions
 * and producers (kafka-transactions.sh). Exit 0 on success, 1
 * with a one-line error otherwise, 64 for usage errors. */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"

#define GCTL_USAGE 64

static const char gctl_usage_text[] =
	"usage: gregorctl --zookeeper HOST:PORT[,...][/chroot] [--timeout S] [--json]\n"
	"                 [--verbose] [--zk-digest USER:PASSWORD | --zk-digest-file F]\n"
	"                 GROUP COMMAND [options]\n"
	"  (--zk-digest*: the brokers' zookeeper.digest credentials, needed to\n"
	"   change anything once they run with zookeeper.set.acl=true)\n"
	"  cluster brokers                 id, endpoints, rack, broker epoch\n"
	"  cluster controller              controller id and epoch\n"
	"  topics list\n"
	"  topics describe [--topic T] [--under-replicated-partitions]\n"
	"                  [--unavailable-partitions]\n"
	"  topics create --topic T --partitions N --replication-factor R\n"
	"                [--config k=v ...]\n"
	"  topics alter --topic T --partitions N\n"
	"  topics delete --topic T\n"
	"  partitions elect-preferred [--topic T]\n"
	"  partitions reassign --file F    JSON {\"partitions\":[{\"topic\":..,\n"
	"                                  \"partition\":..,\"replicas\":[..]}]}\n"
	"  users list                      users with SCRAM credentials, mechanisms,\n"
	"                                  iterations\n"
	"  users describe --user U\n"
	"  users add|alter --user U --mechanism SCRAM-SHA-256|SCRAM-SHA-512\n"
	"                --password P [--iterations N (4096..16384)]\n"
	"  users delete --user U [--mechanism M]\n"
	"usage: gregorctl --bootstrap HOST:PORT[,...] [--command-config FILE] [--timeout S] [--json]\n"
	"                 groups COMMAND [options]\n"
	"  groups list                     group id, state, protocol type\n"
	"  groups describe --group G       offsets, log-end offsets, lag, members\n"
	"  groups reset-offsets --group G --topic T\n"
	"                (--to-earliest | --to-latest | --to-offset N) [--execute]\n"
	"  groups delete --group G\n"
	"  transactions list              every coordinator's transactions: state,\n"
	"                                  producer id/epoch, timeout, age, partitions;\n"
	"                                  HANGING: Ongoing longer than its timeout\n"
	"  transactions describe ID        one transactional id, from its coordinator\n"
	"  producers TOPIC PARTITION       active producers on the partition's leader\n"
	"  reassign --file F (--execute | --verify | --cancel)\n"
	"                                  kafka-reassign-partitions' JSON plan\n"
	"                                  {\"partitions\":[{\"topic\":..,\"partition\":..,\n"
	"                                  \"replicas\":[..]}]} through the controller;\n"
	"                                  --verify exits 1 while any is unfinished\n"
	"  leader-election (--preferred | --unclean) [--topic T [--partition P]]\n"
	"                                  every partition without --topic\n"
	"  log-dirs                        every broker's log dir and replica sizes\n"
	"--command-config: client properties for the broker connections, e.g.\n"
	"           security.protocol=SSL with ssl.ca.location (or ssl.truststore.*),\n"
	"           ssl.certificate.location + ssl.key.location (or ssl.keystore.*)\n"
	"usage: gregorctl drill NAME --bootstrap HOST:PORT --kill CMD --start CMD ...\n"
	"  a failover drill under load with a verdict (gregorctl drill --help)\n"
	"usage: gregorctl health [--log-dir DIR] [--zookeeper HOST:PORT] [--wait S]\n"
	"  exit 0 only if the broker whose log.dirs is DIR (default $KAFKA_LOG_DIRS) is\n"
	"  running, registered in ZooKeeper with its current broker epoch, not\n"
	"  shutting down, and a controller exists; --wait: retry for up to S seconds\n"
	"--timeout: seconds to wait for the ZooKeeper connection, or for each broker\n"
	"           request (default 10).\n";

static int gctl_usage(const char *why)
{
	if (why)
		gctl_err("%s", why);
	fputs(gctl_usage_text, stderr);
	return GCTL_USAGE;
}

/* A decimal int64 in [0, INT64_MAX), nothing else. */
static int gctl_parse_offset(const char *s, int64_t *out)
{
	char *e;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (*e || errno || v < 0 || v == INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

/* A decimal int32 in [min, max], nothing else. */
static int gctl_parse_i32(const char *s, int32_t min, int32_t max, int32_t *out)
{
	char *e;
	if (!*s)
		return -1;
	long long v = strtoll(s, &e, 10);
	if (*e || v < min || v > max)
		return -1;
	*out = (int32_t)v;
	return 0;
}

enum gctl_opt_id { O_ZK, O_TIMEOUT, O_JSON, O_VERBOSE, O_TOPIC, O_PARTS, O_RF,
		   O_CONFIG, O_UNDER, O_UNAVAIL, O_FILE, O_HELP, O_BOOTSTRAP, O_GROUP,
		   O_EARLIEST, O_LATEST, O_TO_OFFSET, O_EXECUTE, O_ZK_DIGEST, O_ZK_DIGEST_FILE,
		   O_COMMAND_CONFIG, O_LOG_DIR, O_WAIT, O_USER, O_MECHANISM, O_PASSWORD,
		   O_ITERATIONS, O_VERIFY, O_CANCEL, O_PREFERRED, O_UNCLEAN, O_PARTITION };

static const struct { const char *name; enum gctl_opt_id id; int arg; } gctl_optv[] = {
	{ "zookeeper", O_ZK, 1 }, { "timeout", O_TIMEOUT, 1 }, { "json", O_JSON, 0 },
	{ "verbose", O_VERBOSE, 0 }, { "topic", O_TOPIC, 1 },
	{ "partitions", O_PARTS, 1 }, { "replication-factor", O_RF, 1 },
	{ "config", O_CONFIG, 1 }, { "under-replicated-partitions", O_UNDER, 0 },
	{ "unavailable-partitions", O_UNAVAIL, 0 }, { "file", O_FILE, 1 },
	{ "help", O_HELP, 0 }, { "bootstrap", O_BOOTSTRAP, 1 }, { "group", O_GROUP, 1 },
	{ "to-earliest", O_EARLIEST, 0 }, { "to-latest", O_LATEST, 0 },
	{ "to-offset", O_TO_OFFSET, 1 }, { "execute", O_EXECUTE, 0 },
	{ "zk-digest", O_ZK_DIGEST, 1 }, { "zk-digest-file", O_ZK_DIGEST_FILE, 1 },
	{ "command-config", O_COMMAND_CONFIG, 1 },
	{ "log-dir", O_LOG_DIR, 1 }, { "wait", O_WAIT, 1 },
	{ "user", O_USER, 1 }, { "mechanism", O_MECHANISM, 1 }, { "password", O_PASSWORD, 1 },
	{ "iterations", O_ITERATIONS, 1 },
	{ "verify", O_VERIFY, 0 }, { "cancel", O_CANCEL, 0 }, { "preferred", O_PREFERRED, 0 },
	{ "unclean", O_UNCLEAN, 0 }, { "partition", O_PARTITION, 1 },
};

/* Applies one option; 0, or a usage error message. */
static const char *gctl_apply(struct gctl_opts *o, enum gctl_opt_id id, const char *v)
{
	int32_t n;
	switch (id) {
	case O_ZK: o->zookeeper = v; break;
	case O_TIMEOUT:
		if (gctl_parse_i32(v, 1, 3600, &n))
			return "--timeout must be 1..3600 seconds";
		o->timeout_s = n;
		break;
	case O_JSON: o->json = 1; break;
	case O_VERBOSE: o->verbose = 1; break;
	case O_TOPIC: o->topic = v; break;
	case O_PARTS:
		if (gctl_parse_i32(v, 1, GCTL_MAX_PARTITIONS, &o->partitions))
			return "--partitions must be a positive integer";
		break;
	case O_RF:
		if (gctl_parse_i32(v, 1, ZN_MAX_REPLICAS, &o->rf))
			return "--replication-factor must be 1..32";
		break;
	case O_CONFIG: o->configs[o->n_configs++] = v; break;
	case O_UNDER: o->under_replicated = 1; break;
	case O_UNAVAIL: o->unavailable = 1; break;
	case O_FILE: o->file = v; break;
	case O_HELP: return "";
	case O_BOOTSTRAP: o->bootstrap = v; break;
	case O_COMMAND_CONFIG: o->command_config = v; break;
	case O_GROUP: o->group = v; break;
	case O_EARLIEST: o->to_earliest = 1; break;
	case O_LATEST: o->to_latest = 1; break;
	case O_TO_OFFSET:
		if (gctl_parse_offset(v, &o->to_offset))
			return "--to-offset must be a non-negative integer";
		o->to_offset_set = 1;
		break;
	case O_EXECUTE: o->execute = 1; break;
	case O_ZK_DIGEST: o->zk_digest = v; break;
	case O_ZK_DIGEST_FILE: o->zk_digest_file = v; break;
	case O_LOG_DIR: o->log_dir = v; break;
	case O_WAIT:
		if (gctl_parse_i32(v, 0, 86400, &o->wait_s))
			return "--wait must be 0..86400 seconds";
		break;
	case O_USER: o->user = v; break;
	case O_MECHANISM: o->mechanism = v; break;
	case O_PASSWORD: o->password = v; break;
	case O_VERIFY: o->verify = 1; break;
	case O_CANCEL: o->cancel = 1; break;
	case O_PREFERRED: o->preferred = 1; break;
	case O_UNCLEAN: o->unclean = 1; break;
	case O_PARTITION:
		if (gctl_parse_i32(v, 0, INT32_MAX, &o->partition))
			return "--partition must be a non-negative integer";
		break;
	case O_ITERATIONS:
		if (gctl_parse_i32(v, 1, 1 << 30, &o->iterations))
			return "--iterations must be a positive integer";
		break;
	}
	return NULL;
}

/* Options may come anywhere; the rest are the group and command words.
 * Returns the number of words, or -1 after printing a usage error. */
static int gctl_parse_args(int argc, char **argv, struct gctl_opts *o,
			   const char *words[3])
{
	int nw = 0;
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		if (strncmp(a, "--", 2) != 0) {
			if (nw == 3)
				return gctl_usage("too many words"), -1;
			words[nw++] = a;
			continue;
		}
		const char *eq = strchr(a, '='), *val = NULL;
		size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		size_t i = 0;
		while (i < sizeof gctl_optv / sizeof *gctl_optv &&
		       (strlen(gctl_optv[i].name) != nl || strncmp(gctl_optv[i].name, a + 2, nl)))
			i++;
		if (i == sizeof gctl_optv / sizeof *gctl_optv) {
			gctl_err("unknown option %s", a);
			return gctl_usage(NULL), -1;
		}
		if (gctl_optv[i].arg) {
			val = eq ? eq + 1 : k + 1 < argc ? argv[++k] : NULL;
			if (!val) {
				gctl_err("option --%s needs a value", gctl_optv[i].name);
				return gctl_usage(NULL), -1;
			}
		} else if (eq) {
			gctl_err("option --%s takes no value", gctl_optv[i].name);
			return gctl_usage(NULL), -1;
		}
		const char *why = gctl_apply(o, gctl_optv[i].id, val);
		if (why)
			return gctl_usage(*why ? why : NULL), -1;
	}
	return nw;
}

int main(int argc, char **argv)
{
	struct gctl g;
	const char *words[3] = { NULL, NULL, NULL };
	signal(SIGPIPE, SIG_IGN); /* TLS connections write with write(2) */
	if (argc > 1 && strcmp(argv[1], "drill") == 0) /* its own options */
		return gctl_cmd_drill(argc - 1, argv + 1);
	memset(&g, 0, sizeof g);
	g.o.timeout_s = 10;
	g.o.partitions = -1;
	g.o.rf = -1;
	g.o.partition = -1;
	g.o.configs = calloc((size_t)argc + 1, sizeof *g.o.configs);
	if (!g.o.configs)
		return 1;
	int nw = gctl_parse_args(argc, argv, &g.o, words);
	int rc;
	if (nw < 0)
		rc = GCTL_USAGE;
	else if (nw >= 1 && (!strcmp(words[0], "transactions") || !strcmp(words[0], "producers")))
		rc = !g.o.bootstrap ? gctl_usage("--bootstrap HOST:PORT is required") :
		     nw < 2 || (words[0][0] == 'p' && nw < 3) ? gctl_usage("missing arguments") :
		     words[0][0] == 't' ? gctl_cmd_transactions(&g, words[1], words[2]) :
		     gctl_cmd_producers(&g, words[1], words[2]);
	else if (nw == 1 && (!strcmp(words[0], "reassign") || !strcmp(words[0], "leader-election") ||
			     !strcmp(words[0], "log-dirs")))
		rc = !g.o.bootstrap ? gctl_usage("--bootstrap HOST:PORT is required") :
		     words[0][0] == 'r' ? gctl_cmd_reassign(&g) :
		     words[0][1] == 'e' ? gctl_cmd_leader_election(&g) : gctl_cmd_log_dirs(&g);
	else if (nw == 1 && strcmp(words[0], "health") == 0)
		rc = gctl_cmd_health(&g);
	else if (nw != 2)
		rc = gctl_usage("expected GROUP COMMAND, e.g. 'topics list'");
	else if (strcmp(words[0], "groups") == 0)
		rc = g.o.bootstrap ? gctl_cmd_groups(&g, words[1]) :
		     gctl_usage("--bootstrap HOST:PORT is required for groups");
	else if (!g.o.zookeeper)
		rc = gctl_usage("--zookeeper HOST:PORT is required");
	else if (strcmp(words[0], "topics") && strcmp(words[0], "cluster") &&
		 strcmp(words[0], "partitions") && strcmp(words[0], "users"))
		rc = gctl_usage("GROUP is one of topics, cluster, partitions, users, groups");
	else if (g.o.topic && !zn_topic_name_valid(g.o.topic))
		rc = (gctl_err("topic name '%s' is illegal (allowed: [a-zA-Z0-9._-], "
			       "1-249 characters, not '.' or '..')", g.o.topic), 1);
	else if (gctl_connect(&g))
		rc = 1;
	else {
		rc = strcmp(words[0], "topics") == 0 ? gctl_cmd_topics(&g, words[1]) :
		     strcmp(words[0], "cluster") == 0 ? gctl_cmd_cluster(&g, words[1]) :
		     strcmp(words[0], "users") == 0 ? gctl_cmd_users(&g, words[1]) :
		     gctl_cmd_partitions(&g, words[1]);
		gctl_close(&g);
	}
	free(g.o.configs);
	if (fflush(stdout) != 0 && rc == 0) {
		gctl_err("cannot write output");
		rc = 1;
	}
	return rc;
}
