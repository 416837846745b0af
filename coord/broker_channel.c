/* Blocking request/response over a non-blocking socket driven by poll(), so
 * that connect, send and receive (and a TLS handshake inside them) all
 * honour the same deadline. */
#include "coord/broker_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "common/auth/sasl_client.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/net/peer_security.h"
#include "common/proto/apis.h"
#include "common/proto/messages.h"

void broker_channel_init(struct broker_channel *ch, int32_t broker_id,
			 const char *host, int32_t port)
{
	memset(ch, 0, sizeof *ch);
	ch->broker_id = broker_id;
	ch->fd = -1;
	ch->next_corr_id = 1;
	ch->timeout_ms = BCHAN_TIMEOUT_MS;
	snprintf(ch->host, sizeof ch->host, "%s", host);
	ch->port = port;
}

void broker_channel_set_addr(struct broker_channel *ch, const char *host,
			     int32_t port)
{
	if (strcmp(ch->host, host) == 0 && ch->port == port)
		return;
	broker_channel_close(ch);
	snprintf(ch->host, sizeof ch->host, "%s", host);
	ch->port = port;
}

void broker_channel_close(struct broker_channel *ch)
{
	if (ch->tr)
		transport_free(ch->tr);
	else if (ch->fd >= 0)
		close(ch->fd);
	ch->tr = NULL;
	ch->fd = -1;
}

/* What to poll for after -EAGAIN: what the transport asks for (a TLS
 * handshake may need the other direction), else dflt. */
static short bchan_events(const struct transport *t, short dflt)
{
	short ev = (short)(((t->want & EPOLLIN) ? POLLIN : 0) | ((t->want & EPOLLOUT) ? POLLOUT : 0));
	return ev ? ev : dflt;
}

/* Waits for events on fd until deadline; 0, -ETIMEDOUT or -errno. */
static int bchan_wait(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - clock_mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pfd = { .fd = fd, .events = events };
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int bchan_connect_addr(const struct addrinfo *ai, int64_t deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0)
		return -errno;
	int rc = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			rc = -errno;
		} else if ((rc = bchan_wait(fd, POLLOUT, deadline)) == 0) {
			int err = 0;
			socklen_t el = sizeof err;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				rc = -errno;
			else if (err)
				rc = -err;
		}
	}
	if (rc) {
		close(fd);
		return rc;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int bchan_connect(struct broker_channel *ch, int64_t deadline)
{
	char port[8];
	snprintf(port, sizeof port, "%d", ch->port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	/* getaddrinfo has no timeout; brokers advertise addresses that resolve
	 * locally (IP literals or /etc/hosts) in every deployment we support */
	int g = getaddrinfo(ch->host, port, &hints, &res);
	if (g)
		return -EHOSTUNREACH;
	int fd = -EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = bchan_connect_addr(ai, deadline);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fd;
	if (!(ch->tr = peer_transport_new(ch->sec, fd, ch->host))) {
		close(fd);
		return -ENOMEM;
	}
	ch->fd = fd;
	return 0;
}

static int bchan_write_all(struct transport *t, const uint8_t *p, size_t len,
			   int64_t deadline)
{
	while (len > 0) {
		struct iovec iov = { (void *)p, len };
		ssize_t n = t->ops->writev(t, &iov, 1);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n != -EAGAIN)
			return n ? (int)n : -EPIPE;
		int rc = bchan_wait(t->fd, bchan_events(t, POLLOUT), deadline);
		if (rc)
			return rc;
	}
	ssize_t n;
	while ((n = transport_flush(t)) == -EAGAIN) {
		int rc = bchan_wait(t->fd, bchan_events(t, POLLOUT), deadline);
		if (rc)
			return rc;
	}
	return (int)n;
}

static int bchan_read_all(struct transport *t, uint8_t *p, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = t->ops->read(t, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (n != -EAGAIN)
			return (int)n;
		int rc = bchan_wait(t->fd, bchan_events(t, POLLIN), deadline);
		if (rc)
			return rc;
	}
	return 0;
}

static int bchan_exchange(struct broker_channel *ch, const uint8_t *frame,
			  size_t len, int32_t corr_id, uint8_t **resp,
			  size_t *resp_len, int64_t deadline)
{
	int rc = bchan_write_all(ch->tr, frame, len, deadline);
	if (rc)
		return rc;
	uint8_t hdr[8];
	if ((rc = bchan_read_all(ch->tr, hdr, sizeof hdr, deadline)))
		return rc;
	int32_t size = (int32_t)((uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
				 (uint32_t)hdr[2] << 8 | hdr[3]);
	int32_t corr = (int32_t)((uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 |
				 (uint32_t)hdr[6] << 8 | hdr[7]);
	if (size < 4 || size > BCHAN_MAX_RESPONSE || corr != corr_id)
		return -EPROTO;
	size_t body = (size_t)size - 4;
	uint8_t *buf = malloc(body ? body : 1);
	if (!buf)
		return -ENOMEM;
	if ((rc = bchan_read_all(ch->tr, buf, body, deadline))) {
		free(buf);
		return rc;
	}
	*resp = buf;
	*resp_len = body;
	return 0;
}

/* ---- SASL (SASL_* inter-broker listeners): one more step of connecting ---- */

/* One request of the SASL exchange: encoded at version ver, answered into
 * resp (decoded in arena a). 0 or -errno. */
static int bchan_sasl_call(struct broker_channel *ch, int16_t key, int16_t ver, const void *req,
			   void *resp, struct arena *a, int64_t deadline)
{
	const struct kapi *api = kapi_find(key);
	struct kout w;
	kout_init(&w);
	size_t at = kw_reserve_i32(&w);
	int32_t corr = ch->next_corr_id++;
	struct kreq_header h = { key, ver, corr, { "gregor-broker", 13 } };
	kreq_header_encode(&w, &h);
	int rc = kcodec_encode(api->req, kapi_ver(api, ver), req, &w);
	kw_patch_i32(&w, at, (int32_t)(w.len - at - 4));
	kout_finish(&w);
	uint8_t *body = NULL;
	size_t blen = 0;
	rc = rc || w.oom ? -ENOMEM : bchan_exchange(ch, w.buf, w.len, corr, &body, &blen, deadline);
	kout_free(&w);
	if (rc)
		return rc;
	/* decoded strings and bytes point into the body: it lives in the arena */
	uint8_t *kept = arena_alloc(a, blen ? blen : 1);
	if (kept)
		memcpy(kept, body, blen);
	free(body);
	if (!kept)
		return -ENOMEM;
	struct kreader r = { kept, kept + blen, 0 };
	return kcodec_decode(api->resp, kapi_ver(api, ver), &r, resp, a) < 0 ? -EPROTO : 0;
}

/* SaslHandshake v1, then SaslAuthenticate v1 tokens until the mechanism is
 * done. 0, -EACCES when the peer refuses, another -errno on I/O. */
static int bchan_sasl(struct broker_channel *ch, const struct sasl_client_conf *conf,
		      int64_t deadline)
{
	struct sasl_client sc;
	struct arena a;
	char err[160] = "";
	if (sasl_client_prepare(&sc, conf) < 0)
		return -EPROTO;
	arena_init(&a);
	struct sasl_handshake_request hreq = { { conf->mechanism, (int32_t)strlen(conf->mechanism) } };
	struct sasl_handshake_response hresp;
	memset(&hresp, 0, sizeof hresp);
	int rc = bchan_sasl_call(ch, 17, 1, &hreq, &hresp, &a, deadline);
	if (!rc && hresp.error_code) {
		snprintf(err, sizeof err, "SaslHandshake error %d", hresp.error_code);
		rc = -EACCES;
	}
	uint8_t tok[SASL_TOKEN_MAX];
	size_t tl = 0;
	int step = rc ? -1 : sasl_client_respond(&sc, NULL, 0, tok, sizeof tok, &tl, err, sizeof err);
	while (!rc && step == 1) {
		struct sasl_authenticate_request areq = { { tok, (int32_t)tl } };
		struct sasl_authenticate_response aresp;
		memset(&aresp, 0, sizeof aresp);
		if ((rc = bchan_sasl_call(ch, 36, 1, &areq, &aresp, &a, deadline)))
			break;
		if (aresp.error_code) {
			snprintf(err, sizeof err, "error %d: %.*s", aresp.error_code,
				 aresp.error_message.len > 0 ? (int)aresp.error_message.len : 0,
				 aresp.error_message.p ? aresp.error_message.p : "");
			rc = -EACCES;
			break;
		}
		ch->sasl_expiry_ms = aresp.session_lifetime_ms > 0
			? clock_mono_ms() + aresp.session_lifetime_ms * 9 / 10 : 0;
		step = sasl_client_respond(&sc, aresp.auth_bytes.p,
					aresp.auth_bytes.len > 0 ? (size_t)aresp.auth_bytes.len : 0,
					tok, sizeof tok, &tl, err, sizeof err);
	}
	if (!rc && step < 0)
		rc = -EACCES;
	if (rc == -EACCES)
		log_warn_rl("coord", "broker %d at %s:%d refused our SASL %s authentication: %s",
			    ch->broker_id, ch->host, ch->port, conf->mechanism, err);
	arena_free(&a);
	return rc;
}

/* Connected and, with SASL, authenticated within deadline; 0 or -errno. */
static int bchan_connect_auth(struct broker_channel *ch, int64_t deadline)
{
	const struct sasl_client_conf *conf = ch->sec ? ch->sec->sasl : NULL;
	/* KIP-368: a session past its lifetime would be closed by the peer on
	 * the next request, so start a new one first */
	if (ch->fd >= 0 && ch->sasl_expiry_ms && clock_mono_ms() >= ch->sasl_expiry_ms)
		broker_channel_close(ch);
	if (ch->fd >= 0)
		return 0;
	ch->sasl_expiry_ms = 0;
	int rc = bchan_connect(ch, deadline);
	if (!rc && conf && conf->mechanism[0] && (rc = bchan_sasl(ch, conf, deadline)))
		broker_channel_close(ch);
	return rc;
}

int broker_channel_roundtrip(struct broker_channel *ch, const uint8_t *frame,
			     size_t len, int32_t corr_id, uint8_t **resp,
			     size_t *resp_len)
{
	int64_t deadline = clock_mono_ms() + ch->timeout_ms;
	int rc = 0, reused = ch->fd >= 0;
	if ((rc = bchan_connect_auth(ch, deadline)) < 0)
		goto fail;
	rc = bchan_exchange(ch, frame, len, corr_id, resp, resp_len, deadline);
	if (rc == 0)
		return 0;
	if (reused && (rc == -ECONNRESET || rc == -EPIPE)) {
		/* the broker closed the connection while it was idle
		 * (connections.max.idle.ms), so this request never reached it:
		 * once more on a new connection */
		broker_channel_close(ch);
		if ((rc = bchan_connect_auth(ch, deadline)) == 0 &&
		    (rc = bchan_exchange(ch, frame, len, corr_id, resp, resp_len, deadline)) == 0)
			return 0;
	}
fail:
	log_debug("coord", "broker %d at %s:%d: request failed: %s", ch->broker_id,
		  ch->host, ch->port, strerror(-rc));
	broker_channel_close(ch);
	return rc;
}
