/* gregord: one Gregor broker. Reads a Kafka server.properties (or, with
 * --env, KAFKA_* variables as Kafka's container images do), recovers its
 * logs, starts the coordination thread (ZooKeeper), serves the Kafka protocol
 * on its listeners until SIGTERM/SIGINT, then shuts down cleanly. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "broker/quota/replication_quota.h"
#include "broker/quota/quota_entity.h"
#include "broker/quota/client_quotas.h"
#include "broker/auth/authorizer.h"
#include "broker/auth/sasl.h"
#include "broker/broker.h"
#include "broker/config_def.h"
#include "broker/env_config.h"
#include "broker/handlers/fetch.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/metrics.h"
#include "broker/replica/replica_manager.h"
#include "broker/server.h"
#include "broker/tls_config.h"
#include "broker/topic_config.h"
#include "broker/storage/flusher.h"
#include "broker/group/coordinator.h"
#include "broker/txn/pid_alloc.h"
#include "broker/txn/txn_coordinator.h"
#include "broker/txn/txn_verify.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/log.h"

static void on_mbox(struct loop_io *io, uint32_t events)
{
	(void)events;
	struct broker *b = io->arg;
	mbox_drain(b->mbox);
}

static void on_flush_mbox(struct loop_io *io, uint32_t events)
{
	(void)events;
	struct broker *b = io->arg;
	mbox_drain(b->flush_mbox);
}

/* The roll flusher (broker/storage/flusher.h), before any log is opened. */
static int flusher_init(struct broker *b)
{
	b->flush_mbox = mbox_new();
	b->storage.flusher = b->flush_mbox ? flusher_start(b->flush_mbox, 4096) : NULL;
	return b->storage.flusher ? 0 : -1;
}

/* After the logs are closed (each flushed itself): stops the thread and
 * runs the results still queued, which find their logs gone. */
static void flusher_fini(struct broker *b)
{
	flusher_stop(b->storage.flusher);
	b->storage.flusher = NULL;
	if (b->flush_mbox) {
		mbox_drain(b->flush_mbox);
		mbox_free(b->flush_mbox);
		b->flush_mbox = NULL;
	}
}

/* Rewrites gregord.status when the state or broker epoch changed. */
static void status_publish(struct broker *b, enum health_state state)
{
	int64_t epoch = b->coord ? coord_broker_epoch(b->coord) : -1;
	if (state == HEALTH_RUNNING && epoch < 0)
		state = HEALTH_STARTING;
	if (!b->status_path[0] || (b->status.pid && b->status.state == state &&
				   b->status.broker_epoch == epoch))
		return;
	if (!b->status.pid && health_proc_start(getpid(), &b->status.start_time) < 0)
		b->status.start_time = 0;
	b->status.pid = getpid();
	b->status.broker_id = b->id;
	b->status.broker_epoch = epoch;
	b->status.state = state;
	snprintf(b->status.zk_connect, sizeof b->status.zk_connect, "%s", b->cfg->zk_connect);
	int rc = health_write(b->status_path, &b->status);
	if (rc < 0) {
		/* a first start's log dir appears with log recovery: no warning */
		if (rc != -ENOENT || state != HEALTH_STARTING)
			log_warn("broker", "cannot write %s: %s", b->status_path, strerror(-rc));
		b->status.pid = 0; /* try again next tick */
	}
}

static void controlled_shutdown_done(void *arg, int16_t kerr, const char *msg)
{
	struct broker *b = arg;
	if (kerr)
		log_warn("broker", "controlled shutdown incomplete (%d%s%s): stopping anyway", kerr,
			 msg ? ": " : "", msg ? msg : "");
	else
		log_info("broker", "controlled shutdown: leadership moved, stopping");
	loop_stop(b->loop);
}

/* SIGTERM: first ask the controller to move leadership away (the loop keeps
 * serving so the resulting LeaderAndIsr is applied), then stop. A second
 * signal, or SIGINT with controlled shutdown disabled, stops at once. */
static void on_signal(struct loop_io *io, uint32_t events)
{
	(void)events;
	struct broker *b = io->arg;
	struct signalfd_siginfo si;
	if (read(io->fd, &si, sizeof si) != (ssize_t)sizeof si)
		return;
	if (b->shutting_down || !b->cfg->controlled_shutdown_enable) {
		log_info("broker", "signal %u: stopping", si.ssi_signo);
		loop_stop(b->loop);
		return;
	}
	b->shutting_down = 1;
	status_publish(b, HEALTH_SHUTTING_DOWN);
	log_info("broker", "signal %u: controlled shutdown", si.ssi_signo);
	coord_begin_controlled_shutdown(b->coord, b->cfg->controlled_shutdown_max_retries,
					(int)b->cfg->controlled_shutdown_retry_backoff_ms,
					controlled_shutdown_done, b);
}

void broker_storage_failed(struct broker *b)
{
	if (b->storage_failed)
		return;
	b->storage_failed = 1;
	loop_stop(b->loop);
}

void broker_log_dir_failed(struct broker *b)
{
	if (b->coord)
		coord_log_dir_failure(b->coord);
}

static void on_topic_config(void *arg, const char *topic, const char *const *keys,
			    const char *const *values, int n)
{
	topic_config_set(arg, topic, keys, values, n);
	repl_quotas_topic_config(arg, topic, keys, values, n); /* throttled replicas */
}

/* A dynamic broker config layer changed: the broker defaults under every
 * topic may have, so each topic's partition logs get their settings again. */
static void on_broker_config(void *arg, int per_broker, const char *const *keys,
			     const char *const *values, int n)
{
	struct broker *b = arg;
	if (broker_config_dynamic_set(b->cfg, per_broker ? CONFIG_LAYER_BROKER
							 : CONFIG_LAYER_DEFAULT,
				      keys, values, n) < 0) {
		log_error("broker", "out of memory applying dynamic broker configs");
		return;
	}
	topic_config_refresh_all(b);
	repl_quotas_rates_changed(b); /* leader/follower.replication.throttled.rate */
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&b->meta->topics, &i, &k, &v);)
		rm_apply_topic_config(b->rm, ((const struct mc_topic *)v)->name);
}

static void on_user_config(void *arg, const char *user, const char *const *keys,
			   const char *const *values, int n)
{
	if (user)
		sasl_user_config_set(arg, user, keys, values, n);
	else
		sasl_users_retain(arg, keys, n);
}

static void on_tick(struct loop_timer *t)
{
	struct broker *b = t->arg;
	rm_tick(b->rm, clock_wall_ms());
	status_publish(b, b->shutting_down ? HEALTH_SHUTTING_DOWN : HEALTH_RUNNING);
	loop_timer_start(b->loop, &b->tick, 1000);
}

static void on_log_flush(void *arg, double ms)
{
	struct broker *b = arg;
	latency_record(&b->metrics->flush, ms, loop_now_ms(b->loop));
}

/* The listener's TLS context and principal rules (SSL, SASL_SSL). A
 * problem stops start-up with the key to fix: a TLS port never serves
 * plaintext. */
static int listener_security(const struct broker_config *cfg, const char *name,
			     struct listener_rt *spec)
{
	char err[512];
	if (!sec_protocol_is_tls(spec->protocol))
		return 0;
	spec->tls = tls_server_ctx_for_listener(cfg, name, sec_protocol_is_sasl(spec->protocol),
						err, sizeof err);
	if (!spec->tls) {
		log_error("broker", "listener %s (%s): %s", name, sec_protocol_name(spec->protocol),
			  err);
		return -1;
	}
	char key[160];
	snprintf(key, sizeof key, "listener.name.%s.ssl.principal.mapping.rules", name);
	for (char *p = key + 14; *p != '.'; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *rules = broker_config_extra(cfg, key);
	spec->principal_rules = ssl_principal_rules_parse(
		rules ? rules : cfg->ssl_principal_mapping_rules, err, sizeof err);
	if (!spec->principal_rules) {
		log_error("broker", "listener %s: %s%s", name, rules ? "listener.name.*." : "", err);
		tls_ctx_free(spec->tls);
		spec->tls = NULL;
		return -1;
	}
	log_info("broker", "listener %s: TLS ready (client auth %s)", name,
		 (const char *[]){ "none", "requested", "required" }[tls_ctx_client_auth(spec->tls)]);
	return 0;
}

/* Every listener's security is set up before any port is bound, so a bad
 * setting is reported as such (not hidden behind a port conflict) and
 * nothing listens when one listener cannot be secured. */
static int start_listeners(struct broker *b)
{
	struct listener_rt specs[CONFIG_MAX_LISTENERS];
	int n = b->cfg->nlisteners, i, rc = 0;
	memset(specs, 0, sizeof specs);
	for (i = 0; i < n && rc == 0; i++) {
		const struct listener *l = &b->cfg->listeners[i];
		const char *proto = broker_config_protocol(b->cfg, l->name);
		int sp = proto ? sec_protocol_parse(proto) : -1;
		if (sp < 0) {
			log_error("broker", "listener %s has no security protocol in "
				  "listener.security.protocol.map", l->name);
			rc = -1;
			continue;
		}
		specs[i] = (struct listener_rt){ .protocol = (enum sec_protocol)sp };
		snprintf(specs[i].name, sizeof specs[i].name, "%s", l->name);
		rc = listener_security(b->cfg, l->name, &specs[i]);
		char err[512];
		if (rc == 0 && sasl_listener_setup(b, &specs[i], err, sizeof err) < 0) {
			log_error("broker", "%s", err);
			rc = -1;
		}
	}
	if (rc < 0) {
		while (i-- > 0) {
			tls_ctx_free(specs[i].tls);
			ssl_principal_rules_free(specs[i].principal_rules);
		}
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct listener *l = &b->cfg->listeners[i];
		/* server_listen owns the spec's TLS context from here, even on failure */
		rc = server_listen(b, &specs[i], l->host, l->port);
		if (rc < 0) {
			log_error("broker", "listener %s: cannot listen on %s:%d: %s", l->name,
				  l->host[0] ? l->host : "0.0.0.0", l->port, strerror(-rc));
			while (++i < n) {
				tls_ctx_free(specs[i].tls);
				ssl_principal_rules_free(specs[i].principal_rules);
			}
			return -1;
		}
		log_info("broker", "listening on %s:%d (%s, %s)", l->host[0] ? l->host : "0.0.0.0",
			 l->port, l->name, sec_protocol_name(specs[i].protocol));
	}
	return 0;
}

/* The inter-broker listener's protocol and, for SSL and SASL_SSL, the
 * client TLS context built from that listener's ssl.* settings (its
 * keystore is the client certificate other brokers see). */
static int inter_broker_init(struct broker *b)
{
	const char *name = b->cfg->inter_broker_listener_name;
	const char *proto = broker_config_protocol(b->cfg, name);
	int sp = proto ? sec_protocol_parse(proto) : -1;
	if (sp < 0) {
		log_error("broker", "inter-broker listener %s has no security protocol in "
			  "listener.security.protocol.map", name);
		return -1;
	}
	b->inter_broker.protocol = sp;
	b->inter_broker.sasl = sasl_inter_broker_conf(b); /* NULL without SASL */
	if (!sec_protocol_is_tls((enum sec_protocol)sp))
		return 0;
	char err[512];
	b->inter_broker.tls = tls_client_ctx_for_listener(b->cfg, name, err, sizeof err);
	if (!b->inter_broker.tls) {
		log_error("broker", "inter-broker listener %s (%s), client side: %s", name, proto,
			  err);
		return -1;
	}
	return 0;
}

/* The producer id allocator's blocks are claimed in ZooKeeper (the
 * coordination thread runs by the time the first InitProducerId comes). */
static void claim_pid_block(void *arg, pid_block_done_fn done, void *done_arg)
{
	struct broker *b = arg;
	coord_claim_pid_block(b->coord, done, done_arg);
}

/* What request handlers keep per broker (broker.h). The allocator and the
 * verification state live until exit, like the coordinators: ZooKeeper
 * answers and parked requests may still name them at shutdown. */
static int broker_state_init(struct broker *b)
{
	strmap_init(&b->autocreate_pending);
	b->pids = pid_alloc_new(claim_pid_block, b);
	b->tv = txn_verify_new(b);
	b->fetch = fetch_state_new(b->cfg->max_incremental_fetch_session_cache_slots);
	b->storage.flush_observer = on_log_flush;
	b->storage.flush_observer_arg = b;
	b->storage.flushed = rm_log_flushed; /* a flush per message ended */
	b->storage.flushed_arg = b->rm;
	return b->pids && b->tv && b->fetch ? 0 : -1;
}

static int broker_init(struct broker *b, struct broker_config *cfg)
{
	b->cfg = cfg;
	b->id = cfg->broker_id;
	b->max_request_bytes = cfg->socket_request_max_bytes;
	b->loop = loop_new();
	if (!b->loop)
		return -1;
	purg_init(&b->purgatory, b->loop);
	b->mbox = mbox_new();
	b->meta = mc_new();
	b->metrics = metrics_new();
	strmap_init(&b->topic_configs);
	topic_config_refresh_all(b);
	struct log_config lc;
	broker_config_log(cfg, &lc);
	b->rm = rm_new(b, cfg->log_dirs, &lc);
	if (!b->loop || !b->mbox || !b->meta || !b->rm || !b->metrics || authz_init(b) < 0 ||
	    client_quotas_init(b) < 0 || broker_state_init(b) < 0)
		return -1;
	/* first, before log recovery: replaces a previous run's file */
	if (health_path(b->rm->log_dir, b->status_path, sizeof b->status_path) < 0)
		b->status_path[0] = '\0';
	status_publish(b, HEALTH_STARTING);
	if (flusher_init(b) < 0) {
		log_error("broker", "cannot start the log flusher thread");
		return -1;
	}
	if (rm_load(b->rm) < 0) {
		log_error("broker", "cannot load any log dir of %s", cfg->log_dirs);
		return -1;
	}
	b->mbox_io = (struct loop_io){ .fd = mbox_fd(b->mbox), .fn = on_mbox, .arg = b };
	loop_io_add(b->loop, &b->mbox_io, EPOLLIN);
	b->flush_mbox_io = (struct loop_io){ .fd = mbox_fd(b->flush_mbox), .fn = on_flush_mbox,
					     .arg = b };
	loop_io_add(b->loop, &b->flush_mbox_io, EPOLLIN);
	char err[512];
	if (sasl_setup(b, err, sizeof err) < 0) {
		log_error("broker", "%s", err);
		return -1;
	}
	server_set_raw_token_handler(b, handle_sasl_raw_token);
	if (inter_broker_init(b) < 0)
		return -1;
	if (start_listeners(b) < 0)
		return -1;
	/* after the Kafka listeners, so that their (more likely) configuration
	 * errors are the ones reported */
	if (cfg->metrics_listen) {
		int rc = metrics_listen(b, cfg->metrics_listen);
		if (rc < 0) {
			log_error("broker", "metrics.listen=%s: %s", cfg->metrics_listen,
				  strerror(-rc));
			return -1;
		}
		log_info("broker", "metrics on http://%s/metrics", cfg->metrics_listen);
	}
	return 0;
}

extern char **environ;

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--print-config-docs") == 0) {
		config_defs_print_markdown(stdout); /* docs/configuration.md */
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s server.properties\n"
			"       %s --env    (KAFKA_<KEY> variables: KAFKA_BROKER_ID=1 is "
			"broker.id=1)\n"
			"       %s --print-config-docs    (the config reference, Markdown)\n",
			argv[0], argv[0], argv[0]);
		return 2;
	}
	static struct broker_config cfg;
	char err[512];
	int from_env = strcmp(argv[1], "--env") == 0;
	if (from_env ? env_config_load(environ, &cfg, err, sizeof err) < 0
		     : broker_config_load(argv[1], &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "gregord: %s: %s\n", from_env ? "environment" : argv[1], err);
		return 1;
	}
	failpoint_init();
	signal(SIGPIPE, SIG_IGN);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL); /* inherited by coord threads */

	static struct broker b;
	if (broker_init(&b, &cfg) < 0)
		return 1;
	struct loop_io sig_io = { .fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK),
				  .fn = on_signal, .arg = &b };
	loop_io_add(b.loop, &sig_io, EPOLLIN);

	struct coord_config cc;
	broker_config_coord(&cfg, &cc);
	cc.inter_broker = &b.inter_broker;
	cc.topic_config_fn = on_topic_config;
	cc.topic_config_arg = &b;
	cc.broker_config_fn = on_broker_config;
	cc.broker_config_arg = &b;
	if (authz_enabled(&b)) {
		cc.acls_fn = authz_on_acls;
		cc.acl_resource_fn = authz_on_acl_resource;
		cc.acls_arg = &b;
	}
	cc.user_config_fn = on_user_config;
	cc.user_config_arg = &b;
	cc.quotas_fn = client_quotas_feed;
	cc.quotas_arg = &b;
	b.coord = coord_start(&cc, b.mbox);
	if (!b.coord)
		return 1;
	rm_start(b.rm);
	gc_get(&b); /* the group coordinator listens for leadership from now on */
	tc_get(&b); /* so does the transaction coordinator: Prepare* resumes and
		     * timeouts must not wait for a client to ask this broker */
	loop_timer_init(&b.tick, on_tick, &b);
	loop_timer_start(b.loop, &b.tick, 1000);
	log_info("broker", "broker %d started", b.id);

	int rc = loop_run(b.loop);
	server_shutdown(&b);
	coord_stop(b.coord); /* the session closes: /brokers/ids/<id> goes at once */
	b.coord = NULL;      /* freed: status_publish must not read it */
	if (b.storage_failed) {
		/* Kafka halts here; the logs were left for recovery (no clean
		 * marker) and nothing more is written to the failed dir. */
		log_error("broker", "broker %d stopped: its log dir failed", b.id);
		return 1;
	}
	status_publish(&b, HEALTH_STOPPED); /* not into a failed log dir */
	rm_free(b.rm);
	flusher_fini(&b);
	purg_free(&b.purgatory);
	metrics_stop(&b);
	metrics_free(b.metrics);
	fetch_state_free(b.fetch);
	mc_free(b.meta);
	topic_config_free_all(&b);
	tls_ctx_free(b.inter_broker.tls);
	authz_free(&b);
	sasl_free(&b);
	client_quotas_free(&b);
	log_info("broker", "broker %d stopped", b.id);
	broker_config_free(&cfg);
	return rc < 0 ? 1 : 0;
}
