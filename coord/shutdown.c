/* Controlled shutdown, broker side (docs/zookeeper.md §2): a thread of its own
 * sends ControlledShutdown v2 to the controller and retries until the answer
 * lists nothing this broker still leads. It cannot run on the coordination
 * thread: when this broker is the controller, that thread must be free to
 * handle the request (which arrives through our own data plane). The
 * controller's address comes from a cache the coordination thread keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/apis.h"
#include "coord/coord_int.h"

#define CS_MOD "coord"
#define CS_TIMEOUT_MS 30000 /* the controller answers after its LeaderAndIsrs */

enum { API_CONTROLLED_SHUTDOWN = 7 };

struct cs_sender {
	struct coord *c;
	int max_retries, backoff_ms;
	coord_done_fn done;
	void *arg;
};

static void cs_finish(struct coord *c, coord_done_fn done, void *arg, int16_t kerr,
		      const char *msg)
{
	coord_post_done(c, done, arg, kerr, kerr ? (msg ? msg : "") : NULL);
}

/* Coordination thread: caches the inter-broker endpoint of broker id. */
void coord_refresh_controller_ep(struct coord *c, int32_t id)
{
	char path[64], *d;
	int l;
	struct zn_broker reg;
	if (id < 0 || !c->zh)
		return;
	snprintf(path, sizeof path, "/brokers/ids/%d", id);
	if (zk_get_alloc(c, path, 0, &d, &l, NULL) != ZOK)
		return;
	int rc = zn_broker_parse(d, (size_t)l, &reg);
	free(d);
	if (rc || reg.n_endpoints < 1)
		return;
	const struct zn_endpoint *ep =
		zn_broker_endpoint(&reg, c->cfg.inter_broker_listener_name);
	if (!ep)
		ep = &reg.ep[0];
	pthread_mutex_lock(&c->lock);
	c->ctl_ep_id = id;
	memcpy(c->ctl_ep_host, ep->host, sizeof c->ctl_ep_host);
	c->ctl_ep_port = ep->port;
	pthread_mutex_unlock(&c->lock);
}

static void cs_refresh_event(void *arg)
{
	struct coord *c = arg;
	coord_refresh_controller_ep(c, atomic_load(&c->controller_id));
}

static void cs_sleep(struct coord *c, int ms)
{
	int64_t until = clock_mono_ms() + ms;
	while (!atomic_load(&c->stopping) && clock_mono_ms() < until) {
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

/* One attempt. Returns 0 when nothing remains, else a Kafka error code
 * (with a reason in msg). */
static int16_t cs_attempt(struct coord *c, char *msg, size_t cap)
{
	int32_t ctl = atomic_load(&c->controller_id);
	char host[ZN_HOST_MAX];
	int32_t port = -1;
	pthread_mutex_lock(&c->lock);
	if (ctl >= 0 && c->ctl_ep_id == ctl) {
		memcpy(host, c->ctl_ep_host, sizeof host);
		port = c->ctl_ep_port;
	}
	pthread_mutex_unlock(&c->lock);
	if (port < 0) {
		if (ctl >= 0)
			mbox_post(c->events, cs_refresh_event, c);
		snprintf(msg, cap, "controller %d: address unknown", ctl);
		return KERR_NOT_CONTROLLER;
	}
	struct broker_channel ch;
	broker_channel_init(&ch, ctl, host, port);
	ch.sec = c->cfg.inter_broker;
	ch.timeout_ms = CS_TIMEOUT_MS;
	struct controlled_shutdown_request req = {
		.broker_id = c->cfg.broker_id, .broker_epoch = coord_broker_epoch(c) };
	struct controlled_shutdown_response resp;
	struct arena a;
	arena_init(&a);
	int16_t kerr = 0;
	if (bchan_call(&ch, API_CONTROLLED_SHUTDOWN, 2, &controlled_shutdown_request_msg,
		       &req, &controlled_shutdown_response_msg, &resp, &a)) {
		snprintf(msg, cap, "controller %d at %s:%d unreachable", ctl, host, port);
		kerr = KERR_REQUEST_TIMED_OUT;
	} else if (resp.error_code) {
		snprintf(msg, cap, "controller %d answered error %d", ctl, resp.error_code);
		kerr = resp.error_code;
	} else if (resp.remaining_partitions.n > 0) {
		snprintf(msg, cap, "still leading %d partition(s)",
			 resp.remaining_partitions.n);
		kerr = KERR_REQUEST_TIMED_OUT;
	}
	arena_free(&a);
	broker_channel_close(&ch);
	return kerr;
}

static void *cs_main(void *arg)
{
	struct cs_sender *s = arg;
	struct coord *c = s->c;
	char msg[128] = "stopped";
	int16_t kerr = KERR_REQUEST_TIMED_OUT;
	int tries = s->max_retries > 0 ? s->max_retries : 1;
	for (int k = 0; k < tries && !atomic_load(&c->stopping); k++) {
		if (k > 0)
			cs_sleep(c, s->backoff_ms);
		kerr = cs_attempt(c, msg, sizeof msg);
		if (kerr == 0) {
			log_info(CS_MOD, "controlled shutdown succeeded");
			break;
		}
		log_warn(CS_MOD, "controlled shutdown attempt %d of %d: %s", k + 1,
			 tries, msg);
	}
	if (kerr)
		log_warn(CS_MOD, "controlled shutdown gave up; shutting down anyway");
	/* no longer running before anyone hears it finished: the listener may
	 * start another run at once */
	pthread_mutex_lock(&c->lock);
	c->cs_running = 0;
	pthread_mutex_unlock(&c->lock);
	cs_finish(c, s->done, s->arg, kerr, msg);
	free(s);
	return NULL;
}

void coord_begin_controlled_shutdown(struct coord *c, int max_retries, int retry_backoff_ms,
				     coord_done_fn done, void *arg)
{
	struct cs_sender *s = calloc(1, sizeof *s);
	pthread_mutex_lock(&c->lock);
	int busy = c->cs_running, finished = c->cs_started && !busy;
	c->cs_running = busy || s;
	c->cs_started = busy;
	pthread_mutex_unlock(&c->lock);
	if (finished)
		pthread_join(c->cs_thread, NULL); /* the previous, finished run */
	if (busy || !s) {
		free(s);
		cs_finish(c, done, arg, -1, busy ? "controlled shutdown already running"
						 : "out of memory");
		return;
	}
	*s = (struct cs_sender){ c, max_retries,
				 retry_backoff_ms > 0 ? retry_backoff_ms : 0, done, arg };
	if (pthread_create(&c->cs_thread, NULL, cs_main, s)) {
		pthread_mutex_lock(&c->lock);
		c->cs_running = 0;
		pthread_mutex_unlock(&c->lock);
		free(s);
		cs_finish(c, done, arg, -1, "cannot start thread");
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->cs_started = 1;
	pthread_mutex_unlock(&c->lock);
}

void coord_shutdown_join(struct coord *c)
{
	pthread_mutex_lock(&c->lock);
	int started = c->cs_started;
	c->cs_started = 0;
	pthread_mutex_unlock(&c->lock);
	if (started)
		pthread_join(c->cs_thread, NULL);
}
