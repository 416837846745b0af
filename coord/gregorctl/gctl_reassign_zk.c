/* gregorctl reassign --zookeeper, as the ZooKeeper-era
 * kafka-reassign-partitions.sh: --generate reads the current assignment
 * from /brokers/topics/<t> and the brokers from /brokers/ids; --execute
 * writes /admin/reassign_partitions (the controller moves the replicas),
 * with --throttle first writing the throttle configs into
 * /config/brokers/<id> and /config/topics/<t> (with change notifications,
 * through the code configs --zookeeper uses); --verify reports each
 * partition and, once all are done, removes those configs. The plan logic
 * is gctl_reassign.c's, the same as over --bootstrap-server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"

static int grz_current(void *ctx, const char *topic, struct zn_assign **as, int *n)
{
	return gctl_read_assignment(ctx, topic, as, n, NULL);
}

static int grz_configs(void *ctx, int is_broker, const char *name, const char *const *keys,
		       const char *const *values, int n)
{
	char ent[GCTL_PATH_MAX];
	if (gctl_path(ent, "%s/%s", is_broker ? "brokers" : "topics", name))
		return 1;
	return values ? gctl_zcfg_change(ctx, ent, keys, values, n, NULL, 0, 0)
		      : gctl_zcfg_change(ctx, ent, NULL, NULL, 0, keys, n, 0);
}

/* The ZooKeeper side of gctl_reassign_*; brokers malloc'd (free them). */
static int grz_source(struct gctl *g, struct gctl_rsrc *s)
{
	int32_t *ids = NULL;
	int n = gctl_live_brokers(g, &ids);
	if (n < 0)
		return 1;
	*s = (struct gctl_rsrc){ g, grz_current, grz_configs, ids, n };
	return 0;
}

/* A partition is in progress while listed in /admin/reassign_partitions,
 * complete when /brokers/topics/<t> has the planned replicas. */
static int grz_state(struct gctl *g, const struct zn_tp *e, const struct zn_tp *moving, int nm)
{
	for (int q = 0; q < nm; q++)
		if (moving[q].partition == e->partition && !strcmp(moving[q].topic, e->topic))
			return 1;
	struct zn_assign *as = NULL;
	int na = 0, done = 0;
	if (gctl_read_assignment(g, e->topic, &as, &na, NULL) == 0)
		for (int q = 0; q < na; q++)
			done |= as[q].partition == e->partition && as[q].n_replicas == e->n_replicas &&
				!memcmp(as[q].replicas, e->replicas,
					sizeof(int32_t) * (size_t)e->n_replicas);
	free(as);
	return done ? 0 : 2;
}

static int grz_verify(struct gctl *g, const struct zn_tp *v, int n)
{
	static const char *const said[] = { "is completed", "is still in progress",
					    "is not in progress and its replicas differ from the plan" };
	char *admin = NULL;
	int alen = 0, open = 0;
	int rc = gctl_get(g, "/admin/reassign_partitions", &admin, &alen, NULL);
	if (rc == GCTL_FAIL)
		return 1;
	struct zn_tp *moving = calloc((size_t)(alen / 24 + 1), sizeof *moving);
	int nm = rc == 0 && moving && alen > 0
		 ? zn_tp_list_parse(admin, (size_t)alen, moving, alen / 24 + 1) : 0;
	for (int i = 0; i < n; i++) {
		int st = grz_state(g, &v[i], moving, nm);
		open |= st != 0;
		printf("Reassignment of partition %s-%d %s\n", v[i].topic, v[i].partition, said[st]);
	}
	free(moving);
	free(admin);
	if (open)
		return 1;
	/* every partition done: the throttle goes, as the ZooKeeper-era tool */
	struct gctl_rsrc s;
	if (grz_source(g, &s))
		return 1;
	rc = gctl_reassign_throttle(&s, v, n, -1);
	free((void *)s.brokers);
	return rc;
}

/* --throttle before the move starts (refused, as the move would be, while
 * another reassignment is in progress), then /admin/reassign_partitions. */
static int grz_execute(struct gctl *g)
{
	if (g->o.throttle > 0) {
		char *d = NULL;
		int len, rc = gctl_get(g, "/admin/reassign_partitions", &d, &len, NULL);
		free(d);
		if (rc == 0)
			return gctl_err("a partition reassignment is in progress"), 1;
		if (rc != GCTL_NONODE)
			return 1;
		int n;
		struct zn_tp *v = gctl_read_plan(g, &n);
		struct gctl_rsrc s = { 0 };
		rc = !v || grz_source(g, &s) || gctl_reassign_throttle(&s, v, n, g->o.throttle);
		free((void *)s.brokers);
		free(v);
		if (rc)
			return 1;
	}
	return gctl_cmd_partitions(g, "reassign");
}

int gctl_reassign_zk(struct gctl *g)
{
	int generate = g->o.action && !strcmp(g->o.action, "generate");
	if (g->o.execute + g->o.verify + generate != 1 || g->o.cancel)
		return gctl_usage_err("reassign", "over --zookeeper: --generate, --execute or "
				      "--verify (--cancel needs --bootstrap-server)");
	if (g->o.throttle > 0 && !g->o.execute)
		return gctl_usage_err("reassign", "--throttle goes with --execute");
	if (g->o.wait_s > 0)
		return gctl_usage_err("reassign", "--wait needs --bootstrap-server (over "
				      "--zookeeper, --verify until it exits 0)");
	if (gctl_zk_open(g, "reassign"))
		return 1;
	int rc = 1;
	if (generate) {
		struct gctl_rsrc s;
		if (!grz_source(g, &s)) {
			rc = gctl_reassign_generate(&g->o, &s);
			free((void *)s.brokers);
		}
	} else if (g->o.execute) {
		rc = grz_execute(g);
	} else {
		int n;
		struct zn_tp *v = gctl_read_plan(g, &n);
		rc = v ? grz_verify(g, v, n) : 1;
		free(v);
	}
	gctl_close(g);
	return rc;
}
