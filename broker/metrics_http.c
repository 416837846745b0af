/* The metrics endpoint: a minimal HTTP/1.1 server on the event loop that
 * answers GET /metrics with the Prometheus page and closes the connection.
 * Bounded everywhere: a few scrapers at once, a small request head, a
 * deadline per connection, so a stuck client cannot hold anything. */
#include "broker/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/broker.h"
#include "common/log.h"

#define HTTP_MAX_CONNS 16
#define HTTP_HEAD_MAX 8192
#define HTTP_DEADLINE_MS 10000

struct http_conn {
	struct loop_io io;
	struct loop_timer deadline;
	struct metrics_http *srv;
	char head[HTTP_HEAD_MAX];
	size_t head_len;
	struct mtext out;
	size_t sent;
	int in_use;
};

struct metrics_http {
	struct broker *b;
	struct loop_io io;
	struct http_conn conns[HTTP_MAX_CONNS];
};

static void http_close(struct http_conn *c)
{
	struct loop *l = c->srv->b->loop;
	loop_io_del(l, &c->io);
	loop_timer_stop(l, &c->deadline);
	close(c->io.fd);
	free(c->out.p);
	c->out = (struct mtext){ 0 };
	c->in_use = 0;
}

static void http_deadline(struct loop_timer *t)
{
	http_close(t->arg);
}

static void http_answer(struct http_conn *c, const char *status, const char *body)
{
	struct mtext page = { 0 };
	if (!body) {
		metrics_render(c->srv->b, &page);
		body = page.oom ? "" : page.p;
		if (page.oom)
			status = "500 Internal Server Error";
	}
	size_t blen = strlen(body);
	mtext_printf(&c->out, "HTTP/1.1 %s\r\nContent-Type: text/plain; version=0.0.4; "
		     "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		     status, blen);
	if (!c->out.oom && blen) {
		/* the body can be large: one copy, not a format pass */
		size_t at = c->out.len;
		mtext_printf(&c->out, "%*s", (int)blen, "");
		if (!c->out.oom)
			memcpy(c->out.p + at, body, blen);
	}
	free(page.p);
	c->sent = 0;
	loop_io_mod(c->srv->b->loop, &c->io, EPOLLOUT);
}

/* Answers once the request head is complete: only GET /metrics (and /). */
static void http_parse(struct http_conn *c)
{
	c->head[c->head_len] = '\0';
	if (!strstr(c->head, "\r\n\r\n") && !strstr(c->head, "\n\n"))
		return;
	if (strncmp(c->head, "GET /metrics ", 13) == 0 || strncmp(c->head, "GET / ", 6) == 0 ||
	    strncmp(c->head, "GET /metrics?", 13) == 0)
		http_answer(c, "200 OK", NULL);
	else
		http_answer(c, "404 Not Found", "only GET /metrics is served here\n");
}

static void http_io(struct loop_io *io, uint32_t events)
{
	struct http_conn *c = io->arg;
	if (c->out.len == 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		ssize_t n = read(io->fd, c->head + c->head_len, HTTP_HEAD_MAX - 1 - c->head_len);
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				http_close(c);
			return;
		}
		c->head_len += (size_t)n;
		if (c->head_len == HTTP_HEAD_MAX - 1) {
			http_close(c); /* a head this long is not a scrape */
			return;
		}
		http_parse(c);
		return;
	}
	if (c->out.len && (events & EPOLLOUT)) {
		ssize_t n = write(io->fd, c->out.p + c->sent, c->out.len - c->sent);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0 || (c->sent += (size_t)n) == c->out.len)
			http_close(c);
	}
}

static void http_accept(struct loop_io *io, uint32_t events)
{
	(void)events;
	struct metrics_http *srv = io->arg;
	for (int rounds = 0; rounds < HTTP_MAX_CONNS; rounds++) {
		int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct http_conn *c = NULL;
		for (int i = 0; i < HTTP_MAX_CONNS && !c; i++)
			if (!srv->conns[i].in_use)
				c = &srv->conns[i];
		if (!c) {
			close(fd); /* more scrapers than anyone runs: refuse */
			continue;
		}
		c->in_use = 1;
		c->srv = srv;
		c->head_len = 0;
		c->io = (struct loop_io){ .fd = fd, .fn = http_io, .arg = c };
		loop_timer_init(&c->deadline, http_deadline, c);
		loop_timer_start(srv->b->loop, &c->deadline, HTTP_DEADLINE_MS);
		if (loop_io_add(srv->b->loop, &c->io, EPOLLIN) < 0)
			http_close(c);
	}
}

static int parse_spec(const char *spec, struct sockaddr_in *sa)
{
	const char *colon = strrchr(spec, ':');
	if (!colon)
		return -EINVAL;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -EINVAL;
	char host[64];
	size_t hl = (size_t)(colon - spec);
	if (hl >= sizeof host)
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	*sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (!hl)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

int metrics_listen(struct broker *b, const char *spec)
{
	struct sockaddr_in sa;
	int rc = parse_spec(spec, &sa);
	if (rc < 0)
		return rc;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct metrics_http *srv = calloc(1, sizeof *srv);
	if (!srv || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0) {
		int e = srv ? errno : ENOMEM;
		free(srv);
		close(fd);
		return -e;
	}
	srv->b = b;
	srv->io = (struct loop_io){ .fd = fd, .fn = http_accept, .arg = srv };
	b->metrics->http = srv;
	return loop_io_add(b->loop, &srv->io, EPOLLIN);
}

void metrics_stop(struct broker *b)
{
	struct metrics_http *srv = b->metrics ? b->metrics->http : NULL;
	if (!srv)
		return;
	for (int i = 0; i < HTTP_MAX_CONNS; i++)
		if (srv->conns[i].in_use)
			http_close(&srv->conns[i]);
	loop_io_del(b->loop, &srv->io);
	close(srv->io.fd);
	free(srv);
	b->metrics->http = NULL;
}
