/* gregord: one Gregor broker. Reads a Kafka server.properties, recovers its
 * logs, starts the coordination thread (ZooKeeper), serves the Kafka protocol
 * on its listeners until SIGTERM/SIGINT, then shuts down cleanly. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/metadata_cache.h"
#include "broker/metrics.h"
#include "broker/replica/replica_manager.h"
#include "broker/server.h"
#include "broker/topic_config.h"
#include "broker/group/coordinator.h"
#include "broker/txn/txn_coordinator.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/log.h"

static void on_mbox(struct loop_io *io, uint32_t events)
{
	(void)events;
	struct broker *b = io->arg;
	mbox_drain(b->mbox);
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

static void on_topic_config(void *arg, const char *topic, const char *const *keys,
			    const char *const *values, int n)
{
	topic_config_set(arg, topic, keys, values, n);
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
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&b->meta->topics, &i, &k, &v);)
		rm_apply_topic_config(b->rm, ((const struct mc_topic *)v)->name);
}

static void on_tick(struct loop_timer *t)
{
	struct broker *b = t->arg;
	rm_tick(b->rm, clock_wall_ms());
	loop_timer_start(b->loop, &b->tick, 1000);
}

static void on_log_flush(void *arg, double ms)
{
	struct broker *b = arg;
	latency_record(&b->metrics->flush, ms, loop_now_ms(b->loop));
}

static int start_listeners(struct broker *b)
{
	for (int i = 0; i < b->cfg->nlisteners; i++) {
		const struct listener *l = &b->cfg->listeners[i];
		const char *proto = broker_config_protocol(b->cfg, l->name);
		int sp = proto ? sec_protocol_parse(proto) : -1;
		if (sp < 0) {
			log_error("broker", "listener %s has no security protocol in "
				  "listener.security.protocol.map", l->name);
			return -1;
		}
		if (sec_protocol_is_tls((enum sec_protocol)sp)) {
			/* never serve plaintext on a port configured for TLS */
			log_error("broker", "listener %s: security protocol %s is not "
				  "supported by this build", l->name, proto);
			return -1;
		}
		int rc = server_listen(b, l->name, l->host, l->port, (enum sec_protocol)sp);
		if (rc < 0) {
			log_error("broker", "cannot listen on %s:%d (%s): %s", l->host,
				  l->port, l->name, strerror(-rc));
			return -1;
		}
		log_info("broker", "listening on %s:%d (%s)", l->host[0] ? l->host : "0.0.0.0",
			 l->port, l->name);
	}
	return 0;
}

static int broker_init(struct broker *b, struct broker_config *cfg)
{
	b->cfg = cfg;
	b->id = cfg->broker_id;
	b->max_request_bytes = cfg->socket_request_max_bytes;
	b->loop = loop_new();
	b->mbox = mbox_new();
	b->meta = mc_new();
	b->metrics = metrics_new();
	strmap_init(&b->topic_configs);
	struct log_config lc;
	broker_config_log(cfg, &lc);
	b->rm = rm_new(b, cfg->log_dirs, &lc);
	if (!b->loop || !b->mbox || !b->meta || !b->rm || !b->metrics)
		return -1;
	log_set_flush_observer(on_log_flush, b);
	if (cfg->metrics_listen) {
		int rc = metrics_listen(b, cfg->metrics_listen);
		if (rc < 0) {
			log_error("broker", "metrics.listen=%s: %s", cfg->metrics_listen,
				  strerror(-rc));
			return -1;
		}
		log_info("broker", "metrics on http://%s/metrics", cfg->metrics_listen);
	}
	if (rm_load(b->rm) < 0) {
		log_error("broker", "cannot load log dir %s", cfg->log_dirs);
		return -1;
	}
	b->mbox_io = (struct loop_io){ .fd = mbox_fd(b->mbox), .fn = on_mbox, .arg = b };
	loop_io_add(b->loop, &b->mbox_io, EPOLLIN);
	return start_listeners(b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s server.properties\n", argv[0]);
		return 2;
	}
	static struct broker_config cfg;
	char err[512];
	if (broker_config_load(argv[1], &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "gregord: %s: %s\n", argv[1], err);
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
	cc.topic_config_fn = on_topic_config;
	cc.topic_config_arg = &b;
	cc.broker_config_fn = on_broker_config;
	cc.broker_config_arg = &b;
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
	if (b.storage_failed) {
		/* Kafka halts here; the logs were left for recovery (no clean
		 * marker) and nothing more is written to the failed dir. */
		log_error("broker", "broker %d stopped: its log dir failed", b.id);
		return 1;
	}
	rm_free(b.rm);
	metrics_stop(&b);
	metrics_free(b.metrics);
	mc_free(b.meta);
	topic_config_free_all(&b);
	log_info("broker", "broker %d stopped", b.id);
	broker_config_free(&cfg);
	return rc < 0 ? 1 : 0;
}
