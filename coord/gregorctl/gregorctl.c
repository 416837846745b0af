/* gregorctl: the operator's tool, one verb per Kafka tool (topics as
 * kafka-topics.sh, configs as kafka-configs.sh, ...). This file is only the
 * verb table and the dispatch: a verb is one row here and a
 * `int gctl_verb_NAME(int argc, char **argv)` that parses its own options
 * with getopt_long (gctl_parse). Exit statuses: 0 success, 1 failure, 64
 * usage error (docs/gregorctl.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"

#ifndef GREGOR_VERSION
#define GREGOR_VERSION "unknown"
#endif

static const struct gctl_verb gctl_verbs[] = {
	{ "topics", gctl_verb_topics, "create, list, describe, alter, delete topics (kafka-topics)" },
	{ "configs", gctl_verb_configs,
	  "describe, alter, delete configs of topics, brokers, users, clients (kafka-configs)" },
	{ "acls", gctl_verb_acls, "add, remove, list ACLs (kafka-acls)" },
	{ "consumer-groups", gctl_verb_consumer_groups,
	  "list, describe (lag), delete groups, reset or delete offsets (kafka-consumer-groups)" },
	{ "groups", gctl_verb_consumer_groups, "the same as consumer-groups" },
	{ "reassign", gctl_verb_reassign,
	  "generate, execute, verify, cancel reassignments (kafka-reassign-partitions)" },
	{ "leader-election", gctl_verb_leader_election,
	  "preferred or unclean leader election (kafka-leader-election)" },
	{ "transactions", gctl_verb_transactions,
	  "list, describe, find hanging, abort transactions (kafka-transactions)" },
	{ "producers", gctl_verb_producers, "a partition's active producers" },
	{ "delete-records", gctl_verb_delete_records,
	  "delete records below an offset (kafka-delete-records)" },
	{ "log-dirs", gctl_verb_log_dirs, "every broker's log dirs and replicas (kafka-log-dirs)" },
	{ "broker-api-versions", gctl_verb_api_versions,
	  "each broker's API version ranges (kafka-broker-api-versions)" },
	{ "dump-log", gctl_verb_dump_log,
	  "decode segment, index, time index and transaction index files (kafka-dump-log)" },
	{ "users", gctl_verb_users, "SCRAM credentials in ZooKeeper" },
	{ "cluster", gctl_verb_cluster, "brokers and the controller, from ZooKeeper" },
	{ "partitions", gctl_verb_partitions,
	  "preferred election and reassignment through ZooKeeper's /admin znodes" },
	{ "quotas", gctl_quotas_main,
	  "describe, alter, delete client quotas (kafka-configs --entity-type users/clients)" },
	{ "drill", gctl_cmd_drill,
	  "a failover drill under load with a verdict (leader-kill, controller-kill, ...)" },
	{ "health", gctl_verb_health, "is this machine's broker a serving cluster member?" },
};
#define GCTL_N_VERBS (sizeof gctl_verbs / sizeof *gctl_verbs)

static void gctl_print_verbs(FILE *f)
{
	fputs("usage: gregorctl VERB [options]   (gregorctl VERB --help for a verb's options)\n"
	      "       gregorctl --version\n"
	      "verbs:\n", f);
	for (size_t i = 0; i < GCTL_N_VERBS; i++)
		fprintf(f, "  %-20s %s\n", gctl_verbs[i].name, gctl_verbs[i].summary);
	fputs("exit status: 0 success, 1 failure (one line on stderr), 64 usage error\n", f);
}

/* The index of the verb word: the first word that is a verb and not the
 * value of a known option (a word that is not a verb may be the value of
 * an option gregorctl.c does not know, e.g. one of drill's, so the scan
 * goes on). 0 if there is no word at all, -k if word k is the first word
 * and no verb follows. */
static int gctl_find_verb(int argc, char **argv, const struct gctl_verb **verb)
{
	int first_word = 0;
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (argv[k][0] == '-') {
			k += gctl_opt_takes_value(argv[k]);
			continue;
		}
		for (size_t i = 0; i < GCTL_N_VERBS; i++)
			if (strcmp(argv[k], gctl_verbs[i].name) == 0) {
				*verb = &gctl_verbs[i];
				return k;
			}
		if (!first_word)
			first_word = k;
	}
	return -first_word;
}

/* argv without the verb word, argv[0] becoming the verb's name. */
static int gctl_run_verb(int argc, char **argv, int at, const struct gctl_verb *v)
{
	char **vargv = calloc((size_t)argc + 1, sizeof *vargv);
	if (!vargv)
		return gctl_err("out of memory"), 1;
	int n = 0;
	vargv[n++] = (char *)v->name;
	for (int k = 1; k < argc; k++)
		if (k != at)
			vargv[n++] = argv[k];
	vargv[n] = NULL;
	int rc = v->run(n, vargv);
	free(vargv);
	return rc;
}

int main(int argc, char **argv)
{
	const struct gctl_verb *verb = NULL;
	signal(SIGPIPE, SIG_IGN); /* TLS connections write with write(2) */
	int at = gctl_find_verb(argc, argv, &verb);
	int rc;
	if (at > 0) {
		rc = gctl_run_verb(argc, argv, at, verb);
	} else if (at < 0) {
		gctl_err("unknown verb '%s'", argv[-at]);
		gctl_print_verbs(stderr);
		rc = GCTL_EXIT_USAGE;
	} else if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("gregorctl %s\n", GREGOR_VERSION);
		rc = 0;
	} else if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		gctl_print_verbs(stdout);
		rc = 0;
	} else {
		gctl_err("expected a verb");
		gctl_print_verbs(stderr);
		rc = GCTL_EXIT_USAGE;
	}
	if (fflush(stdout) != 0 && rc == 0) {
		gctl_err("cannot write output");
		rc = 1;
	}
	return rc;
}
