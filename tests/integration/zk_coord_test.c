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

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "common/arena.h"
#include "common/clock.h"
#include "common/proto/apis.h"
#include "common/proto/messages.h"
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


/* A fake broker for id 2: decodes controller requests with the project
 * codec, records what it saw and answers with empty successful responses. */
struct fake_broker {
	int lfd, port;
	pthread_t thread;
	atomic_int stop;
	atomic_int lai, um, stop_replica;  /* requests received */
	atomic_int lai_partitions;         /* partitions in all LeaderAndIsr */
	atomic_int um_brokers;             /* live brokers in the last UM */
	atomic_llong broker_epoch;         /* from the last request */
	atomic_int bad;                    /* undecodable requests */
	atomic_int reconnects;             /* accepted connections */
};

static int read_full(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (poll(&pfd, 1, 2000) <= 0)
			return -1;
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int fake_handle(struct fake_broker *fb, int fd)
{
	uint8_t hdr[4];
	if (read_full(fd, hdr, 4))
		return -1;
	uint32_t size = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
			(uint32_t)hdr[2] << 8 | hdr[3];
	if (size > (1u << 20))
		return -1;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf || read_full(fd, buf, size)) {
		free(buf);
		return -1;
	}
	struct kreader r = { buf, buf + size, 0 };
	struct kreq_header h;
	struct arena a;
	arena_init(&a);
	int rc = kreq_header_decode(&r, &h);
	const struct kapi *api = rc ? NULL : kapi_find(h.api_key);
	union { struct leader_and_isr_request lai; struct update_metadata_request um;
		struct stop_replica_request sr; } req;
	union { struct leader_and_isr_response lai; struct update_metadata_response um;
		struct stop_replica_response sr; } resp;
	memset(&resp, 0, sizeof resp);
	if (!api || kcodec_decode(api->req, kapi_ver(api, h.api_version), &r, &req, &a) ||
	    r.p != r.end) {
		fb->bad++;
		free(buf);
		arena_free(&a);
		return -1;
	}
	if (h.api_key == 4) {
		fb->lai++;
		for (int k = 0; k < req.lai.topic_states.n; k++)
			fb->lai_partitions += ((struct leader_and_isr_req_topic_state *)
					       req.lai.topic_states.v)[k].partition_states.n;
		fb->broker_epoch = req.lai.broker_epoch;
	} else if (h.api_key == 6) {
		fb->um++;
		fb->um_brokers = req.um.live_brokers.n;
		fb->broker_epoch = req.um.broker_epoch;
	} else if (h.api_key == 5) {
		fb->stop_replica++;
	}
	struct kout w;
	kout_init(&w);
	size_t at = kw_reserve_i32(&w);
	kresp_header_encode(&w, h.api_key, h.api_version, h.correlation_id);
	kcodec_encode(api->resp, kapi_ver(api, h.api_version), &resp, &w);
	kw_patch_i32(&w, at, (int32_t)(w.len - at - 4));
	kout_finish(&w);
	ssize_t wr = write(fd, w.buf, w.len);
	int ok = wr == (ssize_t)w.len;
	kout_free(&w);
	free(buf);
	arena_free(&a);
	return ok ? 0 : -1;
}

static void *fake_main(void *arg)
{
	struct fake_broker *fb = arg;
	while (!fb->stop) {
		struct pollfd pfd = { fb->lfd, POLLIN, 0 };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		int fd = accept(fb->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		fb->reconnects++;
		while (!fb->stop) {
			struct pollfd cp = { fd, POLLIN, 0 };
			int n = poll(&cp, 1, 100);
			if (n == 0)
				continue;
			if (n < 0 || fake_handle(fb, fd))
				break;
		}
		close(fd);
	}
	return NULL;
}

static int fake_start(struct fake_broker *fb)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	fb->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (fb->lfd < 0 || bind(fb->lfd, (struct sockaddr *)&sa, sizeof sa) ||
	    listen(fb->lfd, 4) || getsockname(fb->lfd, (struct sockaddr *)&sa, &sl))
		return -1;
	fb->port = ntohs(sa.sin_port);
	return pthread_create(&fb->thread, NULL, fake_main, fb);
}

static void fake_stop(struct fake_broker *fb)
{
	fb->stop = 1;
	pthread_join(fb->thread, NULL);
	close(fb->lfd);
}

static int wait_count(atomic_int *v, int at_least)
{
	int64_t deadline = clock_mono_ms() + 10000;
	while (*v < at_least && clock_mono_ms() < deadline)
		usleep(50000);
	return *v >= at_least;
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
	static struct fake_broker fb;
	if (fake_start(&fb)) {
		fprintf(stderr, "cannot start fake broker\n");
		return 1;
	}

	/* start-up, registration, cluster id, election */
	struct coord *b1 = start_broker(zk, 1, 1, 6000);
	CHECK(b1 && coord_wait_ready(b1, 15000) == 0, "broker 1 not ready");
	struct coord *b2 = start_broker(zk, 2, fb.port, 6000);
	CHECK(b2 && coord_wait_ready(b2, 15000) == 0, "broker 2 not ready");
	if (failures)
		return 1;
	check_registration(b1, 1, 1);
	check_registration(b2, 2, fb.port);
	/* the controller (broker 1) tells broker 2 about the cluster */
	CHECK(wait_count(&fb.um, 1), "fake broker 2 got no UpdateMetadata");
	CHECK(fb.broker_epoch == coord_broker_epoch(b2), "broker epoch in request %lld",
	      (long long)fb.broker_epoch);
	CHECK(fb.um_brokers == 2, "UpdateMetadata lists %d live brokers", fb.um_brokers);
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
	int on2 = 0;
	for (int p = 0; p < n; p++)
		on2 += as[p].replicas[0] == 2 || as[p].replicas[1] == 2;
	CHECK(wait_count(&fb.lai_partitions, on2), "LeaderAndIsr to broker 2 covered "
	      "%d of %d partitions", fb.lai_partitions, on2);
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
	CHECK(fb.stop_replica >= 1, "no StopReplica to broker 2");
	CHECK(fb.bad == 0, "%d undecodable controller requests", fb.bad);
	CHECK(fb.reconnects <= 2, "controller reconnected %d times", fb.reconnects);

	coord_stop(b1);
	coord_stop(b2);
	CHECK(!zexists("/brokers/ids/1") && !zexists("/brokers/ids/2"), "ids left");
	CHECK(!zexists("/controller"), "/controller left");
	fake_stop(&fb);
	zookeeper_close(zh);
	mbox_drain(loop);
	mbox_free(loop);
	printf("%s (%d failures)\n", failures ? "FAILED" : "OK", failures);
	return failures ? 1 : 0;
}
