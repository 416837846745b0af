/* gregorctl health: is the broker on this machine (or in this container)
 * serving as a cluster member? Healthy means: its status file says running,
 * its process is alive, /brokers/ids/<id> exists with the broker epoch the
 * broker registered with (not a previous session's), and a controller
 * exists. --wait S retries until healthy or S seconds pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coord/gregorctl/gctl.h"
#include "coord/health.h"

static int64_t gctl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The status file's verdict alone; 0 if it says running, else 1 + why. */
static int health_local(const char *path, struct health_status *st, char *why, size_t n)
{
	if (health_read(path, st, why, n) < 0)
		return 1;
	int64_t start;
	if (health_proc_start(st->pid, &start) < 0 || start != st->start_time) {
		snprintf(why, n, "broker %d (pid %lld) is not running; %s is from an earlier "
			 "process", st->broker_id, (long long)st->pid, HEALTH_FILE_NAME);
		return 1;
	}
	if (st->state != HEALTH_RUNNING) {
		snprintf(why, n, "broker %d is %s", st->broker_id, health_state_name(st->state));
		return 1;
	}
	return 0;
}

/* ZooKeeper's side; 0 if registered with st's epoch and a controller
 * exists (its id in *controller), else 1 + why. */
static int health_zk(struct gctl *g, const struct health_status *st, int32_t *controller,
		     char *why, size_t n)
{
	char path[64], *d = NULL;
	int len;
	struct Stat zs;
	snprintf(path, sizeof path, "/brokers/ids/%d", st->broker_id);
	int rc = gctl_get(g, path, &d, &len, &zs);
	free(d);
	if (rc != 0) {
		snprintf(why, n, "broker %d is not registered in ZooKeeper (%s)", st->broker_id,
			 rc == GCTL_NONODE ? "no " : "cannot read ");
		strncat(why, path, n - strlen(why) - 1);
		return 1;
	}
	if (zs.czxid != st->broker_epoch) {
		snprintf(why, n, "%s has broker epoch %lld, but the broker registered with %lld",
			 path, (long long)zs.czxid, (long long)st->broker_epoch);
		return 1;
	}
	rc = gctl_get(g, "/controller", &d, &len, NULL);
	*controller = rc == 0 ? zn_controller_parse(d, (size_t)len) : -1;
	free(d);
	if (*controller < 0) {
		snprintf(why, n, "no controller (/controller %s)",
			 rc == GCTL_NONODE ? "does not exist" : "unreadable");
		return 1;
	}
	return 0;
}

/* One look; 0 healthy, 1 not (why). Connects to ZooKeeper on first need. */
static int health_once(struct gctl *g, const char *path, int64_t deadline,
		       struct health_status *st, int32_t *controller, char *why, size_t n)
{
	if (health_local(path, st, why, n))
		return 1;
	if (!g->zh) {
		if (!g->o.zookeeper)
			g->o.zookeeper = strdup(st->zk_connect);
		int64_t left = (deadline - gctl_now_ms()) / 1000;
		if (left > g->o.timeout_s)
			g->o.timeout_s = (int)left;
		if (!g->o.zookeeper || gctl_connect(g)) {
			snprintf(why, n, "cannot reach ZooKeeper at %.200s", st->zk_connect);
			return 1;
		}
	}
	return health_zk(g, st, controller, why, n);
}

int gctl_cmd_health(struct gctl *g)
{
	const char *dir = g->o.log_dir ? g->o.log_dir : getenv("KAFKA_LOG_DIRS");
	char path[4200], why[512] = "";
	if (!dir || !*dir) {
		gctl_err("health: --log-dir DIR is required (the broker's log.dirs; "
			 "default $KAFKA_LOG_DIRS)");
		return 64;
	}
	if (health_path(dir, path, sizeof path) < 0) {
		gctl_err("health: log dir path too long");
		return 1;
	}
	const char *zk_given = g->o.zookeeper;
	int64_t deadline = gctl_now_ms() + (int64_t)g->o.wait_s * 1000;
	struct health_status st;
	int32_t controller = -1;
	int rc;
	for (;;) {
		rc = health_once(g, path, deadline, &st, &controller, why, sizeof why);
		if (rc == 0 || gctl_now_ms() >= deadline)
			break;
		struct timespec pause = { 0, 500 * 1000000L };
		nanosleep(&pause, NULL);
	}
	if (rc == 0)
		printf("healthy: broker %d (broker epoch %lld), controller %d\n", st.broker_id,
		       (long long)st.broker_epoch, controller);
	else
		gctl_err("unhealthy: %s", why);
	gctl_close(g);
	if (g->o.zookeeper != zk_given)
		free((char *)g->o.zookeeper);
	return rc;
}
