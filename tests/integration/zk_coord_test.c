/* Integration test of coord/ against a real ZooKeeper (address in argv[1]):
 * two coordination instances (brokers 1 and 2, nobody listening on their
 * fake endpoints) under a fresh chroot. Checks Kafka's znode shapes,
 * election, failover with epoch+1, admin errors, topic creation from the
 * admin API and from a hand-written znode, and deletion; then, with fake
 * brokers 1 and 3: leader ISR writes and notifications, controlled shutdown
 * (both sides), preferred replica election and unclean election on/off;
 * then, with fresh fake brokers 1-3: partition reassignment (Kafka 2.6 flow,
 * controller failover mid-way, invalid entries) and topic deletion waiting
 * for a dead broker. */
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
	atomic_int cs;                     /* ControlledShutdown requests */
	atomic_int cs_remaining;           /* answer this many more with 1 left */
	atomic_llong cs_epoch;             /* broker epoch in the last one */
	pthread_mutex_t mu;                /* seen[] */
	int n_seen;
	struct seen_part {
		int api;
		char topic[32];
		int32_t partition, leader, epoch, n_isr, isr0;
	} seen[128];
};

/* Records the latest state of a partition per API (StopReplica: epoch holds
 * the delete flag). */
static void fake_note(struct fake_broker *fb, int api, struct kstr topic, int32_t p,
		      int32_t leader, int32_t epoch, struct karray isr)
{
	pthread_mutex_lock(&fb->mu);
	struct seen_part *e = NULL;
	for (int k = 0; k < fb->n_seen && !e; k++)
		if (fb->seen[k].api == api && fb->seen[k].partition == p &&
		    (int)strlen(fb->seen[k].topic) == topic.len &&
		    memcmp(fb->seen[k].topic, topic.p, (size_t)topic.len) == 0)
			e = &fb->seen[k];
	if (!e && fb->n_seen < 128 && topic.len > 0 && topic.len < 32) {
		e = &fb->seen[fb->n_seen++];
		memcpy(e->topic, topic.p, (size_t)topic.len);
		e->topic[topic.len] = 0;
		e->api = api;
		e->partition = p;
	}
	if (e) {
		e->leader = leader;
		e->epoch = epoch;
		e->n_isr = isr.n;
		e->isr0 = isr.n > 0 ? ((int32_t *)isr.v)[0] : -1;
	}
	pthread_mutex_unlock(&fb->mu);
}

static int fake_seen(struct fake_broker *fb, int api, const char *topic, int32_t p,
		     struct seen_part *out)
{
	int found = 0;
	pthread_mutex_lock(&fb->mu);
	for (int k = 0; k < fb->n_seen && !found; k++)
		if (fb->seen[k].api == api && fb->seen[k].partition == p &&
		    strcmp(fb->seen[k].topic, topic) == 0) {
			*out = fb->seen[k];
			found = 1;
		}
	pthread_mutex_unlock(&fb->mu);
	return found;
}

/* Waits until fb saw api for topic-p with this leader and epoch (and, when
 * n_isr >= 0, that many ISR members). */
static int wait_seen(struct fake_broker *fb, int api, const char *topic, int32_t p,
		     int32_t leader, int32_t epoch, int n_isr)
{
	int64_t deadline = clock_mono_ms() + 15000;
	struct seen_part e;
	while (clock_mono_ms() < deadline) {
		if (fake_seen(fb, api, topic, p, &e) && e.leader == leader &&
		    e.epoch == epoch && (n_isr < 0 || e.n_isr == n_isr))
			return 1;
		usleep(50000);
	}
	return 0;
}

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
		struct stop_replica_request sr; struct controlled_shutdown_request cs; } req;
	union { struct leader_and_isr_response lai; struct update_metadata_response um;
		struct stop_replica_response sr; struct controlled_shutdown_response cs; } resp;
	struct controlled_shutdown_resp_remaining_partition left = {
		{ "x", 1 }, 0 };
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
		for (int k = 0; k < req.lai.topic_states.n; k++) {
			struct leader_and_isr_req_topic_state *ts =
				&((struct leader_and_isr_req_topic_state *)req.lai.topic_states.v)[k];
			fb->lai_partitions += ts->partition_states.n;
			for (int q = 0; q < ts->partition_states.n; q++) {
				struct leader_and_isr_req_partition_state *ps =
					&((struct leader_and_isr_req_partition_state *)
					  ts->partition_states.v)[q];
				fake_note(fb, 4, ts->topic_name, ps->partition_index,
					  ps->leader, ps->leader_epoch, ps->isr);
			}
		}
		fb->broker_epoch = req.lai.broker_epoch;
	} else if (h.api_key == 6) {
		fb->um++;
		fb->um_brokers = req.um.live_brokers.n;
		for (int k = 0; k < req.um.topic_states.n; k++) {
			struct update_metadata_req_topic_state *ts =
				&((struct update_metadata_req_topic_state *)req.um.topic_states.v)[k];
			for (int q = 0; q < ts->partition_states.n; q++) {
				struct update_metadata_req_partition_state *ps =
					&((struct update_metadata_req_partition_state *)
					  ts->partition_states.v)[q];
				fake_note(fb, 6, ts->topic_name, ps->partition_index,
					  ps->leader, ps->leader_epoch, ps->isr);
			}
		}
		fb->broker_epoch = req.um.broker_epoch;
	} else if (h.api_key == 5) {
		fb->stop_replica++;
		for (int k = 0; k < req.sr.topics.n; k++) {
			struct stop_replica_req_topic_v1 *t =
				&((struct stop_replica_req_topic_v1 *)req.sr.topics.v)[k];
			for (int q = 0; q < t->partition_indexes.n; q++)
				fake_note(fb, 5, t->name,
					  ((int32_t *)t->partition_indexes.v)[q], -1,
					  req.sr.delete_partitions, (struct karray){ 0, NULL });
		}
	} else if (h.api_key == 7) {
		fb->cs_epoch = req.cs.broker_epoch;
		fb->cs++;
		if (req.cs.broker_id != 1)
			resp.cs.error_code = 42;
		else if (fb->cs_remaining > 0) {
			fb->cs_remaining--;
			resp.cs.remaining_partitions = (struct karray){ 1, &left };
		}
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

/* Serves up to 7 connections at once: the controller keeps one open while
 * a ControlledShutdown sender opens another. */
static void *fake_main(void *arg)
{
	struct fake_broker *fb = arg;
	struct pollfd pf[8];
	int n = 1;
	pf[0] = (struct pollfd){ fb->lfd, POLLIN, 0 };
	while (!fb->stop) {
		if (poll(pf, (nfds_t)n, 100) <= 0)
			continue;
		for (int k = n - 1; k >= 1; k--)
			if (pf[k].revents && fake_handle(fb, pf[k].fd)) {
				close(pf[k].fd);
				pf[k] = pf[--n];
			}
		if (pf[0].revents & POLLIN) {
			int fd = accept(fb->lfd, NULL, NULL);
			if (fd >= 0 && n < 8) {
				fb->reconnects++;
				pf[n++] = (struct pollfd){ fd, POLLIN, 0 };
			} else if (fd >= 0) {
				close(fd);
			}
		}
	}
	for (int k = 1; k < n; k++)
		close(pf[k].fd);
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
	pthread_mutex_init(&fb->mu, NULL);
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

static struct coord *start_broker_cfg(const char *zk, int id, int port, int timeout_ms,
				      const struct coord_config *extra);

static struct coord *start_broker(const char *zk, int id, int port, int timeout_ms)
{
	return start_broker_cfg(zk, id, port, timeout_ms, NULL);
}

static int16_t create_assigned(struct coord *c, const char *name, const int32_t *as,
			       int n, int rf, const char *ckey, const char *cval)
{
	struct result r = { 0, 0 };
	struct coord_topic_config cfg = { ckey, cval };
	struct coord_new_topic t = { .name = name, .num_partitions = -1,
				     .replication_factor = -1, .assignment = as,
				     .n_assign = n, .assign_rf = rf, .configs = &cfg,
				     .n_configs = ckey ? 1 : 0 };
	coord_create_topic(c, &t, on_done, &r);
	return wait_result(&r);
}

static struct coord *start_broker_cfg(const char *zk, int id, int port, int timeout_ms,
				      const struct coord_config *extra)
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
	if (extra) {
		cfg.auto_leader_rebalance_enable = extra->auto_leader_rebalance_enable;
		cfg.leader_imbalance_check_interval_seconds =
			extra->leader_imbalance_check_interval_seconds;
		cfg.leader_imbalance_per_broker_percentage =
			extra->leader_imbalance_per_broker_percentage;
	}
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

struct isr_result {
	int done;
	int16_t kerr;
	int32_t version;
};

static void on_isr(void *arg, int16_t kerr, int32_t version)
{
	struct isr_result *r = arg;
	r->done = 1;
	r->kerr = kerr;
	r->version = version;
}

static int16_t update_isr(struct coord *c, const char *topic, int p, int leader,
			  int epoch, int cepoch, const int32_t *isr, int n, int version,
			  int32_t *new_version)
{
	struct isr_result r = { 0, 0, -1 };
	coord_update_isr(c, topic, p, leader, epoch, cepoch, isr, n, version, on_isr, &r);
	int64_t deadline = clock_mono_ms() + 10000;
	while (!r.done && clock_mono_ms() < deadline)
		mbox_wait(loop, 100);
	if (new_version)
		*new_version = r.version;
	return r.done ? r.kerr : -999;
}

struct cs_result {
	int done;
	int16_t kerr;
	int n;
	char names[8][40];
};

static void on_cs(void *arg, int16_t kerr, const struct coord_tp *tps, int32_t n)
{
	struct cs_result *r = arg;
	r->done = 1;
	r->kerr = kerr;
	r->n = n;
	for (int k = 0; k < n && k < 8; k++)
		snprintf(r->names[k], sizeof r->names[k], "%s-%d", tps[k].topic,
			 tps[k].partition);
}

static int16_t controlled_shutdown(struct coord *ctl, int id, int64_t epoch,
				   struct cs_result *r)
{
	memset(r, 0, sizeof *r);
	coord_controlled_shutdown(ctl, id, epoch, on_cs, r);
	int64_t deadline = clock_mono_ms() + 20000;
	while (!r->done && clock_mono_ms() < deadline)
		mbox_wait(loop, 100);
	return r->done ? r->kerr : -999;
}

static int cs_lists(const struct cs_result *r, const char *name)
{
	for (int k = 0; k < r->n && k < 8; k++)
		if (strcmp(r->names[k], name) == 0)
			return 1;
	return 0;
}

static int isr_child_event;

static void isr_watcher(zhandle_t *z, int type, int state, const char *path, void *ctx)
{
	(void)z; (void)state; (void)path; (void)ctx;
	if (type == ZOO_CHILD_EVENT)
		__atomic_store_n(&isr_child_event, 1, __ATOMIC_SEQ_CST);
}

static int count_children(const char *path)
{
	char full[512];
	struct String_vector v = { 0, NULL };
	snprintf(full, sizeof full, "%s%s", root, path);
	if (zoo_get_children(zh, full, 0, &v) != ZOK)
		return -1;
	int n = v.count;
	deallocate_String_vector(&v);
	return n;
}

static int state_version(const char *topic, int p, struct zn_pstate *out)
{
	char path[256];
	struct Stat st;
	snprintf(path, sizeof path, "/brokers/topics/%s/partitions/%d/state", topic, p);
	char *d = zget(path, &st);
	int ok = d && zn_pstate_parse(d, strlen(d), out) == 0;
	free(d);
	return ok ? st.version : -1;
}

/* Leader ISR writes: conditional on zkVersion, then a notification that the
 * controller (broker 2) turns into UpdateMetadata and deletes. */
static void test_isr_updates(struct coord *b1, struct fake_broker *fb3)
{
	static const int32_t as[] = { 1, 3 };
	CHECK(create_assigned(b1, "isr", as, 1, 2, NULL, NULL) == 0, "create isr");
	struct zn_pstate ps;
	CHECK(wait_state("isr", 0, 1, 0, &ps) && ps.n_isr == 2, "isr-0 initial state");
	int cepoch = ps.controller_epoch;
	char full[256];
	struct String_vector v = { 0, NULL };
	snprintf(full, sizeof full, "%s/isr_change_notification", root);
	CHECK(zoo_wget_children(zh, full, isr_watcher, NULL, &v) == ZOK, "watch notifications");
	deallocate_String_vector(&v);
	int32_t nv = -1;
	static const int32_t just1[] = { 1 }, both[] = { 1, 3 };
	CHECK(update_isr(b1, "isr", 0, 1, 0, cepoch, just1, 1, 0, &nv) == 0 && nv == 1,
	      "ISR shrink write (version %d)", nv);
	CHECK(state_version("isr", 0, &ps) == 1 && ps.n_isr == 1 && ps.isr[0] == 1 &&
	      ps.leader_epoch == 0 && ps.leader == 1, "isr-0 znode after shrink");
	/* stale version, same data: success; different data: 95, znode kept */
	CHECK(update_isr(b1, "isr", 0, 1, 0, cepoch, just1, 1, 0, &nv) == 0 && nv == 1,
	      "identical data at stale version should succeed (%d)", nv);
	CHECK(update_isr(b1, "isr", 0, 1, 0, cepoch, both, 2, 0, &nv) == 95,
	      "stale version with other data must be INVALID_UPDATE_VERSION");
	CHECK(state_version("isr", 0, &ps) == 1 && ps.n_isr == 1, "stale write changed znode");
	CHECK(update_isr(b1, "nosuch", 0, 1, 0, cepoch, just1, 1, 0, NULL) == 3,
	      "ISR write for a missing partition");
	int64_t deadline = clock_mono_ms() + 15000;
	while (!__atomic_load_n(&isr_child_event, __ATOMIC_SEQ_CST) &&
	       clock_mono_ms() < deadline)
		usleep(50000);
	CHECK(isr_child_event, "no /isr_change_notification entry appeared");
	CHECK(wait_seen(fb3, 6, "isr", 0, 1, 0, 1),
	      "broker 3 got no UpdateMetadata with the shrunk ISR");
	deadline = clock_mono_ms() + 10000;
	while (count_children("/isr_change_notification") != 0 && clock_mono_ms() < deadline)
		usleep(50000);
	CHECK(count_children("/isr_change_notification") == 0,
	      "controller left ISR notifications");
}

/* Controlled shutdown of broker 1 through the controller (broker 2). */
static void test_controlled_shutdown(struct coord *b1, struct coord *b2,
				     struct fake_broker *fb1, struct fake_broker *fb3)
{
	static const int32_t as[] = { 1, 3, 3, 1 };
	CHECK(create_assigned(b1, "cs", as, 2, 2, NULL, NULL) == 0, "create cs");
	struct zn_pstate ps;
	CHECK(wait_state("cs", 0, 1, 0, &ps) && wait_state("cs", 1, 3, 0, &ps),
	      "cs initial leaders");
	struct cs_result r;
	CHECK(controlled_shutdown(b1, 1, coord_broker_epoch(b1), &r) == 41,
	      "non-controller must answer NOT_CONTROLLER");
	CHECK(controlled_shutdown(b2, 1, coord_broker_epoch(b1) - 1, &r) == 77,
	      "older broker epoch must be STALE_BROKER_EPOCH");
	CHECK(controlled_shutdown(b2, 7, -1, &r) == 8, "unknown broker");
	CHECK(controlled_shutdown(b2, 1, coord_broker_epoch(b1), &r) == 0, "controlled shutdown");
	/* isr-0 has ISR [1] and hand-0 one replica: both stay led by 1 */
	CHECK(r.n == 2 && cs_lists(&r, "isr-0") && cs_lists(&r, "hand-0"),
	      "remaining partitions: %d (%s %s)", r.n, r.names[0], r.names[1]);
	CHECK(wait_state("cs", 0, 3, 1, &ps) && ps.n_isr == 1 && ps.isr[0] == 3,
	      "cs-0 leadership not moved to 3");
	CHECK(wait_state("cs", 1, 3, 1, &ps) && ps.n_isr == 1 && ps.isr[0] == 3,
	      "cs-1: broker 1 not removed from the ISR");
	CHECK(wait_seen(fb1, 4, "cs", 0, 3, 1, 1), "broker 1 got no LeaderAndIsr for cs-0");
	CHECK(wait_seen(fb3, 4, "cs", 0, 3, 1, 1), "broker 3 got no LeaderAndIsr for cs-0");
	CHECK(wait_seen(fb3, 4, "cs", 1, 3, 1, 1), "broker 3 got no LeaderAndIsr for cs-1");
	CHECK(wait_seen(fb1, 5, "cs", 1, -1, 0, -1), "broker 1 got no StopReplica(false) for cs-1");
	struct seen_part e;
	CHECK(!fake_seen(fb1, 4, "cs", 1, &e) || e.epoch == 0,
	      "broker 1 got LeaderAndIsr instead of StopReplica for cs-1");
	/* while shutting down, broker 1 is not elected for a new partition */
	static const int32_t as2[] = { 1, 3 };
	CHECK(create_assigned(b2, "cs2", as2, 1, 2, NULL, NULL) == 0, "create cs2");
	CHECK(wait_state("cs2", 0, 3, 0, &ps) && ps.n_isr == 1,
	      "shutting-down broker 1 must not lead or join a new partition");
}

static int wait_done(struct result *r, int ms)
{
	int64_t deadline = clock_mono_ms() + ms;
	while (!r->done && clock_mono_ms() < deadline)
		mbox_wait(loop, 100);
	return r->done;
}

/* Broker side: ControlledShutdown v2 to the controller (fake broker 2). */
static void test_shutdown_sender(struct coord *b1, struct fake_broker *fb2)
{
	struct result r = { 0, 0 };
	int before = fb2->cs;
	fb2->cs_remaining = 1;
	coord_begin_controlled_shutdown(b1, 3, 200, on_done, &r);
	CHECK(wait_done(&r, 15000) && r.kerr == 0, "controlled shutdown sender: %d", r.kerr);
	CHECK(fb2->cs - before == 2, "expected one retry, got %d requests", fb2->cs - before);
	CHECK(fb2->cs_epoch == coord_broker_epoch(b1), "broker epoch in ControlledShutdown");
	r.done = 0;
	/* the first run finished, so a second one may start */
	coord_begin_controlled_shutdown(b1, 3, 200, on_done, &r);
	CHECK(wait_done(&r, 15000) && r.kerr == 0, "second sender: %d", r.kerr);
	r.done = 0;
	before = fb2->cs;
	fb2->cs_remaining = 10;
	coord_begin_controlled_shutdown(b1, 2, 100, on_done, &r);
	CHECK(wait_done(&r, 15000) && r.kerr != 0, "sender must give up with an error");
	CHECK(fb2->cs - before == 2, "max_retries 2 sent %d requests", fb2->cs - before);
	fb2->cs_remaining = 0;
}

static void write_znode(const char *path, const char *data)
{
	char full[512];
	snprintf(full, sizeof full, "%s%s", root, path);
	CHECK(zoo_create(zh, full, data, (int)strlen(data), &ZOO_OPEN_ACL_UNSAFE, 0,
			 NULL, 0) == ZOK, "create %s", path);
}

static const struct coord_config rebalance_cfg = {
	.auto_leader_rebalance_enable = 1, .leader_imbalance_check_interval_seconds = 1,
	.leader_imbalance_per_broker_percentage = 0,
};

static void test_replication(const char *zk, struct coord **b1p, struct coord **b2p,
			     struct fake_broker *fb2)
{
	static struct fake_broker fb1, fb3;
	if (fake_start(&fb1) || fake_start(&fb3)) {
		CHECK(0, "cannot start fake brokers 1 and 3");
		return;
	}
	coord_stop(*b1p);
	*b1p = start_broker(zk, 1, fb1.port, 6000);
	struct coord *b3 = start_broker_cfg(zk, 3, fb3.port, 6000, &rebalance_cfg);
	CHECK(*b1p && coord_wait_ready(*b1p, 15000) == 0 && b3 &&
	      coord_wait_ready(b3, 15000) == 0, "brokers 1 and 3 not ready");
	if (failures)
		return;
	struct coord *b1 = *b1p, *b2 = *b2p;
	CHECK(coord_controller_id(b1) == 2, "controller should still be 2");
	test_isr_updates(b1, &fb3);
	test_controlled_shutdown(b1, b2, &fb1, &fb3);
	test_shutdown_sender(b1, fb2);

	/* broker 1 registers again (eligible), rejoins cs-0's ISR; preferred
	 * replica election through the admin znode moves leadership back */
	coord_stop(b1);
	*b1p = b1 = start_broker_cfg(zk, 1, fb1.port, 6000, &rebalance_cfg);
	CHECK(b1 && coord_wait_ready(b1, 15000) == 0, "broker 1 restart");
	struct zn_pstate ps;
	int v = state_version("cs", 0, &ps);
	static const int32_t isr31[] = { 3, 1 }, isr13[] = { 1, 3 }, isr3[] = { 3 };
	CHECK(update_isr(b3, "cs", 0, 3, 1, ps.controller_epoch, isr31, 2, v, NULL) == 0,
	      "leader 3 expands cs-0's ISR");
	write_znode("/admin/preferred_replica_election",
		    "{\"version\":1,\"partitions\":[{\"topic\":\"cs\",\"partition\":0}]}");
	CHECK(wait_state("cs", 0, 1, 2, &ps) && ps.n_isr == 2, "preferred election of cs-0");
	CHECK(wait_exists("/admin/preferred_replica_election", 0, 10000),
	      "preferred election znode not deleted");
	CHECK(wait_seen(&fb1, 4, "cs", 0, 1, 2, 2), "broker 1 got no LeaderAndIsr as leader");

	/* auto rebalance: rb-0 prefers 3; broker 3's controlled shutdown moves
	 * it to 1; 3 restarts, rejoins the ISR; a controller with
	 * auto.leader.rebalance.enable moves it back */
	static const int32_t rb[] = { 3, 1 };
	CHECK(create_assigned(b1, "rb", rb, 1, 2, NULL, NULL) == 0, "create rb");
	CHECK(wait_state("rb", 0, 3, 0, &ps), "rb-0 initial");
	struct cs_result r;
	CHECK(controlled_shutdown(b2, 3, coord_broker_epoch(b3), &r) == 0, "shutdown 3");
	CHECK(wait_state("rb", 0, 1, 1, &ps), "rb-0 should move to 1");
	coord_stop(b3);
	b3 = start_broker_cfg(zk, 3, fb3.port, 6000, &rebalance_cfg);
	CHECK(b3 && coord_wait_ready(b3, 15000) == 0, "broker 3 restart");
	v = state_version("rb", 0, &ps);
	CHECK(update_isr(b1, "rb", 0, 1, 1, ps.controller_epoch, isr13, 2, v, NULL) == 0,
	      "leader 1 expands rb-0's ISR");
	coord_stop(b2);
	*b2p = NULL;
	CHECK(wait_state("rb", 0, 3, 2, &ps), "auto rebalance did not restore rb-0's "
	      "preferred leader (leader %d epoch %d)", ps.leader, ps.leader_epoch);

	/* unclean election: only the dead broker 3 is in sync */
	static const int32_t uc[] = { 3, 1 };
	CHECK(create_assigned(b1, "uc_on", uc, 1, 2, "unclean.leader.election.enable",
			      "true") == 0, "create uc_on");
	CHECK(create_assigned(b1, "uc_off", uc, 1, 2, "retention.ms", "1000") == 0,
	      "create uc_off");
	const char *ucs[] = { "uc_on", "uc_off" };
	for (int k = 0; k < 2; k++) {
		CHECK(wait_state(ucs[k], 0, 3, 0, &ps), "%s initial", ucs[k]);
		v = state_version(ucs[k], 0, &ps);
		CHECK(update_isr(b3, ucs[k], 0, 3, 0, ps.controller_epoch, isr3, 1, v,
				 NULL) == 0, "%s ISR shrink", ucs[k]);
	}
	coord_stop(b3);
	CHECK(wait_state("uc_on", 0, 1, 1, &ps) && ps.n_isr == 1 && ps.isr[0] == 1,
	      "unclean election with the topic override on");
	CHECK(wait_state("uc_off", 0, -1, 1, &ps) && ps.n_isr == 1 && ps.isr[0] == 3,
	      "clean-only: uc_off must be offline with ISR [3]");
	CHECK(fb1.bad == 0 && fb3.bad == 0, "undecodable requests %d %d", fb1.bad, fb3.bad);
	fake_stop(&fb1);
	fake_stop(&fb3);
}

/* Waits until root+path holds exactly want (want NULL: contains sub). */
static int wait_data(const char *path, const char *want, const char *sub, int ms)
{
	int64_t deadline = clock_mono_ms() + ms;
	while (clock_mono_ms() < deadline) {
		char *d = zget(path, NULL);
		int ok = d && (want ? strcmp(d, want) == 0 : strstr(d, sub) != NULL);
		free(d);
		if (ok)
			return 1;
		usleep(50000);
	}
	return 0;
}

static void show_data(const char *path)
{
	char *d = zget(path, NULL);
	fprintf(stderr, "  %s = %s\n", path, d ? d : "(none)");
	free(d);
}

/* the end of the topic znode: the controller gave "ra" a topic_id (written
 * before the partitions) and every rewrite keeps it */
#define RA_FINAL(list) "\"partitions\":{\"0\":" list "}," \
	"\"adding_replicas\":{},\"removing_replicas\":{}}"

/* [1,2] -> [2,3] with controller 1: broker 3 is told, the leader's ISR
 * write completes it, leadership moves to 2, broker 1's replica is deleted.
 * An entry for an unknown topic in the same node is dropped. */
static void test_reassign_basic(struct coord *r1, struct coord *r2, struct fake_broker *f1,
				struct fake_broker *f2, struct fake_broker *f3)
{
	struct zn_pstate ps;
	write_znode("/admin/reassign_partitions", "{\"version\":1,\"partitions\":["
		    "{\"topic\":\"ra\",\"partition\":0,\"replicas\":[2,3]},"
		    "{\"topic\":\"dr\",\"partition\":0,\"replicas\":[2,3]},"
		    "{\"topic\":\"nosuch\",\"partition\":0,\"replicas\":[1]}]}");
	CHECK(wait_data("/brokers/topics/ra", NULL, "\"partitions\":{\"0\":[2,3,1]},"
			"\"adding_replicas\":{\"0\":[3]},\"removing_replicas\":{\"0\":[1]}}",
			10000), "ra: topic znode during reassignment");
	CHECK(wait_data("/brokers/topics/ra", NULL, "{\"version\":3,\"topic_id\":\"", 1000),
	      "ra: the reassignment dropped the topic id");
	CHECK(wait_state("ra", 0, 1, 1, &ps) && ps.n_isr == 2,
	      "ra-0: leader epoch not bumped at start (leader %d epoch %d)", ps.leader,
	      ps.leader_epoch);
	CHECK(wait_seen(f3, 4, "ra", 0, 1, 1, 2), "new replica 3 got no LeaderAndIsr");
	CHECK(wait_seen(f2, 4, "ra", 0, 1, 1, 2), "replica 2 got no LeaderAndIsr");
	CHECK(wait_data("/admin/reassign_partitions", NULL, "\"ra\"", 5000) &&
	      !wait_data("/admin/reassign_partitions", NULL, "nosuch", 2000),
	      "invalid entry not dropped (or valid one lost)");
	show_data("/admin/reassign_partitions");
	struct seen_part e;
	CHECK(!fake_seen(f1, 5, "ra", 0, &e), "StopReplica to 1 before 3 caught up");
	struct result r = { 0, 0 };
	coord_create_partitions(r1, "ra", 2, 0, on_done, &r);
	CHECK(wait_result(&r) == 60, "adding partitions during a reassignment must be "
	      "REASSIGNMENT_IN_PROGRESS");
	/* deleting dr waits for its reassignment to finish */
	CHECK(wait_data("/brokers/topics/dr", NULL, "\"adding_replicas\":{\"0\":[3]}", 5000),
	      "dr reassignment not started");
	r.done = 0;
	coord_delete_topic(r1, "dr", on_done, &r);
	CHECK(wait_result(&r) == 0, "delete dr");
	usleep(1500000);
	CHECK(zexists("/brokers/topics/dr") && zexists("/admin/delete_topics/dr"),
	      "deletion of dr did not wait for its reassignment");
	CHECK(!fake_seen(f2, 5, "dr", 0, &e), "dr's replica deleted during reassignment");
	int vd = state_version("dr", 0, &ps);
	static const int32_t isr23[] = { 2, 3 };
	CHECK(update_isr(r2, "dr", 0, 2, ps.leader_epoch, ps.controller_epoch, isr23, 2,
			 vd, NULL) == 0, "leader 2 expands dr-0's ISR");
	/* the leader adds 3 once caught up, as broker/ would */
	int v = state_version("ra", 0, &ps);
	static const int32_t isr123[] = { 1, 2, 3 };
	CHECK(update_isr(r1, "ra", 0, 1, 1, ps.controller_epoch, isr123, 3, v, NULL) == 0,
	      "leader 1 expands ra-0's ISR");
	CHECK(wait_state("ra", 0, 2, 2, &ps) && ps.n_isr == 2 &&
	      ps.isr[0] != 1 && ps.isr[1] != 1, "ra-0: leader not moved to 2 / ISR "
	      "(leader %d epoch %d isr %d)", ps.leader, ps.leader_epoch, ps.n_isr);
	CHECK(wait_data("/brokers/topics/ra", NULL, RA_FINAL("[2,3]"), 10000),
	      "ra: final topic znode");
	show_data("/brokers/topics/ra");
	CHECK(wait_exists("/admin/reassign_partitions", 0, 10000),
	      "admin node not deleted after completion");
	CHECK(wait_seen(f1, 5, "ra", 0, -1, 1, -1), "broker 1 got no StopReplica(delete)");
	CHECK(wait_seen(f2, 4, "ra", 0, 2, 2, 2) && wait_seen(f3, 4, "ra", 0, 2, 2, 2),
	      "targets got no LeaderAndIsr with the new leader");
	CHECK(wait_exists("/brokers/topics/dr", 0, 10000) &&
	      wait_exists("/admin/delete_topics/dr", 0, 5000),
	      "dr not deleted after its reassignment finished");
	CHECK(wait_seen(f2, 5, "dr", 0, -1, 1, -1) && wait_seen(f3, 5, "dr", 0, -1, 1, -1),
	      "dr's replicas not deleted");
}

/* Invalid requests are logged and dropped; nothing changes. */
static void test_reassign_invalid(void)
{
	write_znode("/admin/reassign_partitions", "{\"version\":1,\"partitions\":["
		    "{\"topic\":\"ra\",\"partition\":9,\"replicas\":[1]},"
		    "{\"topic\":\"ra\",\"partition\":0,\"replicas\":[2,2]},"
		    "{\"topic\":\"ra\",\"partition\":0,\"replicas\":[7]},"
		    "{\"topic\":\"ra\",\"partition\":0,\"replicas\":[]},"
		    "{\"topic\":\"ra\",\"partition\":0}]}");
	CHECK(wait_exists("/admin/reassign_partitions", 0, 10000),
	      "node with only invalid entries not deleted");
	CHECK(wait_data("/brokers/topics/ra", NULL, RA_FINAL("[2,3]"), 1000),
	      "invalid entries changed the topic");
	write_znode("/admin/reassign_partitions", "not json");
	CHECK(wait_exists("/admin/reassign_partitions", 0, 10000),
	      "malformed node not deleted");
}

/* rf: [2] -> [3]; the controller (1) stops mid-way; the next one resumes
 * from the topic znode and admin node and completes it. */
static struct coord *test_reassign_failover(struct coord *r1, struct coord *r2,
					    struct coord *r3, struct fake_broker *f2,
					    struct fake_broker *f3)
{
	struct zn_pstate ps;
	write_znode("/admin/reassign_partitions", "{\"version\":1,\"partitions\":["
		    "{\"topic\":\"rf\",\"partition\":0,\"replicas\":[3]}]}");
	CHECK(wait_data("/brokers/topics/rf", NULL, "\"partitions\":{\"0\":[3,2]},"
			"\"adding_replicas\":{\"0\":[3]},\"removing_replicas\":{\"0\":[2]}}",
			10000), "rf: topic znode during reassignment");
	CHECK(wait_state("rf", 0, 2, 1, &ps), "rf-0 epoch not bumped at start");
	CHECK(wait_seen(f3, 4, "rf", 0, 2, 1, 1), "new replica 3 got no LeaderAndIsr (rf)");
	coord_stop(r1);
	int64_t deadline = clock_mono_ms() + 15000;
	while (clock_mono_ms() < deadline && (coord_controller_id(r2) < 2 ||
					      coord_controller_id(r3) != coord_controller_id(r2)))
		usleep(50000);
	CHECK(coord_controller_id(r2) >= 2, "no controller after failover");
	usleep(1500000); /* let the new controller finish loading */
	CHECK(zexists("/admin/reassign_partitions"), "admin node lost on failover");
	int v = state_version("rf", 0, &ps);
	static const int32_t isr23[] = { 2, 3 };
	CHECK(ps.leader == 2 && update_isr(r2, "rf", 0, 2, ps.leader_epoch,
					   ps.controller_epoch, isr23, 2, v, NULL) == 0,
	      "leader 2 expands rf-0's ISR");
	CHECK(wait_state("rf", 0, 3, ps.leader_epoch + 1, &ps) && ps.n_isr == 1 &&
	      ps.isr[0] == 3, "rf-0 not completed by the new controller (leader %d "
	      "epoch %d)", ps.leader, ps.leader_epoch);
	CHECK(wait_data("/brokers/topics/rf", NULL, RA_FINAL("[3]"), 10000),
	      "rf: final topic znode");
	CHECK(wait_exists("/admin/reassign_partitions", 0, 10000),
	      "admin node not deleted after resumed reassignment");
	CHECK(wait_seen(f2, 5, "rf", 0, -1, 1, -1), "broker 2 got no StopReplica(delete)");
	return NULL;
}

/* dz: [2,1] with broker 1 dead: deletion deletes 2's replica, then waits;
 * broker 1's return lets it finish. */
static struct coord *test_delete_waits(const char *zk, struct coord *r2,
				       struct fake_broker *f1, struct fake_broker *f2)
{
	struct result r = { 0, 0 };
	coord_delete_topic(r2, "dz", on_done, &r);
	CHECK(wait_result(&r) == 0, "delete dz");
	CHECK(wait_seen(f2, 5, "dz", 0, -1, 1, -1), "live replica 2 not deleted at once");
	usleep(2000000);
	CHECK(zexists("/brokers/topics/dz") && zexists("/admin/delete_topics/dz"),
	      "deletion did not wait for dead broker 1");
	struct coord *r1 = start_broker(zk, 1, f1->port, 6000);
	CHECK(r1 && coord_wait_ready(r1, 15000) == 0, "broker 1 restart");
	CHECK(wait_seen(f1, 5, "dz", 0, -1, 1, -1), "returning broker 1 got no "
	      "StopReplica(delete) for dz-0");
	CHECK(wait_exists("/brokers/topics/dz", 0, 10000) &&
	      wait_exists("/admin/delete_topics/dz", 0, 5000) &&
	      wait_exists("/config/topics/dz", 0, 5000), "dz not deleted after broker 1 returned");
	return r1;
}

static void test_reassign(const char *zk)
{
	static struct fake_broker f1, f2, f3;
	if (fake_start(&f1) || fake_start(&f2) || fake_start(&f3)) {
		CHECK(0, "cannot start fake brokers for reassignment");
		return;
	}
	struct coord *r1 = start_broker(zk, 1, f1.port, 6000);
	CHECK(r1 && coord_wait_ready(r1, 15000) == 0, "reassign: broker 1 not ready");
	struct coord *r2 = start_broker(zk, 2, f2.port, 6000);
	struct coord *r3 = start_broker(zk, 3, f3.port, 6000);
	CHECK(r2 && coord_wait_ready(r2, 15000) == 0 && r3 &&
	      coord_wait_ready(r3, 15000) == 0, "reassign: brokers 2, 3 not ready");
	if (failures)
		return;
	CHECK(coord_controller_id(r1) == 1, "broker 1 should be controller");
	static const int32_t a12[] = { 1, 2 }, a2[] = { 2 }, a21[] = { 2, 1 };
	CHECK(create_assigned(r1, "dr", a2, 1, 1, NULL, NULL) == 0, "create dr");
	CHECK(create_assigned(r1, "ra", a12, 1, 2, NULL, NULL) == 0 &&
	      create_assigned(r1, "rf", a2, 1, 1, NULL, NULL) == 0 &&
	      create_assigned(r1, "dz", a21, 1, 2, NULL, NULL) == 0, "create ra, rf, dz");
	struct zn_pstate ps;
	CHECK(wait_state("ra", 0, 1, 0, &ps) && wait_state("rf", 0, 2, 0, &ps) &&
	      wait_state("dr", 0, 2, 0, &ps) &&
	      wait_state("dz", 0, 2, 0, &ps), "ra/rf/dz initial states");
	test_reassign_basic(r1, r2, &f1, &f2, &f3);
	test_reassign_invalid();
	r1 = test_reassign_failover(r1, r2, r3, &f2, &f3);
	r1 = test_delete_waits(zk, r2, &f1, &f2);
	CHECK(f1.bad == 0 && f2.bad == 0 && f3.bad == 0, "undecodable requests");
	coord_stop(r1);
	coord_stop(r2);
	coord_stop(r3);
	fake_stop(&f1);
	fake_stop(&f2);
	fake_stop(&f3);
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
	/* Kafka 2.8+: created with its topic id (version 3) */
	uint8_t orders_id[16];
	CHECK(n == 3 && strstr(d, "\"version\":3") && strstr(d, "\"adding_replicas\":{}") &&
	      zn_topic_id_parse(d, strlen(d), orders_id) == 0,
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
	snprintf(path, sizeof path, "/brokers/topics/hand");
	CHECK(wait_data(path, NULL, "\"topic_id\":\"", 10000) &&
	      wait_data(path, NULL, "\"partitions\":{\"0\":[1]}", 100),
	      "the controller gave the hand-written topic no id (or lost its partitions)");
	show_data(path);
	/* the partition added above kept the id */
	d = zget("/brokers/topics/orders", NULL);
	uint8_t id_after[16];
	CHECK(d && zn_topic_id_parse(d, strlen(d), id_after) == 0 &&
	      memcmp(orders_id, id_after, 16) == 0, "CreatePartitions changed the topic id: %s",
	      d ? d : "(none)");
	free(d);

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

	test_replication(zk, &b1, &b2, &fb);
	coord_stop(b1);
	coord_stop(b2);
	b1 = b2 = NULL;
	if (!failures)
		test_reassign(zk);

	CHECK(!zexists("/brokers/ids/1") && !zexists("/brokers/ids/2"), "ids left");
	CHECK(!zexists("/controller"), "/controller left");
	fake_stop(&fb);
	zookeeper_close(zh);
	mbox_drain(loop);
	mbox_free(loop);
	printf("%s (%d failures)\n", failures ? "FAILED" : "OK", failures);
	return failures ? 1 : 0;
}
