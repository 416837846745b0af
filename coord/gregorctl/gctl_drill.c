/* gregorctl drill NAME: a failover drill against any cluster. It creates a
 * topic, runs a load (acks=all, or transactions), injects one fault through
 * the operator's command templates (--kill 'podman kill kafka-{id}' ...),
 * waits for the cluster to recover, reads everything back and prints a
 * verdict: acknowledged, lost, duplicates, failed, time to recover. Exit 0
 * PASS, 1 writes lost (or exactly-once broken), 2 the drill could not be
 * carried out, 3 nothing lost but produces failed, 64 usage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_drill.h"
#include "coord/gregorctl/gctl_kafka.h"

#define DRILL_USAGE 64
#define DRILL_MAX_EVENTS 16

struct drill_opts {
	const char *name, *bootstrap, *zookeeper, *topic;
	const char *kill, *start, *stop, *isolate, *heal, *zk_kill, *zk_start;
	int partitions, rf, rate, down_s, warmup_s, settle_s, timeout_s, cmd_timeout_s;
	int zk_id, txn_size, idempotent, json;
	struct drill_client client;
};

struct drill {
	struct drill_opts o;
	rd_kafka_t *obs;          /* metadata and admin requests */
	struct drill_load load;
	struct drill_view v0;     /* the cluster before the fault */
	int64_t start_ms;         /* drill clock for messages */
	int64_t fault_ms;         /* first fault on the load clock; -1 none */
	int incomplete;           /* a step failed: exit 2 unless worse */
	char topic[256], tag[64], txn_id[128], why[256];
	char events[DRILL_MAX_EVENTS][200];
	int n_events;
};

static const char drill_usage_text[] =
	"usage: gregorctl drill NAME --bootstrap HOST:PORT[,...] [options]\n"
	"  NAME: leader-kill | controller-kill | isolate | zk-kill | rolling-restart |\n"
	"        txn-coordinator-kill\n"
	"  command templates ({id}: the broker id, or the ZooKeeper server number):\n"
	"    --kill CMD       SIGKILL a broker    e.g. 'deploy/cluster.sh kill {id}'\n"
	"    --start CMD      start it again, returning once it runs\n"
	"    --stop CMD       stop it cleanly (rolling-restart; default: --kill)\n"
	"    --isolate CMD    cut it off the network; --heal CMD reconnects it\n"
	"    --zk-kill CMD    kill ZooKeeper server {id}; --zk-start CMD starts it\n"
	"  --zookeeper H:P,...  the ensemble in server order (zk-kill finds its\n"
	"                   leader with 'srvr'); --zk-id N picks server N instead\n"
	"  --topic T        the drill topic (default gregor-drill-NAME-TIME; created\n"
	"                   with --partitions 6 --replication-factor 3 if missing)\n"
	"  --rate N         messages per second (300)     --idempotent\n"
	"  --warmup S (5)   load before the fault          --down S (5) fault held\n"
	"  --settle S (3)   load after recovery            --timeout S (120) per wait\n"
	"  --command-timeout S (180)   -X key=value  librdkafka client property\n"
	"  --txn-size N (20) messages per transaction (txn-coordinator-kill)\n"
	"  --json           the verdict as one JSON object\n"
	"  --verbose        librdkafka's own log lines too\n"
	"exit: 0 PASS, 1 acknowledged writes lost or exactly-once broken, 2 the drill\n"
	"      could not be carried out, 3 nothing lost but produces failed, 64 usage\n";

static void drill_say(const struct drill *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void drill_say(const struct drill *d, const char *fmt, ...)
{
	va_list ap;
	int64_t ms = drill_now_ms() - d->start_ms;
	fprintf(stderr, "[drill %s +%" PRId64 ".%" PRId64 "s] ", d->o.name, ms / 1000,
		ms % 1000 / 100);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A fact for the verdict ("leader of T-0 moved from 1 to 2 in 1800 ms"). */
static void drill_event(struct drill *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void drill_event(struct drill *d, const char *fmt, ...)
{
	va_list ap;
	char *e = d->events[d->n_events < DRILL_MAX_EVENTS ? d->n_events++ : DRILL_MAX_EVENTS - 1];
	va_start(ap, fmt);
	vsnprintf(e, sizeof d->events[0], fmt, ap);
	va_end(ap);
	drill_say(d, "%s", e);
}

/* The step that failed; the drill still stops its load and reads back. */
static int drill_fail(struct drill *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int drill_fail(struct drill *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof d->why, fmt, ap);
	va_end(ap);
	d->incomplete = 1;
	drill_say(d, "FAILED: %s", d->why);
	return -1;
}

/* ---- command templates */

/* tpl with every {id} replaced; 0, or -1 if it does not fit. */
static int drill_expand(const char *tpl, int32_t id, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *s = tpl; *s; ) {
		char num[16];
		const char *piece = s;
		size_t len = 1;
		if (strncmp(s, "{id}", 4) == 0) {
			snprintf(num, sizeof num, "%d", id);
			piece = num;
			len = strlen(num);
			s += 4;
		} else {
			s++;
		}
		if (n + len >= cap)
			return -1;
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* Waits for pid up to the command timeout, then kills its process group. */
static int drill_reap(const struct drill *d, pid_t pid, int *status)
{
	int64_t deadline = drill_now_ms() + (int64_t)d->o.cmd_timeout_s * 1000;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (drill_now_ms() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, status, 0);
			return -1;
		}
		drill_sleep_ms(50);
	}
}

/* Runs a template with /bin/sh (its output to stderr); 0 when it exited 0. */
static int drill_cmd(struct drill *d, const char *what, const char *tpl, int32_t id)
{
	char cmd[4096];
	int status = 0;
	if (drill_expand(tpl, id, cmd, sizeof cmd))
		return drill_fail(d, "%s: command too long", what);
	drill_say(d, "%s %d: $ %s", what, id, cmd);
	fflush(stderr);
	int64_t t0 = drill_now_ms();
	pid_t pid = fork();
	if (pid < 0)
		return drill_fail(d, "%s: fork: %s", what, strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		dup2(2, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (drill_reap(d, pid, &status))
		return drill_fail(d, "%s %d: '%s' still running after %d s (killed)", what, id, cmd,
				  d->o.cmd_timeout_s);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return drill_fail(d, "%s %d: '%s' failed (%s %d)", what, id, cmd,
				  WIFEXITED(status) ? "exit" : "signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	drill_say(d, "%s %d: done in %" PRId64 " ms", what, id, drill_now_ms() - t0);
	return 0;
}

/* Marks the first fault on the load's clock (time to recover counts from it). */
static void drill_mark_fault(struct drill *d)
{
	if (d->fault_ms < 0)
		d->fault_ms = drill_now_ms() - d->load.t0_ms;
}

/* ---- waiting on the cluster */

typedef int (*drill_cond)(const struct drill *d, const struct drill_view *v, int32_t arg);

static int drill_cond_healthy(const struct drill *d, const struct drill_view *v, int32_t arg)
{
	(void)arg;
	return drill_view_healthy(v) && v->n_brokers >= d->v0.n_brokers;
}

static int drill_view_same(const struct drill_view *a, const struct drill_view *b)
{
	if (a->n_parts != b->n_parts)
		return 0;
	for (int p = 0; p < a->n_parts; p++)
		if (a->leader[p] != b->leader[p] || a->n_isr[p] != b->n_isr[p])
			return 0;
	return 1;
}

/* Calls fn(d, addr, arg) for each host:port of --bootstrap until it
 * returns non-zero; that value, or 0. */
static int drill_each_addr(const struct drill *d, int (*fn)(const struct drill *, const char *,
							  void *), void *arg)
{
	char list[1024], *save = NULL;
	snprintf(list, sizeof list, "%s", d->o.client.bootstrap);
	for (char *a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		int rc = fn(d, a, arg);
		if (rc)
			return rc;
	}
	return 0;
}

static int drill_addr_disagrees(const struct drill *d, const char *addr, void *arg)
{
	struct drill_view own;
	return drill_view_get_at(&d->o.client, addr, d->topic, &own, 3000) ||
	       !drill_view_same(&own, arg);
}

/* Healthy, and every broker of --bootstrap, asked alone, says the same: a
 * broker cut off from ZooKeeper keeps the view it had (itself leading,
 * the ISR full) until the controller reaches it, and a client that asks it
 * first believes it. */
static int drill_cond_converged(const struct drill *d, const struct drill_view *v, int32_t arg)
{
	return drill_cond_healthy(d, v, arg) &&
	       !drill_each_addr(d, drill_addr_disagrees, (void *)v);
}

static int drill_addr_report(const struct drill *d, const char *addr, void *arg)
{
	struct drill_view own;
	(void)arg;
	if (drill_view_get_at(&d->o.client, addr, d->topic, &own, 3000))
		drill_say(d, "  %s: no Metadata answer", addr);
	else
		drill_say(d, "  %s: leader of partition 0 is %d (ISR %d of %d)", addr,
			  own.leader[0], own.n_isr[0], own.n_replicas[0]);
	return 0;
}

static int drill_cond_leader_moved(const struct drill *d, const struct drill_view *v, int32_t old)
{
	(void)d;
	return v->leader[0] >= 0 && v->leader[0] != old;
}

static int drill_cond_controller_moved(const struct drill *d, const struct drill_view *v,
				       int32_t old)
{
	(void)d;
	return v->controller >= 0 && v->controller != old;
}

struct drill_probe {
	drill_cond cond;
	int32_t arg;
	struct drill_view v;
};

static int drill_addr_satisfies(const struct drill *d, const char *addr, void *arg)
{
	struct drill_probe *pr = arg;
	return drill_view_get_at(&d->o.client, addr, d->topic, &pr->v, 3000) == 0 &&
	       pr->cond(d, &pr->v, pr->arg);
}

/* Polls the view until cond held on `need` views in a row; ms waited, or
 * -1 after --timeout (the step fails). Stale caches of a lagging broker are
 * why `need` can be 2. With ask_each, a view that fails is checked again
 * against every broker of --bootstrap asked alone, and the first that
 * satisfies cond counts: for "moved" conditions, which a stale view never
 * satisfies. The observer's client keeps its one connection, and when that
 * goes to a broker cut off from ZooKeeper but not from clients, every
 * answer is that broker's old view (the leader-partition drill once waited
 * out its 120 s on it while the cluster had moved on in 8 s). */
static int64_t drill_wait(struct drill *d, const char *what, drill_cond cond, int32_t arg,
			  int need, int ask_each, struct drill_view *out)
{
	int64_t t0 = drill_now_ms(), deadline = t0 + (int64_t)d->o.timeout_s * 1000;
	struct drill_view v = { 0 };
	int held = 0;
	drill_say(d, "waiting for %s", what);
	for (;;) {
		int ok = drill_view_get(d->obs, d->topic, &v, 3000) == 0 && cond(d, &v, arg);
		struct drill_probe pr = { cond, arg, { 0 } };
		if (!ok && ask_each && drill_each_addr(d, drill_addr_satisfies, &pr)) {
			v = pr.v;
			ok = 1;
		}
		held = ok ? held + 1 : 0;
		if (held >= need) {
			if (out)
				*out = v;
			return drill_now_ms() - t0;
		}
		if (drill_now_ms() > deadline)
			return drill_fail(d, "timed out after %d s waiting for %s", d->o.timeout_s, what);
		drill_sleep_ms(500);
	}
}

static int drill_wait_healthy(struct drill *d, const char *after)
{
	char what[400];
	snprintf(what, sizeof what,
		 "every partition of %s led with its full ISR, the same on every broker", d->topic);
	int64_t ms = drill_wait(d, what, drill_cond_converged, 0, 2, 0, NULL);
	if (ms < 0) {
		drill_say(d, "what each broker of --bootstrap says:");
		drill_each_addr(d, drill_addr_report, NULL);
		return -1;
	}
	drill_event(d, "ISR full again %" PRId64 " ms after %s", ms, after);
	return 0;
}

/* Keeps the fault in place for --down seconds while the load runs. */
static void drill_hold(const struct drill *d, int seconds)
{
	if (d->load.txn_id)
		drill_say(d, "holding for %d s (transactions ended so far: %ld)", seconds,
			  atomic_load(&d->load.txns_done));
	else
		drill_say(d, "holding for %d s (acknowledged so far: %ld)", seconds,
			  atomic_load(&d->load.acked));
	drill_sleep_ms(seconds * 1000);
}

/* ---- the drills */

static int drill_leader_kill(struct drill *d)
{
	int32_t l = d->v0.leader[0];
	struct drill_view v = { 0 };
	drill_say(d, "broker %d leads %s-0: killing it", l, d->topic);
	drill_mark_fault(d);
	if (drill_cmd(d, "kill", d->o.kill, l))
		return -1;
	int64_t ms = drill_wait(d, "a new leader of partition 0", drill_cond_leader_moved, l, 1, 1, &v);
	if (ms < 0)
		return -1;
	drill_event(d, "leader of %s-0 moved from %d to %d in %" PRId64 " ms", d->topic, l,
		    v.leader[0], ms);
	drill_hold(d, d->o.down_s);
	if (drill_cmd(d, "start", d->o.start, l))
		return -1;
	return drill_wait_healthy(d, "the restart");
}

static int drill_isolate(struct drill *d)
{
	int32_t l = d->v0.leader[0];
	struct drill_view v = { 0 };
	drill_say(d, "broker %d leads %s-0: isolating it", l, d->topic);
	drill_mark_fault(d);
	if (drill_cmd(d, "isolate", d->o.isolate, l))
		return -1;
	int64_t ms = drill_wait(d, "a new leader of partition 0", drill_cond_leader_moved, l, 1, 1, &v);
	if (ms >= 0)
		drill_event(d, "leader of %s-0 moved from %d to %d in %" PRId64 " ms", d->topic, l,
			    v.leader[0], ms);
	drill_hold(d, d->o.down_s);
	if (drill_cmd(d, "heal", d->o.heal, l) || ms < 0)
		return -1;
	return drill_wait_healthy(d, "the heal");
}

static int drill_controller_kill(struct drill *d)
{
	int32_t c = d->v0.controller;
	struct drill_view v = { 0 };
	char t2[300];
	if (c < 0)
		return drill_fail(d, "Metadata names no controller");
	drill_say(d, "broker %d is the controller: killing it", c);
	drill_mark_fault(d);
	if (drill_cmd(d, "kill", d->o.kill, c))
		return -1;
	int64_t ms = drill_wait(d, "a new controller", drill_cond_controller_moved, c, 1, 1, &v);
	if (ms < 0)
		return -1;
	drill_event(d, "controller moved from %d to %d in %" PRId64 " ms", c, v.controller, ms);
	/* the new controller serves admin requests: a topic on the survivors */
	snprintf(t2, sizeof t2, "%s-after", d->topic);
	int64_t t0 = drill_now_ms();
	int rf = d->v0.n_brokers - 1 < 3 ? d->v0.n_brokers - 1 : 3;
	if (drill_topic_create(d->obs, t2, 3, rf > 0 ? rf : 1) < 0)
		return drill_fail(d, "CreateTopics %s through the new controller failed", t2);
	drill_event(d, "topic %s created through the new controller in %" PRId64 " ms", t2,
		    drill_now_ms() - t0);
	drill_hold(d, d->o.down_s);
	if (drill_cmd(d, "start", d->o.start, c))
		return -1;
	return drill_wait_healthy(d, "the restart");
}

/* The ensemble's leader by the 'srvr' four-letter word: 1-based position
 * in --zookeeper, 0 when none says leader (a standalone server), -1 on error. */
static int drill_zk_srvr_mode(const char *host, const char *port, char *mode, size_t cap)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct timeval tv = { 3, 0 };
	char buf[4096];
	size_t n = 0;
	ssize_t r;
	if (getaddrinfo(host, port, &hints, &ai))
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	int ok = fd >= 0 && !setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) &&
		 !setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) &&
		 !connect(fd, ai->ai_addr, ai->ai_addrlen) && write(fd, "srvr", 4) == 4;
	freeaddrinfo(ai);
	while (ok && n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	if (fd >= 0)
		close(fd);
	buf[n] = '\0';
	const char *m = strstr(buf, "Mode: ");
	if (!ok || !m)
		return -1;
	snprintf(mode, cap, "%.*s", (int)strcspn(m + 6, "\r\n"), m + 6);
	return 0;
}

static int drill_zk_leader(const struct drill *d)
{
	const char *s = d->o.zookeeper;
	int pos = 0, found = 0;
	size_t end = strcspn(s, "/"); /* the chroot is no server */
	for (size_t i = 0; i < end; pos++) {
		size_t n = strcspn(s + i, ",/");
		char hp[300], mode[64] = "";
		snprintf(hp, sizeof hp, "%.*s", (int)n, s + i);
		char *colon = strrchr(hp, ':');
		if (colon)
			*colon = '\0';
		if (drill_zk_srvr_mode(hp, colon ? colon + 1 : "2181", mode, sizeof mode) == 0) {
			drill_say(d, "ZooKeeper server %d (%.*s): %s", pos + 1, (int)n, s + i, mode);
			if (!strcmp(mode, "leader"))
				found = pos + 1;
		}
		i += n + (s[i + n] == ',');
	}
	return found;
}

static int drill_zk_kill(struct drill *d)
{
	int z = d->o.zk_id;
	struct drill_view v = { 0 };
	if (z <= 0 && (z = drill_zk_leader(d)) <= 0) {
		z = 1;
		drill_say(d, "no ZooKeeper server says leader (standalone?): killing server 1");
	}
	drill_say(d, "killing ZooKeeper server %d", z);
	drill_mark_fault(d);
	if (drill_cmd(d, "zk-kill", d->o.zk_kill, z))
		return -1;
	drill_hold(d, d->o.down_s);
	if (drill_view_get(d->obs, d->topic, &v, 5000) == 0)
		drill_event(d, "with ZooKeeper server %d down: %d of %d brokers in Metadata, "
			    "acknowledged so far %ld", z, v.n_brokers, d->v0.n_brokers,
			    atomic_load(&d->load.acked));
	if (drill_cmd(d, "zk-start", d->o.zk_start, z))
		return -1;
	return drill_wait_healthy(d, "ZooKeeper came back");
}

static int drill_rolling_restart(struct drill *d)
{
	const char *stop = d->o.stop ? d->o.stop : d->o.kill;
	char after[64];
	drill_mark_fault(d);
	for (int i = 0; i < d->v0.n_brokers; i++) {
		int32_t b = d->v0.brokers[i];
		int64_t t0 = drill_now_ms();
		if (drill_cmd(d, "stop", stop, b) || drill_cmd(d, "start", d->o.start, b))
			return -1;
		drill_event(d, "broker %d stopped and started in %" PRId64 " ms", b,
			    drill_now_ms() - t0);
		snprintf(after, sizeof after, "broker %d restarted", b);
		if (drill_wait_healthy(d, after))
			return -1;
	}
	return 0;
}

/* The transaction coordinator of the load's transactional id, asked with
 * FindCoordinator (key type 1) of any broker that answers; -1 if none. */
static int32_t drill_txn_coordinator(const struct drill *d)
{
	struct gctl_opts o;
	struct gk k;
	int32_t who = -1;
	memset(&o, 0, sizeof o);
	o.bootstrap = d->o.bootstrap;
	o.timeout_s = 5;
	if (gk_open(&k, &o))
		return -1;
	struct find_coordinator_request req = { .key = gk_kstr(d->txn_id), .key_type = 1 };
	struct find_coordinator_response resp;
	for (int i = 0; i < k.n_nodes && who < 0; i++)
		if (gk_call(&k, &k.nodes[i].ch, GK_API_FIND_COORDINATOR, 2,
			    &find_coordinator_request_msg, &req,
			    &find_coordinator_response_msg, &resp) == 0 && resp.error_code == 0)
			who = resp.node_id;
	gk_close(&k);
	return who;
}

/* Waits (bounded) until the load ended `n` more transactions. */
static int drill_wait_txns(struct drill *d, long n, const char *what)
{
	long goal = atomic_load(&d->load.txns_done) + n;
	int64_t t0 = drill_now_ms(), deadline = t0 + (int64_t)d->o.timeout_s * 1000;
	while (atomic_load(&d->load.txns_done) < goal) {
		if (d->load.fatal)
			return drill_fail(d, "the transactional producer stopped: %s",
					  d->load.first_error);
		if (drill_now_ms() > deadline)
			return drill_fail(d, "timed out after %d s waiting for %s", d->o.timeout_s, what);
		drill_sleep_ms(200);
	}
	if (strcmp(what, "in the warm-up"))
		drill_event(d, "%ld transactions ended within %" PRId64 " ms %s", n,
			    drill_now_ms() - t0, what);
	return 0;
}

static int drill_txn_coordinator_kill(struct drill *d)
{
	int32_t c = drill_txn_coordinator(d), c2 = -1;
	if (c < 0)
		return drill_fail(d, "no transaction coordinator found for %s", d->txn_id);
	drill_say(d, "broker %d coordinates %s: killing it", c, d->txn_id);
	drill_mark_fault(d);
	if (drill_cmd(d, "kill", d->o.kill, c))
		return -1;
	int64_t t0 = drill_now_ms(), deadline = t0 + (int64_t)d->o.timeout_s * 1000;
	while ((c2 = drill_txn_coordinator(d)) < 0 || c2 == c) {
		if (drill_now_ms() > deadline)
			return drill_fail(d, "timed out after %d s waiting for a new coordinator",
					  d->o.timeout_s);
		drill_sleep_ms(500);
	}
	drill_event(d, "coordinator of %s moved from %d to %d in %" PRId64 " ms", d->txn_id, c, c2,
		    drill_now_ms() - t0);
	if (drill_wait_txns(d, 5, "after the coordinator kill"))
		return -1;
	drill_hold(d, d->o.down_s);
	if (drill_cmd(d, "start", d->o.start, c))
		return -1;
	return drill_wait_healthy(d, "the restart");
}

enum { NEED_KILL = 1, NEED_START = 2, NEED_STOP = 4, NEED_ISOLATE = 8, NEED_ZK = 16 };

static const struct {
	const char *name;
	int (*run)(struct drill *d);
	int needs; /* templates it cannot do without */
	int txn;   /* a transactional load */
} drill_table[] = {
	{ "leader-kill", drill_leader_kill, NEED_KILL | NEED_START, 0 },
	{ "controller-kill", drill_controller_kill, NEED_KILL | NEED_START, 0 },
	{ "isolate", drill_isolate, NEED_ISOLATE, 0 },
	{ "zk-kill", drill_zk_kill, NEED_ZK, 0 },
	{ "rolling-restart", drill_rolling_restart, NEED_STOP | NEED_START, 0 },
	{ "txn-coordinator-kill", drill_txn_coordinator_kill, NEED_KILL | NEED_START, 1 },
};

/* ---- set-up and verdict */

/* The topic exists (created if missing) and is healthy; the view in d->v0. */
static int drill_prepare(struct drill *d)
{
	struct drill_view v = { 0 };
	if (drill_view_get(d->obs, NULL, &v, 10000) || v.n_brokers < 1)
		return drill_fail(d, "no Metadata from %s", d->o.bootstrap);
	int rf = d->o.rf < v.n_brokers ? d->o.rf : v.n_brokers;
	int rc = drill_topic_create(d->obs, d->topic, d->o.partitions, rf);
	if (rc < 0)
		return drill_fail(d, "cannot create topic %s", d->topic);
	drill_say(d, "topic %s %s (%d brokers)", d->topic,
		  rc ? "exists: using it as it is" : "created", v.n_brokers);
	d->v0.n_brokers = v.n_brokers; /* what drill_cond_healthy compares with */
	if (drill_wait(d, "the topic led with full ISR before the fault", drill_cond_healthy, 0, 1,
		       0, &d->v0) < 0)
		return -1;
	if (d->v0.n_parts > DRILL_MAX_PARTS - 1 || d->v0.n_replicas[0] < 2)
		return drill_fail(d, "%s needs 2+ replicas per partition and at most %d partitions",
				  d->topic, DRILL_MAX_PARTS - 1);
	return 0;
}

static int drill_start_load(struct drill *d, int txn)
{
	d->load.client = &d->o.client;
	d->load.topic = d->topic;
	d->load.tag = d->tag;
	d->load.rate = d->o.rate;
	d->load.nparts = d->v0.n_parts;
	d->load.idempotent = d->o.idempotent;
	/* Kafka's delivery.timeout.ms default; transactions keep 60 s, below
	 * any sane transaction.max.timeout.ms */
	d->load.msg_timeout_ms = txn ? 60000 : 120000;
	d->load.txn_id = txn ? d->txn_id : NULL;
	d->load.txn_size = d->o.txn_size;
	d->load.abort_every = 3;
	if (drill_load_start(&d->load))
		return drill_fail(d, "cannot start the load");
	drill_say(d, "%s load started: %d msg/s on %d partitions", txn ? "transactional" : "acks=all",
		  d->o.rate, d->v0.n_parts);
	drill_sleep_ms(d->o.warmup_s * 1000);
	if (txn)
		return drill_wait_txns(d, 3, "in the warm-up");
	if (atomic_load(&d->load.acked) == 0)
		return drill_fail(d, "nothing acknowledged in the %d s warm-up (%s)", d->o.warmup_s,
				  d->load.first_error[0] ? d->load.first_error : "no error");
	return 0;
}

/* 0 PASS, 1 lost / exactly-once broken, 2 incomplete, 3 failed produces. */
static int drill_result(const struct drill *d, const struct drill_verdict *v, int verified)
{
	int strict = d->o.idempotent || d->load.txn_id;
	if (v->lost || v->aborted_seen || v->ru_missing || (strict && v->duplicates))
		return 1;
	if (d->incomplete || !verified)
		return 2;
	if (v->failed || v->unknown || d->load.fatal)
		return 3;
	return 0;
}

static const char *const drill_result_name[] = { "PASS", "FAIL", "INCOMPLETE", "FAILED-PRODUCES" };

/* s as a JSON string (quotes, backslashes and control characters escaped). */
static void drill_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void drill_print_json(const struct drill *d, const struct drill_verdict *v, int res)
{
	printf("{\"drill\":\"%s\",\"topic\":", d->o.name); /* a name from drill_table */
	drill_json_str(d->topic);
	printf(",\"result\":\"%s\",\"acknowledged\":%ld,\"lost\":%ld,\"duplicates\":%ld,"
	       "\"failed\":%ld,\"recover_ms\":%" PRId64, drill_result_name[res], v->acked,
	       v->lost, v->duplicates, v->failed, v->recover_ms);
	if (d->load.txn_id)
		printf(",\"committed\":%ld,\"aborted\":%ld,\"unknown\":%ld,\"aborted_seen\":%ld",
		       v->committed, v->aborted, v->unknown, v->aborted_seen);
	printf(",\"events\":[");
	for (int i = 0; i < d->n_events; i++) {
		printf("%s", i ? "," : "");
		drill_json_str(d->events[i]);
	}
	printf("]");
	if (d->why[0]) {
		printf(",\"error\":");
		drill_json_str(d->why);
	}
	printf("}\n");
}

static void drill_print(const struct drill *d, const struct drill_verdict *v, int res)
{
	printf("drill %s on %s: %s%s%s\n", d->o.name, d->topic, drill_result_name[res],
	       d->why[0] ? ": " : "", d->why);
	printf("  %-16s %ld\n  %-16s %ld\n  %-16s %ld\n  %-16s %ld\n", "acknowledged", v->acked,
	       "lost", v->lost, "duplicates", v->duplicates, "failed", v->failed);
	if (d->load.txn_id)
		printf("  %-16s %ld committed, %ld aborted, %ld unknown; aborted values read: %ld\n",
		       "transactions", v->committed, v->aborted, v->unknown, v->aborted_seen);
	printf("  %-16s %" PRId64 " ms\n", "time to recover", v->recover_ms);
	for (int i = 0; i < d->n_events; i++)
		printf("  %s\n", d->events[i]);
	if (d->load.first_error[0])
		printf("  first client error: %s\n", d->load.first_error);
	printf("DRILL-RESULT drill=%s topic=%s acknowledged=%ld lost=%ld duplicates=%ld failed=%ld "
	       "recover_ms=%" PRId64 " result=%s\n", d->o.name, d->topic, v->acked, v->lost,
	       v->duplicates, v->failed, v->recover_ms, drill_result_name[res]);
}

static int drill_run(struct drill *d, int which)
{
	struct drill_verdict v;
	int verified = 0;
	memset(&v, 0, sizeof v);
	v.recover_ms = -1;
	if (drill_prepare(d) == 0 && drill_start_load(d, drill_table[which].txn) == 0 &&
	    drill_table[which].run(d) == 0) {
		drill_say(d, "recovered; load goes on for %d s", d->o.settle_s);
		drill_sleep_ms(d->o.settle_s * 1000);
	}
	if (d->load.running) {
		drill_say(d, "stopping the load (waiting for outstanding messages)");
		drill_load_stop(&d->load);
		drill_say(d, "reading %s back", d->topic);
		verified = drill_verify(&d->load, &v, d->o.timeout_s) == 0;
		v.recover_ms = drill_recover_ms(&d->load, d->fault_ms);
	}
	int res = drill_result(d, &v, verified);
	if (d->o.json)
		drill_print_json(d, &v, res);
	else
		drill_print(d, &v, res);
	return res;
}

/* ---- options */

enum { OPT_KILL = 256, OPT_START, OPT_STOP, OPT_ISOLATE, OPT_HEAL, OPT_ZK_KILL, OPT_ZK_START,
       OPT_BOOTSTRAP, OPT_ZOOKEEPER, OPT_TOPIC, OPT_PARTITIONS, OPT_RF, OPT_RATE, OPT_DOWN,
       OPT_WARMUP, OPT_SETTLE, OPT_TIMEOUT, OPT_CMD_TIMEOUT, OPT_ZK_ID, OPT_TXN_SIZE,
       OPT_IDEMPOTENT, OPT_JSON, OPT_HELP, OPT_VERBOSE };

static const struct option drill_longopts[] = {
	{ "kill", required_argument, NULL, OPT_KILL },
	{ "start", required_argument, NULL, OPT_START },
	{ "stop", required_argument, NULL, OPT_STOP },
	{ "isolate", required_argument, NULL, OPT_ISOLATE },
	{ "heal", required_argument, NULL, OPT_HEAL },
	{ "zk-kill", required_argument, NULL, OPT_ZK_KILL },
	{ "zk-start", required_argument, NULL, OPT_ZK_START },
	{ "bootstrap", required_argument, NULL, OPT_BOOTSTRAP },
	{ "bootstrap-server", required_argument, NULL, OPT_BOOTSTRAP },
	{ "zookeeper", required_argument, NULL, OPT_ZOOKEEPER },
	{ "topic", required_argument, NULL, OPT_TOPIC },
	{ "partitions", required_argument, NULL, OPT_PARTITIONS },
	{ "replication-factor", required_argument, NULL, OPT_RF },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "down", required_argument, NULL, OPT_DOWN },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "settle", required_argument, NULL, OPT_SETTLE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "command-timeout", required_argument, NULL, OPT_CMD_TIMEOUT },
	{ "zk-id", required_argument, NULL, OPT_ZK_ID },
	{ "txn-size", required_argument, NULL, OPT_TXN_SIZE },
	{ "idempotent", no_argument, NULL, OPT_IDEMPOTENT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 },
};

/* A decimal in [min, max] into *out; 0, or -1 with the error printed. */
static int drill_int(const char *opt, const char *s, int min, int max, int *out)
{
	char *e;
	errno = 0;
	long v = strtol(s, &e, 10);
	if (!*s || *e || errno || v < min || v > max) {
		gctl_err("drill: --%s must be an integer in %d..%d (got '%s')", opt, min, max, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Numeric options: the long name, its bounds and where it goes. */
static int drill_int_opt(struct drill_opts *o, int id, const char *arg)
{
	static const struct { int id, min, max; } b[] = {
		{ OPT_PARTITIONS, 1, DRILL_MAX_PARTS - 1 }, { OPT_RF, 2, 32 },
		{ OPT_RATE, 1, 100000 }, { OPT_DOWN, 0, 3600 }, { OPT_WARMUP, 1, 3600 },
		{ OPT_SETTLE, 0, 3600 }, { OPT_TIMEOUT, 1, 3600 }, { OPT_CMD_TIMEOUT, 1, 3600 },
		{ OPT_ZK_ID, 1, 255 }, { OPT_TXN_SIZE, 1, 10000 },
	};
	int *dst[] = { &o->partitions, &o->rf, &o->rate, &o->down_s, &o->warmup_s, &o->settle_s,
		       &o->timeout_s, &o->cmd_timeout_s, &o->zk_id, &o->txn_size };
	const char *name = "?";
	for (const struct option *lo = drill_longopts; lo->name; lo++)
		if (lo->val == id)
			name = lo->name;
	for (size_t i = 0; i < sizeof b / sizeof *b; i++)
		if (b[i].id == id)
			return drill_int(name, arg, b[i].min, b[i].max, dst[i]);
	return -1;
}

/* 0, 1 for --help, -1 on a usage error (printed). */
static int drill_parse(int argc, char **argv, struct drill_opts *o)
{
	int c;
	const char **tpl[] = { &o->kill, &o->start, &o->stop, &o->isolate, &o->heal, &o->zk_kill,
			       &o->zk_start, &o->bootstrap, &o->zookeeper, &o->topic };
	*o = (struct drill_opts){ .partitions = 6, .rf = 3, .rate = 300, .down_s = 5,
				  .warmup_s = 5, .settle_s = 3, .timeout_s = 120,
				  .cmd_timeout_s = 180, .txn_size = 20 };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "X:", drill_longopts, NULL)) != -1) {
		if (c >= OPT_KILL && c <= OPT_TOPIC) {
			*tpl[c - OPT_KILL] = optarg;
		} else if (c == 'X') {
			if (o->client.n_props == DRILL_MAX_PROPS)
				return gctl_err("drill: too many -X properties"), -1;
			o->client.props[o->client.n_props++] = optarg;
		} else if (c == OPT_IDEMPOTENT) {
			o->idempotent = 1;
		} else if (c == OPT_JSON) {
			o->json = 1;
		} else if (c == OPT_VERBOSE) {
			o->client.verbose = 1;
		} else if (c == OPT_HELP) {
			return 1;
		} else if (c == '?' || c == ':') {
			return gctl_err("drill: unknown option or missing value: %s",
					argv[optind - 1]), -1;
		} else if (drill_int_opt(o, c, optarg)) {
			return -1;
		}
	}
	if (optind != argc - 1)
		return gctl_err("drill: expected one drill NAME"), -1;
	o->name = argv[optind];
	if (!o->bootstrap)
		return gctl_err("drill: --bootstrap HOST:PORT is required"), -1;
	o->client.bootstrap = o->bootstrap;
	return 0;
}

/* The drill's index, or -1 with the missing template named. */
static int drill_pick(const struct drill_opts *o)
{
	for (size_t i = 0; i < sizeof drill_table / sizeof *drill_table; i++) {
		if (strcmp(drill_table[i].name, o->name))
			continue;
		int n = drill_table[i].needs;
		const char *miss = (n & NEED_KILL) && !o->kill ? "--kill" :
			(n & NEED_START) && !o->start ? "--start" :
			(n & NEED_STOP) && !o->stop && !o->kill ? "--stop or --kill" :
			(n & NEED_ISOLATE) && !o->isolate ? "--isolate" :
			(n & NEED_ISOLATE) && !o->heal ? "--heal" :
			(n & NEED_ZK) && !o->zk_kill ? "--zk-kill" :
			(n & NEED_ZK) && !o->zk_start ? "--zk-start" :
			(n & NEED_ZK) && !o->zookeeper && !o->zk_id ? "--zookeeper or --zk-id" : NULL;
		if (miss)
			return gctl_err("drill %s needs %s", o->name, miss), -1;
		return (int)i;
	}
	gctl_err("drill: unknown drill '%s' (leader-kill, controller-kill, isolate, zk-kill, "
		 "rolling-restart, txn-coordinator-kill)", o->name);
	return -1;
}

int gctl_cmd_drill(int argc, char **argv)
{
	static struct drill d; /* large (views, events): not on the stack */
	int rc = drill_parse(argc, argv, &d.o);
	int which = rc ? -1 : drill_pick(&d.o);
	if (rc > 0) {
		fputs(drill_usage_text, stdout);
		return 0;
	}
	if (which < 0) {
		fputs("(gregorctl drill --help for usage)\n", stderr);
		return DRILL_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	d.start_ms = drill_now_ms();
	d.fault_ms = -1;
	long now = (long)time(NULL);
	snprintf(d.tag, sizeof d.tag, "%ldp%d", now, (int)getpid());
	snprintf(d.topic, sizeof d.topic, "%s", d.o.topic ? d.o.topic : "");
	if (!d.o.topic)
		snprintf(d.topic, sizeof d.topic, "gregor-drill-%s-%ld", d.o.name, now);
	snprintf(d.txn_id, sizeof d.txn_id, "gregor-drill-%s", d.tag);
	/* A Metadata request to a cut-off broker is given up (and that
	 * connection dropped) after 6 s, not librdkafka's 60: otherwise the
	 * drill sees a leader move a minute late. */
	const char *obs_conf[] = { "socket.timeout.ms=6000", NULL };
	d.obs = drill_client_new(&d.o.client, RD_KAFKA_PRODUCER, obs_conf);
	if (!d.obs)
		return 2;
	rc = drill_run(&d, which);
	drill_load_free(&d.load);
	rd_kafka_destroy(d.obs);
	return rc;
}
