/* nc_liveness: a broker-to-broker request (net_client) whose peer vanishes
 * without a reset fails within the connection's liveness bound, while a
 * request to a peer that is alive but slow to answer is kept.
 *
 * In a private network namespace (root; exit 77 otherwise), two listeners
 * accept a request each and never answer; nftables then drops every packet
 * of the second connection, as a cut network or a killed container does.
 * The requests' own timeout is 60 s: the dropped one must fail with an error
 * of its connection well before that, the other must still be waiting. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/net_client.h"
#include "common/clock.h"
#include "common/proto/messages.h"

#define REQUEST_TIMEOUT_MS 60000
#define GIVE_UP_MS 40000   /* well below the request timeout */
#define ALIVE_EXTRA_MS 4000 /* the alive peer must outlast the cut one by this */

struct peer {
	const char *name;
	int drop; /* cut this one off once its request arrived */
	int port;
	struct loop_io listen_io, conn_io;
	struct net_client *nc;
	int done, err;
	int64_t done_ms;
};

static struct loop *loop;
static int64_t t0_ms;
static struct loop_timer check_timer;
static struct peer peers[2] = { { .name = "alive", .drop = 0 }, { .name = "cut", .drop = 1 } };

static void die(const char *what)
{
	fprintf(stderr, "nc_liveness: FAIL: %s\n", what);
	exit(1);
}

static void cut_off(int port)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "nft add table inet ncl && "
		 "nft add chain inet ncl in '{ type filter hook input priority 0; }' && "
		 "nft add rule inet ncl in tcp dport %d drop && "
		 "nft add rule inet ncl in tcp sport %d drop",
		 port, port);
	if (system(cmd) != 0)
		die("nft could not install the drop rules");
	printf("nc_liveness: +%lld ms: every packet of port %d dropped\n",
	       (long long)(clock_mono_ms() - t0_ms), port);
}

/* The peer reads the request and never answers. */
static void on_conn(struct loop_io *io, uint32_t events)
{
	struct peer *p = io->arg;
	char buf[4096];
	ssize_t n = read(io->fd, buf, sizeof buf);
	(void)events;
	if (n > 0 && p->drop) {
		p->drop = 0;
		cut_off(p->port);
	}
	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		loop_io_del(loop, io);
		close(io->fd);
	}
}

static void on_listen(struct loop_io *io, uint32_t events)
{
	struct peer *p = io->arg;
	(void)events;
	int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	p->conn_io.fd = fd;
	p->conn_io.fn = on_conn;
	p->conn_io.arg = p;
	if (loop_io_add(loop, &p->conn_io, EPOLLIN) < 0)
		die("cannot watch the accepted connection");
}

static int listen_any(struct peer *p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	p->port = ntohs(a.sin_port);
	p->listen_io.fd = fd;
	p->listen_io.fn = on_listen;
	p->listen_io.arg = p;
	return loop_io_add(loop, &p->listen_io, EPOLLIN);
}

static void on_response(struct net_client *nc, int err, void *resp, void *arg)
{
	struct peer *p = arg;
	(void)nc;
	(void)resp;
	p->done = 1;
	p->err = err;
	p->done_ms = clock_mono_ms() - t0_ms;
	printf("nc_liveness: +%lld ms: request to the %s peer ended: %s\n", (long long)p->done_ms,
	       p->name, err ? strerror(-err) : "answered");
}

/* Stops the loop once the cut peer's request ended and the alive one has
 * outlasted it, or at the deadline. */
static void on_check(struct loop_timer *t)
{
	int64_t now = clock_mono_ms() - t0_ms;
	struct peer *cut = &peers[1];
	if (now >= GIVE_UP_MS || (cut->done && now >= cut->done_ms + ALIVE_EXTRA_MS)) {
		loop_stop(loop);
		return;
	}
	loop_timer_start(loop, t, 200);
}

static void send_request(struct peer *p)
{
	struct metadata_request req;
	memset(&req, 0, sizeof req);
	p->nc = net_client_new(loop, "nc-liveness", NULL);
	if (!p->nc)
		die("net_client_new");
	net_client_target(p->nc, "127.0.0.1", p->port);
	if (net_client_send(p->nc, 3, 1, &req, REQUEST_TIMEOUT_MS, on_response, p) < 0)
		die("net_client_send");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("nc_liveness: skipped: needs root for a private network namespace\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0)
		die("cannot set up a private network namespace");
	if (!(loop = loop_new()))
		die("loop_new");
	t0_ms = clock_mono_ms();
	for (int i = 0; i < 2; i++) {
		if (listen_any(&peers[i]) < 0)
			die("cannot listen on 127.0.0.1");
		send_request(&peers[i]);
	}
	loop_timer_init(&check_timer, on_check, NULL);
	loop_timer_start(loop, &check_timer, 200);
	loop_run(loop);

	struct peer *alive = &peers[0], *cut = &peers[1];
	if (!cut->done)
		die("the request to the cut-off peer was still waiting after 40 s");
	if (cut->err != -ETIMEDOUT)
		die("the cut-off request ended, but not with a connection timeout");
	if (alive->done)
		die("the request to the alive (silent) peer was cut too");
	printf("nc_liveness: PASS: cut-off peer detected after %lld ms (request timeout %d ms); "
	       "the alive peer's request still waits\n",
	       (long long)cut->done_ms, REQUEST_TIMEOUT_MS);
	net_client_free(alive->nc);
	net_client_free(cut->nc);
	loop_free(loop);
	return 0;
}
