/* Admin requests (CreateTopics, DeleteTopics, CreatePartitions) from any
 * broker: queued to the coordination thread, answered on the loop thread.
 * Like Kafka's AdminZkClient they only write znodes; the controller does the
 * rest when its watches fire. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/assign.h"
#include "coord/coord_int.h"


enum admin_kind { ADMIN_CREATE, ADMIN_DELETE, ADMIN_PARTITIONS };

struct admin_op {
	struct coord *c;
	enum admin_kind kind;
	coord_done_fn done;
	void *arg;
	char *name;
	int32_t num_partitions;   /* create; count for ADMIN_PARTITIONS */
	int16_t rf;
	int32_t *assign;
	int32_t n_assign, assign_rf;
	/* ADMIN_PARTITIONS explicit lists: assign[assign_off[k] ..
	 * assign_off[k+1]) for new partition k; has_assign even when empty */
	int32_t *assign_off;
	int has_assign;
	char **ckeys, **cvals;
	int n_configs;
	int validate_only;
};

struct coord_result {
	coord_done_fn done;
	void *arg;
	int16_t kerr;
	int has_msg;
	char msg[320];
};

static void coord_result_deliver(void *p)
{
	struct coord_result *r = p;
	r->done(r->arg, r->kerr, r->has_msg ? r->msg : NULL);
	free(r);
}

void coord_post_done(struct coord *c, coord_done_fn done, void *arg, int16_t kerr,
		     const char *msg)
{
	struct coord_result *r = done ? calloc(1, sizeof *r) : NULL;
	if (!r)
		return;
	*r = (struct coord_result){ .done = done, .arg = arg, .kerr = kerr, .has_msg = msg != NULL };
	if (msg)
		snprintf(r->msg, sizeof r->msg, "%s", msg);
	mbox_post(c->loop_mbox, coord_result_deliver, r);
}

static void admin_free(struct admin_op *op)
{
	for (int k = 0; k < op->n_configs; k++) {
		free(op->ckeys[k]);
		free(op->cvals[k]);
	}
	free(op->ckeys);
	free(op->cvals);
	free(op->assign);
	free(op->assign_off);
	free(op->name);
	free(op);
}

static void admin_finish(struct admin_op *op, int16_t kerr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void admin_finish(struct admin_op *op, int16_t kerr, const char *fmt, ...)
{
	char msg[320];
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	coord_post_done(op->c, op->done, op->arg, kerr, fmt ? msg : NULL);
	admin_free(op);
}

#define ADMIN_FAIL(...) do { admin_finish(__VA_ARGS__); return; } while (0)

static int admin_rand(int n)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint32_t)clock_mono_ms();
	return (int)(r % (uint32_t)n);
}

static int admin_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* Live broker ids, sorted. Returns count or -1. */
static int admin_live_brokers(struct coord *c, int32_t **out)
{
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, "/brokers/ids", 0, &kids) != ZOK)
		return -1;
	int32_t *v = calloc((size_t)kids.count + 1, sizeof *v);
	int n = 0;
	for (int k = 0; v && k < kids.count; k++) {
		char *e;
		long id = strtol(kids.data[k], &e, 10);
		if (*kids.data[k] && !*e && id >= 0 && id <= INT32_MAX)
			v[n++] = (int32_t)id;
	}
	deallocate_String_vector(&kids);
	if (!v)
		return -1;
	qsort(v, (size_t)n, sizeof *v, admin_cmp_i32);
	*out = v;
	return n;
}

/* Kafka rejects names that collide once '.' and '_' are identified. */
static int admin_name_collides(struct coord *c, const char *name)
{
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, "/brokers/topics", 0, &kids) != ZOK)
		return 0;
	int hit = 0;
	for (int k = 0; k < kids.count && !hit; k++) {
		const char *a = kids.data[k], *b = name;
		if (strcmp(a, b) == 0 || strlen(a) != strlen(b))
			continue;
		hit = 1;
		for (; *a && hit; a++, b++)
			hit = *a == *b || ((*a == '.' || *a == '_') && (*b == '.' || *b == '_'));
	}
	deallocate_String_vector(&kids);
	return hit;
}

static int admin_explicit_assignment(struct admin_op *op, const int32_t *live,
				     int n_live, struct zn_assign *as)
{
	if (op->assign_rf < 1 || op->assign_rf > ZN_MAX_REPLICAS)
		return KERR_INVALID_REPLICA_ASSIGNMENT;
	for (int32_t p = 0; p < op->n_assign; p++) {
		as[p].partition = p;
		as[p].n_replicas = op->assign_rf;
		for (int r = 0; r < op->assign_rf; r++) {
			int32_t id = op->assign[p * op->assign_rf + r];
			if (!bsearch(&id, live, (size_t)n_live, sizeof id, admin_cmp_i32))
				return KERR_INVALID_REPLICA_ASSIGNMENT;
			for (int q = 0; q < r; q++)
				if (as[p].replicas[q] == id)
					return KERR_INVALID_REPLICA_ASSIGNMENT;
			as[p].replicas[r] = id;
		}
	}
	return 0;
}

static int admin_write_config(struct coord *c, struct admin_op *op)
{
	char path[512];
	struct zbuf b;
	snprintf(path, sizeof path, "/config/topics/%s", op->name);
	zb_init(&b);
	zn_config_build(&b, (const char *const *)op->ckeys,
			(const char *const *)op->cvals, op->n_configs);
	int rc = b.oom ? ZSYSTEMERROR :
		 zoo_create(c->zh, path, b.p, (int)b.len, zk_acl(c, path), 0, NULL, 0);
	if (rc == ZNODEEXISTS) /* left by an earlier attempt: overwrite */
		rc = zoo_set(c->zh, path, b.p, (int)b.len, -1);
	zb_free(&b);
	return rc;
}

static void admin_create(struct coord *c, struct admin_op *op)
{
	if (!zn_topic_name_valid(op->name))
		ADMIN_FAIL(op, KERR_INVALID_TOPIC_EXCEPTION, "Topic name \"%s\" is illegal", op->name);
	int32_t nparts = op->assign ? op->n_assign :
			 op->num_partitions == -1 ? c->cfg.num_partitions : op->num_partitions;
	int rf = op->assign ? op->assign_rf :
		 op->rf == -1 ? c->cfg.default_replication_factor : op->rf;
	if (nparts < 1 || nparts > 1000000)
		ADMIN_FAIL(op, KERR_INVALID_PARTITIONS,
				    "Number of partitions must be larger than 0.");
	int32_t *live = NULL;
	int n_live = admin_live_brokers(c, &live);
	if (n_live < 0)
		ADMIN_FAIL(op, KERR_REQUEST_TIMED_OUT, "ZooKeeper unavailable");
	struct zn_assign *as = NULL;
	char path[512];
	int16_t kerr = 0;
	snprintf(path, sizeof path, "/brokers/topics/%s", op->name);
	struct Stat st;
	if (rf < 1 || rf > n_live || rf > ZN_MAX_REPLICAS) {
		admin_finish(op, KERR_INVALID_REPLICATION_FACTOR, "Replication factor: %d larger than "
			     "available brokers: %d.", rf, n_live);
		goto out;
	}
	if (zoo_exists(c->zh, path, 0, &st) == ZOK) {
		admin_finish(op, KERR_TOPIC_ALREADY_EXISTS, "Topic '%s' already exists.", op->name);
		goto out;
	}
	if (admin_name_collides(c, op->name)) {
		admin_finish(op, KERR_INVALID_TOPIC_EXCEPTION, "Topic '%s' collides with an "
			     "existing topic ('.' and '_' clash)", op->name);
		goto out;
	}
	as = calloc((size_t)nparts, sizeof *as);
	if (!as) {
		admin_finish(op, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
		goto out;
	}
	if (op->assign)
		kerr = (int16_t)admin_explicit_assignment(op, live, n_live, as);
	else
		assign_replicas(live, n_live, nparts, rf, 0, admin_rand(n_live),
				admin_rand(n_live), as);
	if (kerr) {
		admin_finish(op, kerr, "Invalid replica assignment");
		goto out;
	}
	if (op->validate_only) {
		admin_finish(op, 0, NULL);
		goto out;
	}
	int rc = admin_write_config(c, op);
	if (rc == ZOK) {
		struct zbuf b;
		zb_init(&b);
		/* Kafka 2.8+ writes the new topic's id with its assignment */
		uint8_t id[16];
		int have_id = zn_uuid_generate(id) == 0;
		zn_topic_build_id(&b, have_id ? id : NULL, as, nparts);
		rc = b.oom ? ZSYSTEMERROR :
		     zoo_create(c->zh, path, b.p, (int)b.len, zk_acl(c, path), 0, NULL, 0);
		zb_free(&b);
	}
	if (rc == ZNODEEXISTS)
		admin_finish(op, KERR_TOPIC_ALREADY_EXISTS, "Topic '%s' already exists.", op->name);
	else if (rc != ZOK)
		admin_finish(op, KERR_UNKNOWN_SERVER_ERROR, "ZooKeeper: %s", zerror(rc));
	else {
		log_info(COORD_MOD, "created topic %s (%d partitions, rf %d)", op->name,
			 nparts, rf);
		admin_finish(op, 0, NULL);
	}
out:
	free(as);
	free(live);
}

static void admin_delete(struct coord *c, struct admin_op *op)
{
	char path[512];
	struct Stat st;
	if (!c->cfg.delete_topic_enable)
		ADMIN_FAIL(op, KERR_TOPIC_DELETION_DISABLED,
				    "Topic deletion is disabled.");
	snprintf(path, sizeof path, "/brokers/topics/%s", op->name);
	if (strlen(op->name) > 249 || zoo_exists(c->zh, path, 0, &st) != ZOK)
		ADMIN_FAIL(op, KERR_UNKNOWN_TOPIC_OR_PARTITION,
				    "This server does not host this topic-partition.");
	snprintf(path, sizeof path, "/admin/delete_topics/%s", op->name);
	int rc = zoo_create(c->zh, path, NULL, -1, zk_acl(c, path), 0, NULL, 0);
	if (rc != ZOK && rc != ZNODEEXISTS)
		ADMIN_FAIL(op, KERR_UNKNOWN_SERVER_ERROR, "ZooKeeper: %s", zerror(rc));
	admin_finish(op, 0, NULL);
}

/* Appends printf output to a fixed message buffer; truncates silently. */
static void admin_msg_add(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void admin_msg_add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}

static int admin_has_id(const int32_t *v, int n, int32_t id)
{
	for (int k = 0; k < n; k++)
		if (v[k] == id)
			return 1;
	return 0;
}

/* Kafka's AdminManager.createPartitions checks on explicit lists: unknown
 * (unregistered) brokers, then the number of lists against the increase. */
static int16_t admin_check_lists(const struct admin_op *op, const int32_t *live,
				 int n_live, int32_t increase, char *msg, size_t cap)
{
	int32_t total = op->assign_off[op->n_assign];
	int unknown = 0;
	for (int32_t k = 0; k < total; k++) {
		int32_t id = op->assign[k];
		if (bsearch(&id, live, (size_t)n_live, sizeof id, admin_cmp_i32) ||
		    admin_has_id(op->assign, k, id))
			continue; /* live, or already named */
		admin_msg_add(msg, cap, "%s%d", unknown++ ? ", " :
			      "Unknown broker(s) in replica assignment: ", id);
	}
	if (unknown) {
		admin_msg_add(msg, cap, ".");
		return KERR_INVALID_REPLICA_ASSIGNMENT;
	}
	if (op->n_assign != increase) {
		snprintf(msg, cap, "Increasing the number of partitions by %d but %d "
			 "assignments provided.", increase, op->n_assign);
		return KERR_INVALID_REPLICA_ASSIGNMENT;
	}
	return 0;
}

/* Kafka's AdminZkClient.validateReplicaAssignment for the new partitions
 * (ids first..): none empty, no duplicates, all of partition 0's size. */
static int16_t admin_check_replicas(const struct admin_op *op, int32_t first,
				    int rf0, char *msg, size_t cap)
{
	int bad = 0;
	for (int32_t p = 0; p < op->n_assign; p++) {
		const int32_t *r = &op->assign[op->assign_off[p]];
		int32_t n = op->assign_off[p + 1] - op->assign_off[p];
		if (n > ZN_MAX_REPLICAS) {
			snprintf(msg, cap, "partition id %d: more than %d replicas",
				 first + p, ZN_MAX_REPLICAS);
			return KERR_INVALID_REPLICA_ASSIGNMENT;
		}
		if (n == 0) {
			snprintf(msg, cap, "Cannot have replication factor of 0 for "
				 "partition id %d.", first + p);
			return KERR_INVALID_REPLICA_ASSIGNMENT;
		}
		int dup = 0;
		for (int32_t k = 1; k < n && !dup; k++)
			dup = admin_has_id(r, k, r[k]);
		if (dup) {
			msg[0] = 0;
			for (int32_t k = 0; k < n; k++)
				admin_msg_add(msg, cap, "%s%d", k ? ", " : "Duplicate brokers "
					      "not allowed in replica assignment: ", r[k]);
			admin_msg_add(msg, cap, " for partition id %d.", first + p);
			return KERR_INVALID_REPLICA_ASSIGNMENT;
		}
		bad |= n != rf0;
	}
	if (!bad)
		return 0;
	char parts[128] = "", rfs[128] = "";
	for (int32_t p = 0, k = 0; p < op->n_assign; p++) {
		int32_t n = op->assign_off[p + 1] - op->assign_off[p];
		if (n == rf0)
			continue;
		admin_msg_add(parts, sizeof parts, "%s%d", k ? ", " : "", first + p);
		admin_msg_add(rfs, sizeof rfs, "%s%d", k++ ? ", " : "", n);
	}
	snprintf(msg, cap, "Inconsistent replication factor between partitions, "
		 "partition 0 has %d while partitions [%s] have replication factors "
		 "[%s], respectively.", rf0, parts, rfs);
	return KERR_INVALID_REPLICA_ASSIGNMENT;
}

/* Fills as[n..count) from the explicit lists or Kafka's round-robin; 0 or
 * a Kafka error with msg set. */
static int16_t admin_new_partitions(struct coord *c, struct admin_op *op,
				    struct zn_assign *as, int n, char *msg, size_t cap)
{
	int32_t count = op->num_partitions, *live = NULL;
	int n_live = admin_live_brokers(c, &live);
	int16_t kerr = 0;
	if (n_live < 0) {
		snprintf(msg, cap, "ZooKeeper unavailable");
		kerr = KERR_REQUEST_TIMED_OUT;
	} else if (op->has_assign) {
		kerr = admin_check_lists(op, live, n_live, count - n, msg, cap);
		if (!kerr)
			kerr = admin_check_replicas(op, n, as[0].n_replicas, msg, cap);
		for (int32_t p = 0; !kerr && p < op->n_assign; p++) {
			int32_t nr = op->assign_off[p + 1] - op->assign_off[p];
			as[n + p].partition = n + p;
			as[n + p].n_replicas = nr;
			memcpy(as[n + p].replicas, &op->assign[op->assign_off[p]],
			       (size_t)nr * sizeof *op->assign);
		}
	} else if (n_live < as[0].n_replicas) {
		snprintf(msg, cap, "Replication factor: %d larger than available "
			 "brokers: %d.", as[0].n_replicas, n_live);
		kerr = KERR_INVALID_REPLICATION_FACTOR;
	} else {
		/* Kafka starts where partition 0's preferred replica sits */
		int start = 0;
		for (int k = 0; k < n_live; k++)
			if (live[k] == as[0].replicas[0])
				start = k;
		assign_replicas(live, n_live, count - n, as[0].n_replicas, n, start,
				start, &as[n]);
	}
	free(live);
	return kerr;
}

static void admin_partitions(struct coord *c, struct admin_op *op)
{
	char path[512], *d;
	int l;
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/topics/%s", op->name);
	if (strlen(op->name) > 249 || zk_get_alloc(c, path, 0, &d, &l, &st) != ZOK)
		ADMIN_FAIL(op, KERR_UNKNOWN_TOPIC_OR_PARTITION,
				    "This server does not host this topic-partition.");
	int32_t count = op->num_partitions;
	int max = l / 4 + 1;
	struct zn_assign *as = NULL;
	int n = -1;
	if (count > 0 && count <= 1000000)
		as = calloc((size_t)(count > max ? count : max), sizeof *as);
	if (as)
		n = zn_topic_parse(d, (size_t)l, as, count > max ? count : max);
	/* the topic keeps its id (the controller assigns one if it has none) */
	uint8_t id[16];
	int have_id = zn_topic_id_parse(d, (size_t)l, id) == 0;
	free(d);
	int moving = 0;
	for (int k = 0; k < n; k++)
		moving |= as[k].n_adding > 0 || as[k].n_removing > 0;
	char msg[256] = "";
	int16_t kerr;
	if (moving) {
		/* Kafka's AdminManager refuses while the topic is being reassigned */
		admin_finish(op, KERR_REASSIGNMENT_IN_PROGRESS, "A partition reassignment "
			     "is in progress for the topic '%s'.", op->name);
	} else if (n > 0 && count < n) {
		admin_finish(op, KERR_INVALID_PARTITIONS, "Topic currently has %d "
			     "partitions, which is higher than the requested %d.", n, count);
	} else if (n > 0 && count == n) {
		admin_finish(op, KERR_INVALID_PARTITIONS, "Topic already has %d "
			     "partitions.", n);
	} else if (n <= 0) {
		admin_finish(op, KERR_INVALID_PARTITIONS, "cannot extend topic %s to %d "
			     "partitions", op->name, count);
	} else if ((kerr = admin_new_partitions(c, op, as, n, msg, sizeof msg))) {
		admin_finish(op, kerr, "%s", msg);
	} else {
		int rc = ZOK;
		if (!op->validate_only) {
			struct zbuf b;
			zb_init(&b);
			zn_topic_build_id(&b, have_id ? id : NULL, as, count);
			rc = b.oom ? ZSYSTEMERROR :
			     zoo_set(c->zh, path, b.p, (int)b.len, st.version);
			zb_free(&b);
		}
		if (rc == ZOK) {
			if (!op->validate_only)
				log_info(COORD_MOD, "topic %s: %d -> %d partitions%s", op->name,
					 n, count, op->has_assign ? " (explicit assignment)" : "");
			admin_finish(op, 0, NULL);
		} else {
			admin_finish(op, KERR_UNKNOWN_SERVER_ERROR, "ZooKeeper: %s", zerror(rc));
		}
	}
	free(as);
}

static void admin_run(void *p)
{
	struct admin_op *op = p;
	struct coord *c = op->c;
	if (atomic_load(&c->stopping) || !c->zh || zoo_state(c->zh) != ZOO_CONNECTED_STATE)
		ADMIN_FAIL(op, KERR_REQUEST_TIMED_OUT,
				    "ZooKeeper session not available");
	switch (op->kind) {
	case ADMIN_CREATE: admin_create(c, op); break;
	case ADMIN_DELETE: admin_delete(c, op); break;
	case ADMIN_PARTITIONS: admin_partitions(c, op); break;
	}
}

static struct admin_op *admin_new(struct coord *c, enum admin_kind kind,
				  const char *name, coord_done_fn done, void *arg)
{
	struct admin_op *op = calloc(1, sizeof *op);
	if (!op)
		return NULL;
	op->c = c;
	op->kind = kind;
	op->done = done;
	op->arg = arg;
	op->name = strdup(name ? name : "");
	if (!op->name) {
		free(op);
		return NULL;
	}
	return op;
}

static void admin_fail_oom(struct coord *c, coord_done_fn done, void *arg)
{
	struct admin_op tmp = { .c = c, .done = done, .arg = arg };
	struct admin_op *op = malloc(sizeof *op);
	if (!op)
		return; /* cannot even answer; the request will time out */
	*op = tmp;
	admin_finish(op, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
}

void coord_create_topic(struct coord *c, const struct coord_new_topic *t,
			coord_done_fn done, void *arg)
{
	struct admin_op *op = admin_new(c, ADMIN_CREATE, t->name, done, arg);
	if (!op)
		{
		admin_fail_oom(c, done, arg);
		return;
	}
	op->num_partitions = t->num_partitions;
	op->rf = t->replication_factor;
	op->validate_only = t->validate_only;
	int bad = 0;
	if (t->assignment && t->n_assign > 0 && t->assign_rf > 0 &&
	    (int64_t)t->n_assign * t->assign_rf <= 1 << 24) {
		size_t n = (size_t)t->n_assign * (size_t)t->assign_rf;
		op->assign = malloc(n * sizeof *op->assign);
		bad |= !op->assign;
		if (op->assign)
			memcpy(op->assign, t->assignment, n * sizeof *op->assign);
		op->n_assign = t->n_assign;
		op->assign_rf = t->assign_rf;
	}
	if (t->n_configs > 0) {
		op->ckeys = calloc((size_t)t->n_configs, sizeof *op->ckeys);
		op->cvals = calloc((size_t)t->n_configs, sizeof *op->cvals);
		bad |= !op->ckeys || !op->cvals;
		for (int k = 0; !bad && k < t->n_configs; k++) {
			op->ckeys[k] = strdup(t->configs[k].name ? t->configs[k].name : "");
			op->cvals[k] = strdup(t->configs[k].value ? t->configs[k].value : "");
			op->n_configs = k + 1;
			bad |= !op->ckeys[k] || !op->cvals[k];
		}
	}
	if (bad) {
		admin_finish(op, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
		return;
	}
	mbox_post(c->events, admin_run, op);
}

void coord_delete_topic(struct coord *c, const char *name, coord_done_fn done,
			void *arg)
{
	struct admin_op *op = admin_new(c, ADMIN_DELETE, name, done, arg);
	if (!op)
		{
		admin_fail_oom(c, done, arg);
		return;
	}
	mbox_post(c->events, admin_run, op);
}

void coord_create_partitions(struct coord *c, const char *name, int32_t count,
			     int validate_only, coord_done_fn done, void *arg)
{
	struct admin_op *op = admin_new(c, ADMIN_PARTITIONS, name, done, arg);
	if (!op)
		{
		admin_fail_oom(c, done, arg);
		return;
	}
	op->num_partitions = count;
	op->validate_only = validate_only;
	mbox_post(c->events, admin_run, op);
}

void coord_create_partitions_assigned(struct coord *c,
				      const struct coord_new_partitions *np,
				      coord_done_fn done, void *arg)
{
	struct admin_op *op = admin_new(c, ADMIN_PARTITIONS, np->name, done, arg);
	if (!op) {
		admin_fail_oom(c, done, arg);
		return;
	}
	op->num_partitions = np->count;
	op->validate_only = np->validate_only;
	if (np->has_assign) {
		int32_t na = np->n_assign > 0 ? np->n_assign : 0;
		int32_t total = na > 0 ? np->offsets[na] : 0;
		op->has_assign = 1;
		op->n_assign = na;
		op->assign_off = malloc(((size_t)na + 1) * sizeof *op->assign_off);
		op->assign = malloc(((size_t)total + 1) * sizeof *op->assign);
		if (!op->assign_off || !op->assign) {
			admin_finish(op, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
			return;
		}
		op->assign_off[0] = 0;
		if (na > 0)
			memcpy(op->assign_off, np->offsets, ((size_t)na + 1) * sizeof *op->assign_off);
		if (total > 0)
			memcpy(op->assign, np->replicas, (size_t)total * sizeof *op->assign);
	}
	mbox_post(c->events, admin_run, op);
}
