/* The coordination thread: owns the ZooKeeper session, registers this broker,
 * takes part in controller election and runs admin requests. ZooKeeper
 * watches (delivered on the client library's thread) only post events to
 * c->events; everything else runs here, one event at a time. */
#include "coord/coord.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "coord/coord_int.h"
#include "coord/zk_resolve.h"

#define ZK_RESOLVE_DELAY_MS 60000

static const char *const coord_persistent_paths[] = {
	"/consumers", "/brokers/ids", "/brokers/topics", "/brokers/seqid",
	"/config/changes", "/admin/delete_topics", "/isr_change_notification",
	"/log_dir_event_notification", "/latest_producer_id_block",
	"/config/topics", "/config/clients", "/config/users", "/config/brokers",
	"/kafka-acl-changes", "/kafka-acl-extended-changes",
};

struct coord_event {
	struct coord *c;
	int gen;
	int type;
	int state;
	char path[];
};

static void coord_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void coord_handle_event(void *arg);

enum { ZKS_CLOSED, ZKS_CONNECTING, ZKS_CONNECTED, ZKS_EXPIRED, ZKS_AUTH_FAILED };
static const char *const zk_state_names[] = { "CLOSED", "CONNECTING", "CONNECTED",
					      "EXPIRED", "AUTH_FAILED" };

/* Session state changes, counted as Kafka's SessionExpireListener does. */
static void coord_note_session(struct coord *c, int state)
{
	int id = state == ZOO_CONNECTED_STATE ? ZKS_CONNECTED :
		 state == ZOO_EXPIRED_SESSION_STATE ? ZKS_EXPIRED :
		 state == ZOO_AUTH_FAILED_STATE ? ZKS_AUTH_FAILED : ZKS_CONNECTING;
	int old = atomic_exchange(&c->zk_state_id, id);
	if (id == ZKS_CONNECTING && old == ZKS_CONNECTED)
		atomic_fetch_add(&c->zk_disconnects, 1);
	if (id == ZKS_EXPIRED && old != ZKS_EXPIRED)
		atomic_fetch_add(&c->zk_expires, 1);
}

void coord_zk_stats(const struct coord *c, struct coord_zk_stats *out)
{
	struct coord *m = (struct coord *)c;
	int id = atomic_load(&m->zk_state_id);
	out->state = zk_state_names[id >= 0 && id <= ZKS_AUTH_FAILED ? id : 0];
	out->disconnects = atomic_load(&m->zk_disconnects);
	out->expires = atomic_load(&m->zk_expires);
}

/* Runs on the ZooKeeper client's thread: hand over, nothing else. */
static void coord_watcher(zhandle_t *zh, int type, int state, const char *path,
			  void *ctx)
{
	(void)zh;
	struct coord *c = ctx;
	if (type == ZOO_SESSION_EVENT)
		coord_note_session(c, state);
	size_t l = path ? strlen(path) : 0;
	struct coord_event *ev = malloc(sizeof *ev + l + 1);
	if (!ev)
		return;
	ev->c = c;
	ev->gen = atomic_load(&c->session_gen);
	ev->type = type;
	ev->state = state;
	memcpy(ev->path, path ? path : "", l + 1);
	mbox_post(c->events, coord_handle_event, ev);
}

static void coord_signal(struct coord *c)
{
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void coord_set_controller(struct coord *c, int32_t id)
{
	int32_t old = atomic_exchange(&c->controller_id, id);
	if (old != id) {
		log_info(COORD_MOD, "controller is now %d", id);
		coord_refresh_controller_ep(c, id);
		coord_signal(c);
	}
}

/* Opens a session to the servers (under the chroot when chrooted) and
 * waits until it is connected or timeout. The names are resolved here, on
 * every new session (zk_resolve.h says why not by the library). */
static zhandle_t *coord_zk_open(struct coord *c, int chrooted, int with_watcher)
{
	char conn[4096];
	int kept = zk_resolve_connect(c->zk_hosts, chrooted ? c->zk_chroot : NULL, conn,
				      sizeof conn);
	if (kept <= 0) {
		if (kept == 0)
			log_warn_rl(COORD_MOD, "no ZooKeeper server of %s resolves", c->zk_hosts);
		return NULL;
	}
	zhandle_t *zh = zookeeper_init(conn, with_watcher ? coord_watcher : NULL,
				       c->cfg.zk_session_timeout_ms, NULL, c, 0);
	if (!zh) {
		log_error(COORD_MOD, "zookeeper_init(%s): %s", conn, strerror(errno));
		return NULL;
	}
	/* The client re-resolves its (now numeric) server list on every
	 * wake-up of its I/O thread by default, a netlink dump per ping: an
	 * idle broker's main ZooKeeper cost. Once a minute is plenty. */
	zoo_set_servers_resolution_delay(zh, ZK_RESOLVE_DELAY_MS);
	int64_t deadline = clock_mono_ms() + c->cfg.zk_session_timeout_ms;
	while (zoo_state(zh) != ZOO_CONNECTED_STATE) {
		if (clock_mono_ms() > deadline || atomic_load(&c->stopping)) {
			log_warn(COORD_MOD, "could not connect to ZooKeeper at %s", conn);
			zookeeper_close(zh);
			return NULL;
		}
		coord_sleep_ms(20);
	}
	if (c->cfg.zk_digest) {
		int rc = zk_add_digest(zh, c->cfg.zk_digest, c->cfg.zk_session_timeout_ms);
		if (rc != ZOK) {
			log_error(COORD_MOD, "ZooKeeper digest authentication (zookeeper.digest): %s",
				  zerror(rc));
			zookeeper_close(zh);
			return NULL;
		}
	}
	return zh;
}

/* The chroot must exist before a chrooted session can create anything. */
static int coord_make_chroot(struct coord *c)
{
	if (!c->zk_chroot)
		return 0;
	zhandle_t *zh = coord_zk_open(c, 0, 0);
	if (!zh)
		return -1;
	int rc = zk_create_path_on(zh, c->zk_chroot, c->cfg.zk_set_acl);
	zookeeper_close(zh);
	if (rc != ZOK) {
		log_error(COORD_MOD, "creating chroot %s: %s", c->zk_chroot, zerror(rc));
		return -1;
	}
	return 0;
}

static int coord_create_persistent(struct coord *c)
{
	for (size_t k = 0; k < sizeof coord_persistent_paths / sizeof *coord_persistent_paths; k++) {
		int rc = zk_create_path(c, coord_persistent_paths[k]);
		if (rc != ZOK) {
			log_error(COORD_MOD, "creating %s: %s", coord_persistent_paths[k],
				  zerror(rc));
			return -1;
		}
	}
	return 0;
}

static int coord_load_cluster_id(struct coord *c)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char *d;
		int l;
		int rc = zk_get_alloc(c, "/cluster/id", 0, &d, &l, NULL);
		if (rc == ZOK) {
			char id[32];
			int prc = zn_cluster_id_parse(d, (size_t)l, id);
			free(d);
			if (prc) {
				log_error(COORD_MOD, "/cluster/id is malformed");
				return -1;
			}
			pthread_mutex_lock(&c->lock);
			memcpy(c->cluster_id, id, sizeof id);
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
		if (rc != ZNONODE)
			return -1;
		char id[23];
		struct zbuf b;
		if (zn_cluster_id_generate(id))
			return -1;
		zb_init(&b);
		zn_cluster_id_build(&b, id);
		zk_create_path(c, "/cluster");
		rc = b.oom ? ZSYSTEMERROR :
		     zoo_create(c->zh, "/cluster/id", b.p, (int)b.len,
				zk_acl(c, "/cluster/id"), 0, NULL, 0);
		zb_free(&b);
		if (rc == ZOK)
			log_info(COORD_MOD, "created cluster id %s", id);
		else if (rc != ZNODEEXISTS)
			return -1;
	}
	return -1;
}

/* Waits for a node left by another session to vanish (a restarted broker's
 * previous session may still be alive for up to the session timeout). */
static int coord_wait_gone(struct coord *c, const char *path, int64_t owner)
{
	log_warn(COORD_MOD, "%s is held by session 0x%llx; waiting for it to expire",
		 path, (long long)owner);
	int64_t deadline = clock_mono_ms() + c->cfg.zk_session_timeout_ms + 2000;
	while (clock_mono_ms() < deadline && !atomic_load(&c->stopping)) {
		struct Stat st;
		if (zoo_exists(c->zh, path, 0, &st) == ZNONODE)
			return 0;
		coord_sleep_ms(200);
	}
	return -1;
}

/* Registers /brokers/ids/<id>: create ephemeral + setData at version 0 in
 * one multi-op, so the returned stat carries the czxid (broker epoch). */
static int coord_register(struct coord *c)
{
	char path[64];
	struct zbuf b;
	snprintf(path, sizeof path, "/brokers/ids/%d", c->cfg.broker_id);
	zb_init(&b);
	if (zn_broker_build(&b, c->cfg.advertised_listeners,
			    c->cfg.listener_security_protocol_map, c->cfg.rack,
			    clock_wall_ms()) || b.oom) {
		zb_free(&b);
		return -1;
	}
	int result = -1;
	for (int attempt = 0; attempt < 4; attempt++) {
		zoo_op_t ops[2];
		zoo_op_result_t res[2];
		struct Stat st;
		memset(&st, 0, sizeof st);
		zoo_create_op_init(&ops[0], path, b.p, (int)b.len, zk_acl(c, path),
				   ZOO_EPHEMERAL, NULL, 0);
		zoo_set_op_init(&ops[1], path, b.p, (int)b.len, 0, &st);
		int rc = zoo_multi(c->zh, 2, ops, res);
		if (rc == ZOK) {
			atomic_store(&c->broker_epoch, st.czxid);
			log_info(COORD_MOD, "registered %s (broker epoch %lld)", path,
				 (long long)st.czxid);
			result = 0;
			break;
		}
		if (rc != ZNODEEXISTS) {
			log_error(COORD_MOD, "registering %s: %s", path, zerror(rc));
			break;
		}
		if (zoo_exists(c->zh, path, 0, &st) != ZOK)
			continue;
		int64_t me = zoo_client_id(c->zh)->client_id;
		if (st.ephemeralOwner == me) {
			zoo_delete(c->zh, path, -1); /* our own leftover: replace */
			continue;
		}
		if (coord_wait_gone(c, path, st.ephemeralOwner) == 0)
			continue;
		log_error(COORD_MOD, "broker.id %d is already registered by another "
			  "live ZooKeeper session (0x%llx): duplicate broker.id?",
			  c->cfg.broker_id, (long long)st.ephemeralOwner);
		break;
	}
	zb_free(&b);
	return result;
}

/* Quoted, escaped and cut text of a znode's data, for log lines. */
static const char *coord_shown(const char *d, int l, char *out, size_t cap)
{
	size_t o = 0;
	for (int i = 0; i < l && o + 5 < cap; i++) {
		unsigned char ch = (unsigned char)d[i];
		o += (size_t)snprintf(out + o, cap - o, ch >= 0x20 && ch < 0x7f && ch != '\\'
						 ? "%c" : "\\x%02x", ch);
	}
	out[o] = 0;
	return out;
}

/* "zkCli.sh -server host:port" plus the chroot to prefix paths with. */
static void coord_zkcli_hint(const struct coord *c, char *out, size_t cap)
{
	size_t n = strcspn(c->zk_hosts, ",");
	snprintf(out, cap, "zkCli.sh -server %.*s", (int)n, c->zk_hosts);
}

/* Reads /controller_epoch, creating it with "0" if missing. Garbage in it
 * stops every election: it is logged with the command that repairs it,
 * and an exists watch re-runs the election once it is rewritten. */
static int coord_read_epoch(struct coord *c, int32_t *epoch, int32_t *version)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char *d;
		int l;
		struct Stat st;
		int rc = zk_get_alloc(c, "/controller_epoch", 0, &d, &l, &st);
		if (rc == ZNONODE) {
			rc = zoo_create(c->zh, "/controller_epoch", "0", 1,
					zk_acl(c, "/controller_epoch"), 0, NULL, 0);
			if (rc != ZOK && rc != ZNODEEXISTS)
				return -1;
			continue;
		}
		if (rc != ZOK)
			return -1;
		char *e;
		long v = strtol(d, &e, 10);
		int bad = l == 0 || *e || v < 0 || v >= INT32_MAX;
		if (bad) {
			char shown[160], cli[300];
			coord_zkcli_hint(c, cli, sizeof cli);
			/* each election bumps the epoch by one with one set: the
			 * node's version is at least the last good epoch */
			log_error(COORD_MOD, "/controller_epoch holds malformed data \"%s\": no "
				  "controller can be elected until it is repaired, e.g. with: "
				  "%s set %s/controller_epoch %d", coord_shown(d, l, shown, sizeof shown),
				  cli, c->zk_chroot ? c->zk_chroot : "", (int)st.version + 1);
			free(d);
			zoo_exists(c->zh, "/controller_epoch", 1, &st);
			return -1;
		}
		free(d);
		*epoch = (int32_t)v;
		*version = st.version;
		return 0;
	}
	return -1;
}

/* Follows an existing /controller. Returns 0, or -1 if it vanished. */
static int coord_follow(struct coord *c)
{
	char *d;
	int l;
	struct Stat st;
	int rc = zk_get_alloc(c, "/controller", 0, &d, &l, &st);
	if (rc != ZOK)
		return -1;
	int32_t id = zn_controller_parse(d, (size_t)l);
	int64_t me = zoo_client_id(c->zh)->client_id;
	if (id < 0) {
		char shown[160], cli[300];
		coord_zkcli_hint(c, cli, sizeof cli);
		if (st.ephemeralOwner == me)
			log_error(COORD_MOD, "/controller (ours) was overwritten with malformed data "
				  "\"%s\"; resigning so that an election rewrites it",
				  coord_shown(d, l, shown, sizeof shown));
		else
			log_error(COORD_MOD, "/controller holds malformed data \"%s\": no controller "
				  "can be elected while it exists; repair with: %s delete %s/controller",
				  coord_shown(d, l, shown, sizeof shown), cli,
				  c->zk_chroot ? c->zk_chroot : "");
		free(d);
		if (st.ephemeralOwner == me) {
			if (c->ctl.active)
				ctl_resign(c);
			coord_set_controller(c, -1);
			return zoo_delete(c->zh, "/controller", -1) == ZOK ? -1 : 0;
		}
		if (c->ctl.active)
			ctl_resign(c);
		coord_set_controller(c, -1);
		return 0;
	}
	free(d);
	if (id == c->cfg.broker_id && st.ephemeralOwner == me) {
		/* we won but did not see the answer (or re-read after winning) */
		int32_t e, v;
		if (!c->ctl.active && coord_read_epoch(c, &e, &v) == 0) {
			coord_set_controller(c, id);
			ctl_on_elected(c, e, v);
		}
		return 0;
	}
	if (c->ctl.active)
		ctl_resign(c);
	coord_set_controller(c, id < 0 ? -1 : id);
	return 0;
}

/* Election (docs/zookeeper.md §2): exists-watch on /controller; if absent, one
 * multi-op creates it and bumps /controller_epoch at the version read. */
void coord_reelect(struct coord *c)
{
	for (int attempt = 0; attempt < 5 && !atomic_load(&c->stopping); attempt++) {
		struct Stat st;
		int rc = zoo_exists(c->zh, "/controller", 1, &st);
		if (rc == ZOK) {
			if (coord_follow(c) == 0)
				return;
			continue;
		}
		if (rc != ZNONODE)
			break;
		if (c->ctl.active)
			ctl_resign(c);
		coord_set_controller(c, -1);
		int32_t epoch, version;
		if (coord_read_epoch(c, &epoch, &version))
			break;
		struct zbuf b;
		char ebuf[16];
		zb_init(&b);
		zn_controller_build(&b, c->cfg.broker_id, clock_wall_ms());
		snprintf(ebuf, sizeof ebuf, "%d", epoch + 1);
		zoo_op_t ops[2];
		zoo_op_result_t res[2];
		struct Stat est;
		zoo_create_op_init(&ops[0], "/controller", b.p, (int)b.len,
				   zk_acl(c, "/controller"), ZOO_EPHEMERAL, NULL, 0);
		zoo_set_op_init(&ops[1], "/controller_epoch", ebuf, (int)strlen(ebuf),
				version, &est);
		rc = b.oom ? ZSYSTEMERROR : zoo_multi(c->zh, 2, ops, res);
		zb_free(&b);
		if (rc == ZOK) {
			log_info(COORD_MOD, "elected controller, epoch %d", epoch + 1);
			coord_set_controller(c, c->cfg.broker_id);
			ctl_on_elected(c, epoch + 1, est.version);
			return;
		}
		if (rc != ZNODEEXISTS && rc != ZBADVERSION)
			break;
	}
	log_warn(COORD_MOD, "controller election did not settle; will retry");
}

static void coord_set_registered(struct coord *c, int registered, int fatal)
{
	pthread_mutex_lock(&c->lock);
	c->registered = registered;
	c->fatal = fatal;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void coord_session_close(struct coord *c)
{
	if (c->ctl.active)
		ctl_resign(c);
	if (c->zh) {
		atomic_fetch_add(&c->session_gen, 1);
		zookeeper_close(c->zh);
		c->zh = NULL;
	}
	coord_set_registered(c, 0, c->fatal);
	coord_set_controller(c, -1);
}

/* A whole session start: returns 0, -1 to retry later, -2 fatal. */
static int coord_session_start(struct coord *c)
{
	if (coord_make_chroot(c))
		return -1;
	atomic_fetch_add(&c->session_gen, 1);
	c->zh = coord_zk_open(c, 1, 1);
	if (!c->zh)
		return -1;
	log_info(COORD_MOD, "ZooKeeper session 0x%llx established",
		 (long long)zoo_client_id(c->zh)->client_id);
	if (coord_create_persistent(c) || coord_load_cluster_id(c))
		return -1;
	if (c->cfg.zk_set_acl && !c->secured) {
		int fixed = zk_secure_existing(c);
		if (fixed < 0)
			return -1;
		c->secured = 1;
		if (fixed > 0)
			log_info(COORD_MOD, "zookeeper.set.acl: ACLs of %d existing znode(s) "
				 "set to creator-all + world-read (sensitive: creator only)", fixed);
	}
	if (coord_register(c))
		return -2;
	coord_set_registered(c, 1, 0);
	tcfg_sync_all(c);
	qcfg_sync_all(c);
	acl_sync_all(c);
	coord_reelect(c);
	return 0;
}

static void coord_handle_event(void *arg)
{
	struct coord_event *ev = arg;
	struct coord *c = ev->c;
	if (atomic_load(&c->stopping) || ev->gen != atomic_load(&c->session_gen) ||
	    !c->zh) {
		free(ev);
		return;
	}
	if (ev->type == ZOO_SESSION_EVENT) {
		if (ev->state == ZOO_EXPIRED_SESSION_STATE) {
			log_warn(COORD_MOD, "ZooKeeper session expired: new session, "
				 "re-registering and re-running election");
			coord_session_close(c);
		}
	} else if (strcmp(ev->path, "/controller") == 0 ||
		   strcmp(ev->path, "/controller_epoch") == 0) {
		coord_reelect(c);
	} else {
		if (!tcfg_on_watch(c, ev->path) && !qcfg_on_watch(c, ev->path))
			acl_on_watch(c, ev->path);
		if (c->ctl.active)
			ctl_on_watch(c, ev->type, ev->path);
	}
	free(ev);
}

/* Deletes an ephemeral node only if this session owns it. */
static void coord_delete_own(struct coord *c, const char *path)
{
	struct Stat st;
	if (zoo_exists(c->zh, path, 0, &st) == ZOK &&
	    st.ephemeralOwner == zoo_client_id(c->zh)->client_id)
		zoo_delete(c->zh, path, st.version);
}

/* The library learns that its session expired only from a server, so
 * while none is reachable it would retry the old addresses forever. Once
 * no server answered for a whole session timeout the session is gone on
 * the servers' side too: close it and open a new one, resolving the names
 * again (a server may have moved). */
static void coord_check_unreachable(struct coord *c, int64_t now)
{
	if (!c->zh || zoo_state(c->zh) == ZOO_CONNECTED_STATE) {
		c->zk_lost_ms = 0;
		return;
	}
	if (!c->zk_lost_ms)
		c->zk_lost_ms = now;
	if (now - c->zk_lost_ms < c->cfg.zk_session_timeout_ms)
		return;
	log_warn(COORD_MOD, "no ZooKeeper server answered for %lld ms (session timeout %d ms): "
		 "the session has expired; opening a new one", (long long)(now - c->zk_lost_ms),
		 c->cfg.zk_session_timeout_ms);
	atomic_fetch_add(&c->zk_expires, 1);
	atomic_store(&c->zk_state_id, ZKS_EXPIRED);
	coord_session_close(c);
	c->zk_lost_ms = 0;
}

static void *coord_main(void *arg)
{
	struct coord *c = arg;
	int64_t next_start = 0, next_tick = 0;
	while (!atomic_load(&c->stopping)) {
		int64_t now = clock_mono_ms();
		if (!c->zh && !c->fatal && now >= next_start) {
			int rc = coord_session_start(c);
			if (rc == -2) {
				coord_set_registered(c, 0, 1);
			} else if (rc < 0) {
				coord_session_close(c);
				next_start = clock_mono_ms() + 1000;
			}
		}
		if (c->zh && zoo_state(c->zh) == ZOO_EXPIRED_SESSION_STATE) {
			log_warn(COORD_MOD, "ZooKeeper session expired");
			coord_session_close(c);
		}
		coord_check_unreachable(c, clock_mono_ms());
		mbox_wait(c->events, 200);
		if (c->zh) {
			coord_isr_tick(c);
			coord_log_dir_tick(c);
		}
		if (c->zh && clock_mono_ms() >= next_tick) {
			ctl_tick(c);
			/* 250 ms: a refused broker's first retry (ctl_flush_failed) */
			next_tick = clock_mono_ms() + 250;
		}
	}
	/* resign explicitly so followers need not wait for the session close */
	if (c->zh) {
		char path[64];
		if (c->ctl.active)
			ctl_resign(c);
		snprintf(path, sizeof path, "/brokers/ids/%d", c->cfg.broker_id);
		coord_delete_own(c, "/controller");
		coord_delete_own(c, path);
	}
	coord_session_close(c);
	return NULL;
}

static char *coord_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int coord_split_connect(struct coord *c)
{
	const char *slash = strchr(c->cfg.zk_connect, '/');
	size_t hl = slash ? (size_t)(slash - c->cfg.zk_connect) : strlen(c->cfg.zk_connect);
	c->zk_hosts = strndup(c->cfg.zk_connect, hl);
	if (!c->zk_hosts || hl == 0)
		return -1;
	if (slash && strcmp(slash, "/") != 0) {
		if (slash[strlen(slash) - 1] == '/')
			return -1;
		c->zk_chroot = strdup(slash);
		if (!c->zk_chroot)
			return -1;
	}
	return 0;
}

static void coord_free(struct coord *c)
{
	if (!c)
		return;
	free((char *)c->cfg.zk_connect);
	free((char *)c->cfg.advertised_listeners);
	free((char *)c->cfg.listener_security_protocol_map);
	free((char *)c->cfg.inter_broker_listener_name);
	free((char *)c->cfg.rack);
	free((char *)c->cfg.zk_digest);
	free(c->zk_hosts);
	free(c->zk_chroot);
	if (c->events)
		mbox_free(c->events);
	coord_isr_free(c);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c);
}

static int coord_config_valid(const struct coord_config *cfg)
{
	struct zn_endpoint ep[ZN_MAX_ENDPOINTS];
	if (cfg->broker_id < 0 || !cfg->zk_connect || !*cfg->zk_connect ||
	    !cfg->advertised_listeners) {
		log_error(COORD_MOD, "config needs broker.id >= 0, zookeeper.connect "
			  "and listeners");
		return 0;
	}
	int n = zn_parse_listeners(cfg->advertised_listeners,
				   cfg->listener_security_protocol_map, ep,
				   ZN_MAX_ENDPOINTS);
	for (int k = 0; k < n; k++)
		if (ep[k].security_protocol < 0) {
			log_error(COORD_MOD, "listener %s has no security protocol",
				  ep[k].listener);
			return 0;
		}
	if (n <= 0) {
		log_error(COORD_MOD, "cannot parse listeners '%s'",
			  cfg->advertised_listeners);
		return 0;
	}
	return 1;
}

struct coord *coord_start(const struct coord_config *cfg, struct mbox *loop_mbox)
{
	if (!coord_config_valid(cfg))
		return NULL;
	struct coord *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->cfg = *cfg;
	c->cfg.zk_connect = coord_strdup(cfg->zk_connect);
	c->cfg.advertised_listeners = coord_strdup(cfg->advertised_listeners);
	c->cfg.listener_security_protocol_map =
		coord_strdup(cfg->listener_security_protocol_map);
	c->cfg.inter_broker_listener_name = coord_strdup(
		cfg->inter_broker_listener_name ? cfg->inter_broker_listener_name
						: "PLAINTEXT");
	c->cfg.rack = cfg->rack && *cfg->rack ? coord_strdup(cfg->rack) : NULL;
	c->cfg.zk_digest = coord_strdup(cfg->zk_digest);
	if (c->cfg.zk_session_timeout_ms <= 0)
		c->cfg.zk_session_timeout_ms = 18000;
	if (c->cfg.num_partitions <= 0)
		c->cfg.num_partitions = 1;
	if (c->cfg.default_replication_factor <= 0)
		c->cfg.default_replication_factor = 1;
	if (c->cfg.leader_imbalance_check_interval_seconds <= 0)
		c->cfg.leader_imbalance_check_interval_seconds = 300;
	c->ctl_ep_id = -1;
	atomic_init(&c->controller_id, -1);
	atomic_init(&c->broker_epoch, -1);
	c->loop_mbox = loop_mbox;
	c->events = mbox_new();
	if (!c->events || coord_split_connect(c)) {
		log_error(COORD_MOD, "bad zookeeper.connect '%s'", cfg->zk_connect);
		coord_free(c);
		return NULL;
	}
	zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
	if (pthread_create(&c->thread, NULL, coord_main, c)) {
		coord_free(c);
		return NULL;
	}
	return c;
}

int coord_wait_ready(struct coord *c, int timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;
	int ok = 0;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		ok = c->registered && atomic_load(&c->controller_id) >= 0;
		int64_t left = deadline - clock_mono_ms();
		if (ok || c->fatal || left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t wait = left < 100 ? left : 100; /* re-check; cheap */
		ts.tv_nsec += (long)(wait * 1000000);
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	}
	pthread_mutex_unlock(&c->lock);
	return ok ? 0 : -1;
}

int coord_failed(struct coord *c)
{
	pthread_mutex_lock(&c->lock);
	int f = c->fatal;
	pthread_mutex_unlock(&c->lock);
	return f;
}

void coord_stop(struct coord *c)
{
	if (!c)
		return;
	atomic_store(&c->stopping, 1);
	coord_shutdown_join(c);
	mbox_post(c->events, free, NULL); /* wake the thread */
	pthread_join(c->thread, NULL);
	coord_free(c);
}

int32_t coord_controller_id(const struct coord *c)
{
	return atomic_load(&((struct coord *)c)->controller_id);
}

int64_t coord_broker_epoch(const struct coord *c)
{
	return atomic_load(&((struct coord *)c)->broker_epoch);
}

void coord_cluster_id(const struct coord *c, char out[32])
{
	struct coord *m = (struct coord *)c;
	pthread_mutex_lock(&m->lock);
	memcpy(out, m->cluster_id, 32);
	pthread_mutex_unlock(&m->lock);
}
