/* Integration test of coord/ against a real ZooKeeper (address in argv[1]):
 * two coordination instances (brokers 1 and 2, nobody listening on their
 * fake endpoints) under a fresh chroot. Checks Kafka's znode shapes,
 * election, failover with epoch+1, admin errors, topic creation from the
 * admin API and from a hand-written znode, and deletion. */
#define THREADED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mbox.h"
#include "coord/coord.h"
#include "coord/zjson.h"
#include "coord/znode.h"

static int failures;
static zhandle_t *zh;
static char root[64];
static struct mbox *loop;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; \
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* Reads root+path; returns malloc'd NUL-terminated data or NULL. */
static char *zget(const char *path, struct Stat *st)
{
	char full[512];
	static char buf[65536];
	int len = sizeof buf - 1;
	struct Stat s;
	snprintf(full, sizeof full, "%s%s", root, path);
	if (zoo_get(zh, full, 0, buf, &len, st ? st : &s) != ZOK)
		return NULL;
	if (len < 0)
		len = 0;
	buf[len] = 0;
	return strdup(buf);
}

static int zexists(const char *path)
{
	char full[512];
	struct Stat st;
	snprintf(full, sizeof full, "%s%s", root, path);
	return zoo_exists(zh, full, 0, &st) == ZOK;
}

/* Polls until path exists (want=1) or is gone (want=0), up to ms. */
static int wait_exists(const char *path, int want, int ms)
{
	int64_t deadline = clock_mono_ms() + ms;
	while (clock_mono_ms() < deadline) {
		if (zexists(path) == want)
			return 1;
		usleep(50000);
	}
	return 0;
}

static int64_t jint(const char *data, const char *key)
{
	struct zjson j;
	int64_t v = -999;
	if (zj_parse(&j, data, strlen(data)) == 0) {
		if (zj_int(&j, zj_get(&j, 0, key), -1000, INT64_MAX, &v))
			v = -999;
		zj_free(&j);
	}
	return v;
}

/* Waits for a partition state with the wanted leader and leader epoch. */
static int wait_state(const char *topic, int p, int leader, int epoch,
		      struct zn_pstate *out)
{
	char path[256];
	snprintf(path, sizeof path, "/brokers/topics/%s/partitions/%d/state", topic, p);
	int64_t deadline = clock_mono_ms() + 15000;
	while (clock_mono_ms() < deadline) {
		char *d = zget(path, NULL);
		int ok = d && zn_pstate_parse(d, strlen(d), out) == 0 &&
			 out->leader == leader && out->leader_epoch == epoch;
		free(d);
		if (ok)
			return 1;
		usleep(50000);
	}
	return 0;
}

struct result {
	int done;
	int16_t kerr;
};

static void on_done(void *arg, int16_t kerr, const char *msg)
{
	struct result *r = arg;
	r->done = 1;
	r->kerr = kerr;
	if (msg)
		fprintf(stderr, "  admin: %d %s\n", kerr, msg);
}

static int16_t wait_result(struct result *r)
{
	int64_t deadline = clock_mono_ms() + 10000;
	while (!r->done && clock_mono_ms() < deadline)
		mbox_wait(loop, 100);
	return r->done ? r->kerr : -999;
}

static int16_t create_topic(struct coord *c, const char *name, int32_t parts,
			    int16_t rf, int validate_only)
{
	struct result r = { 0, 0 };
	struct coord_topic_config cfg = { "retention.ms", "86400000" };
	struct coord_new_topic t = { .name = name, .num_partitions = parts,
				     .replication_factor = rf, .configs = &cfg,
				     .n_configs = 1, .validate_only = validate_only };
	coord_create_topic(c, &t, on_done, &r);
	return wait_result(&r);
}

static struct coord *start_broker(const char *zk, int id, int port, int timeout_ms)
{
	char listeners[64];
	snprintf(listeners, sizeof listeners, "PLAINTEXT://127.0.0.1:%d", port);
	struct coord_config cfg = {
		.broker_id = id, .zk_connect = zk, .zk_session_timeout_ms = timeout_ms,
		.advertised_listeners = listeners,
		.listener_security_protocol_map = "PLAINTEXT:PLAINTEXT",
		.inter_broker_listener_name = "PLAINTEXT", .num_partitions = 1,
		.default_replication_factor = 1, .delete_topic_enable = 1,
	};
	return coord_start(&cfg, loop);
}

static void check_registration(struct coord *c, int id, int port)
{
	char path[64];
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/ids/%d", id);
	char *d = zget(path, &st);
	CHECK(d, "%s missing", path);
	if (!d)
		return;
	char ep[64];
	snprintf(ep, sizeof ep, "\"endpoints\":[\"PLAINTEXT://127.0.0.1:%d\"]", port);
	CHECK(jint(d, "version") == 5, "registration version: %s", d);
	CHECK(jint(d, "port") == port, "registration port: %s", d);
	CHECK(jint(d, "jmx_port") == -1, "jmx_port: %s", d);
	CHECK(strstr(d, ep) != NULL, "endpoints: %s", d);
	CHECK(strstr(d, "\"host\":\"127.0.0.1\"") != NULL, "host: %s", d);
	CHECK(strstr(d, "\"timestamp\":\"") != NULL, "timestamp string: %s", d);
	CHECK(strstr(d, "\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"}"),
	      "secmap: %s", d);
	CHECK(st.ephemeralOwner != 0, "registration not ephemeral");
	CHECK(st.czxid == coord_broker_epoch(c), "broker epoch %lld != czxid %lld",
	      (long long)coord_broker_epoch(c), (long long)st.czxid);
	free(d);
}

static void check_state(const struct zn_pstate *s, int leader, int epoch, int cepoch,
			int n_isr, const char *what)
{
	CHECK(s->leader == leader && s->leader_epoch == epoch &&
	      s->controller_epoch == cepoch && s->n_isr == n_isr,
	      "%s: leader %d epoch %d cepoch %d isr %d", what, s->leader,
	      s->leader_epoch, s->controller_epoch, s->n_isr);
}

static void test_admin_errors(struct coord *c)
{
	CHECK(create_topic(c, "orders", 3, 2, 0) == 36, "duplicate create");
	CHECK(create_topic(c, "bad/name", 1, 1, 0) == 17, "bad name");
	CHECK(create_topic(c, "..", 1, 1, 0) == 17, "name ..");
	CHECK(create_topic(c, "zero", 0, 1, 0) == 37, "0 partitions");
	CHECK(create_topic(c, "toomany", 1, 3, 0) == 38, "rf > brokers");
	CHECK(create_topic(c, "dry", 2, 1, 1) == 0, "validate only");
	CHECK(!zexists("/brokers/topics/dry") && !zexists("/config/topics/dry"),
	      "validate_only wrote znodes");
	struct result r = { 0, 0 };
	coord_delete_topic(c, "nope", on_done, &r);
	CHECK(wait_result(&r) == 3, "delete unknown");
	r.done = 0;
	coord_create_partitions(c, "orders", 2, 0, on_done, &r);
	CHECK(wait_result(&r) == 37, "shrinking partitions");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host:port\n", argv[0]);
		return 2;
	}
	log_set_level(LOG_INFO);
	zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
	snprintf(root, sizeof root, "/gregor-it-%d", (int)getpid());
	char zk[256];
	snprintf(zk, sizeof zk, "%s%s", argv[1], root);
	zh = zookeeper_init(argv[1], NULL, 10000, NULL, NULL, 0);
	for (int k = 0; k < 100 && zoo_state(zh) != ZOO_CONNECTED_STATE; k++)
		usleep(100000);
	if (zoo_state(zh) != ZOO_CONNECTED_STATE) {
		fprintf(stderr, "cannot reach ZooKeeper at %s\n", argv[1]);
		return 1;
	}
	loop = mbox_new();

	/* start-up, registration, cluster id, election */
	struct coord *b1 = start_broker(zk, 1, 1, 6000);
	CHECK(b1 && coord_wait_ready(b1, 15000) == 0, "broker 1 not ready");
	struct coord *b2 = start_broker(zk, 2, 2, 6000);
	CHECK(b2 && coord_wait_ready(b2, 15000) == 0, "broker 2 not ready");
	if (failures)
		return 1;
	check_registration(b1, 1, 1);
	check_registration(b2, 2, 2);
	char *d = zget("/cluster/id", NULL);
	char id1[32], id2[32], zid[32] = "";
	coord_cluster_id(b1, id1);
	coord_cluster_id(b2, id2);
	CHECK(d && strstr(d, "\"version\":\"1\"") && zn_cluster_id_parse(d, strlen(d), zid) == 0,
	      "cluster id znode: %s", d ? d : "(none)");
	CHECK(strlen(zid) == 22 && strcmp(zid, id1) == 0 && strcmp(zid, id2) == 0,
	      "cluster ids differ: %s %s %s", zid, id1, id2);
	free(d);
	struct Stat st;
	d = zget("/controller", &st);
	int32_t ctl = d ? zn_controller_parse(d, strlen(d)) : -1;
	CHECK(ctl == 1, "first broker should win the election, got %d", ctl);
	CHECK(d && strstr(d, "\"timestamp\":\"") && jint(d, "version") == 1, "controller json: %s", d);
	CHECK(st.ephemeralOwner != 0, "/controller not ephemeral");
	CHECK(coord_controller_id(b1) == 1 && coord_controller_id(b2) == 1, "controller id");
	free(d);
	d = zget("/controller_epoch", NULL);
	int epoch = d ? atoi(d) : -1;
	CHECK(epoch == 1, "controller epoch %s", d ? d : "(none)");
	free(d);
	for (const char *const *p = (const char *const[]){ "/consumers", "/brokers/seqid",
			"/config/changes", "/admin/delete_topics", "/isr_change_notification",
			"/log_dir_event_notification", "/latest_producer_id_block",
			"/config/clients", "/config/users", "/config/brokers", NULL }; *p; p++)
		CHECK(zexists(*p), "missing persistent path %s", *p);

	/* duplicate broker.id fails start-up */
	struct coord *dup = start_broker(zk, 1, 3, 1500);
	CHECK(dup && coord_wait_ready(dup, 10000) == -1 && coord_failed(dup),
	      "duplicate broker.id accepted");
	coord_stop(dup);
	check_registration(b1, 1, 1);

	/* admin create through the non-controller; the controller makes states */
	CHECK(create_topic(b2, "orders", 3, 2, 0) == 0, "create orders");
	d = zget("/config/topics/orders", NULL);
	CHECK(d && strcmp(d, "{\"version\":1,\"config\":{\"retention.ms\":\"86400000\"}}") == 0,
	      "topic config: %s", d ? d : "(none)");
	free(d);
	d = zget("/brokers/topics/orders", NULL);
	struct zn_assign as[4];
	int n = d ? zn_topic_parse(d, strlen(d), as, 4) : -1;
	CHECK(n == 3 && strstr(d, "\"version\":2") && strstr(d, "\"adding_replicas\":{}"),
	      "topic znode: %s", d ? d : "(none)");
	free(d);
	struct zn_pstate ps;
	for (int p = 0; p < n; p++) {
		CHECK(wait_state("orders", p, as[p].replicas[0], 0, &ps), "orders-%d state", p);
		check_state(&ps, as[p].replicas[0], 0, epoch, 2, "new partition");
	}
	test_admin_errors(b2);
	struct result r = { 0, 0 };
	coord_create_partitions(b1, "orders", 4, 0, on_done, &r);
	CHECK(wait_result(&r) == 0, "add partition");
	CHECK(wait_exists("/brokers/topics/orders/partitions/3/state", 1, 10000),
	      "added partition has no state");

	/* a topic written by hand, as with zkCli.sh */
	char path[256];
	snprintf(path, sizeof path, "%s/brokers/topics/hand", root);
	const char *hand = "{\"version\":1,\"partitions\":{\"0\":[1]}}";
	CHECK(zoo_create(zh, path, hand, (int)strlen(hand), &ZOO_OPEN_ACL_UNSAFE, 0,
			 NULL, 0) == ZOK, "create hand topic");
	CHECK(wait_state("hand", 0, 1, 0, &ps), "hand-written topic not picked up");

	/* controller failover: broker 1 stops, broker 2 takes over at epoch+1 */
	d = zget("/brokers/topics/orders", NULL);
	n = d ? zn_topic_parse(d, strlen(d), as, 4) : -1;
	free(d);
	coord_stop(b1);
	int64_t deadline = clock_mono_ms() + 15000;
	while (coord_controller_id(b2) != 2 && clock_mono_ms() < deadline)
		usleep(50000);
	CHECK(coord_controller_id(b2) == 2, "broker 2 did not take over");
	d = zget("/controller_epoch", NULL);
	CHECK(d && atoi(d) == epoch + 1, "epoch after failover: %s", d ? d : "(none)");
	free(d);
	CHECK(!zexists("/brokers/ids/1"), "stopped broker still registered");
	/* led by 1: re-elected; led by 2: broker 1 leaves the ISR. Both bump
	 * the leader epoch and leave ISR [2]. */
	for (int p = 0; p < n; p++) {
		CHECK(wait_state("orders", p, 2, 1, &ps), "orders-%d after failover", p);
		check_state(&ps, 2, 1, epoch + 1, 1, "after failover");
	}
	CHECK(wait_state("hand", 0, -1, 1, &ps), "hand-0 should be offline");
	CHECK(ps.n_isr == 1 && ps.isr[0] == 1, "offline ISR must stay [1]");

	/* broker 1 returns: it is elected for the partition with no leader */
	b1 = start_broker(zk, 1, 1, 6000);
	CHECK(b1 && coord_wait_ready(b1, 15000) == 0, "broker 1 restart");
	CHECK(wait_state("hand", 0, 1, 2, &ps), "hand-0 not re-elected on join");

	/* deletion */
	r.done = 0;
	coord_delete_topic(b1, "orders", on_done, &r);
	CHECK(wait_result(&r) == 0, "delete orders");
	CHECK(wait_exists("/brokers/topics/orders", 0, 15000), "topic znode not deleted");
	CHECK(wait_exists("/config/topics/orders", 0, 5000), "config not deleted");
	CHECK(wait_exists("/admin/delete_topics/orders", 0, 5000), "delete marker left");

	coord_stop(b1);
	coord_stop(b2);
	CHECK(!zexists("/brokers/ids/1") && !zexists("/brokers/ids/2"), "ids left");
	CHECK(!zexists("/controller"), "/controller left");
	zookeeper_close(zh);
	mbox_drain(loop);
	mbox_free(loop);
	printf("%s (%d failures)\n", failures ? "FAILED" : "OK", failures);
	return failures ? 1 : 0;
}
