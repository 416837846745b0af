/* net_client (broker/net_client.c) against a plain socket in the test: a
 * request on a connected client is on the wire when net_client_send
 * returns, before the loop turns (a follower's next fetch leaves as soon as
 * its append is done, with no EPOLLOUT round), and its response still
 * reaches the callback through the loop; the first request of a new
 * connection goes out once the connect completes. A response that arrived
 * whole is taken with one read (its size and body together), and one that
 * trickles in a few bytes at a time is still put together. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/net_client.h"
#include "common/log.h"
#include "common/net/loop.h"
#include "common/proto/messages.h"

#define API_VERSIONS 18

/* Reads of sockets whose peer is counted_port, while it is set: the test
 * links with --wrap=read, so the transport's read(2) comes here first. */
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
static int counted_port, counted_reads;

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	if (counted_port && getpeername(fd, (struct sockaddr *)&sa, &len) == 0 &&
	    sa.sin_family == AF_INET && ntohs(sa.sin_port) == counted_port)
		counted_reads++;
	return __real_read(fd, buf, n);
}

struct got {
	int calls, err;
	int16_t error_code;
};

static void on_response(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)nc;
	struct got *g = arg;
	g->calls++;
	g->err = err;
	if (!err)
		g->error_code = ((const struct api_versions_response *)resp)->error_code;
}

static int listen_any(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	socklen_t len = sizeof sa;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void stop_loop(struct loop_timer *t)
{
	loop_stop(t->arg);
}

/* Runs the loop for about ms milliseconds. */
static void loop_run_for(struct loop *l, int ms)
{
	struct loop_timer t;
	loop_timer_init(&t, stop_loop, l);
	loop_timer_start(l, &t, ms);
	ck_assert_int_eq(loop_run(l), 0);
	loop_timer_stop(l, &t);
}

/* Runs the loop in 10 ms steps until cond holds or about 10 s passed. */
#define LOOP_UNTIL(l, cond)                                                   \
	do {                                                                  \
		for (int i_ = 0; i_ < 1000 && !(cond); i_++)                  \
			loop_run_for(l, 10);                                  \
		ck_assert(cond);                                              \
	} while (0)

/* One request frame from the socket, waiting up to wait_ms for it (0: it
 * must be there already). Returns its correlation id. */
static int32_t read_request(int fd, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, wait_ms), 1);
	uint8_t hdr[12];
	ck_assert_int_eq(recv(fd, hdr, 4, MSG_WAITALL), 4);
	uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	ck_assert_uint_ge(len, 8);
	ck_assert_uint_le(len, 4096);
	uint8_t body[4096];
	ck_assert_int_eq(recv(fd, body, len, MSG_WAITALL), (ssize_t)len);
	ck_assert_int_eq(body[0] << 8 | body[1], API_VERSIONS);
	return (int32_t)((uint32_t)body[4] << 24 | (uint32_t)body[5] << 16 |
			 (uint32_t)body[6] << 8 | body[7]);
}

/* An ApiVersions v0 answer: error_code, no api keys. */
static void write_response(int fd, int32_t corr, int16_t error_code)
{
	uint8_t f[14] = { 0, 0, 0, 10 };
	f[4] = (uint8_t)(corr >> 24);
	f[5] = (uint8_t)(corr >> 16);
	f[6] = (uint8_t)(corr >> 8);
	f[7] = (uint8_t)corr;
	f[8] = (uint8_t)(error_code >> 8);
	f[9] = (uint8_t)error_code;
	ck_assert_int_eq(send(fd, f, sizeof f, 0), (ssize_t)sizeof f);
}

START_TEST(test_request_written_before_the_loop_turns)
{
	int port;
	int lfd = listen_any(&port);
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	struct net_client *nc = net_client_new(l, "test", NULL);
	ck_assert_ptr_nonnull(nc);
	net_client_target(nc, "127.0.0.1", port);
	struct api_versions_request req = { { NULL, -1 }, { NULL, -1 } };
	struct got g = { 0 };

	/* a new connection: the request leaves once the connect is done */
	ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, &g), 0);
	int sfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(sfd, 0);
	LOOP_UNTIL(l, !net_client_busy(nc) || poll(&(struct pollfd){ sfd, POLLIN, 0 }, 1, 0) == 1);
	int32_t corr = read_request(sfd, 0);
	write_response(sfd, corr, 0);
	LOOP_UNTIL(l, g.calls == 1);
	ck_assert_int_eq(g.err, 0);
	ck_assert_int_eq(g.error_code, 0);

	/* connected: on the wire when send returns, the loop not turned */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, &g), 0);
		int32_t c2 = read_request(sfd, 0);
		ck_assert_int_eq(c2, corr + 1 + i);
		write_response(sfd, c2, 35); /* UNSUPPORTED_VERSION: any code will do */
		LOOP_UNTIL(l, g.calls == 2 + i);
		ck_assert_int_eq(g.err, 0);
		ck_assert_int_eq(g.error_code, 35);
	}

	/* the peer went away while idle: the next request fails through the
	 * callback (from the loop, never inside send) */
	close(sfd);
	loop_run_for(l, 10); /* the client may notice the close, or not yet */
	ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, &g), 0);
	ck_assert_int_eq(g.calls, 4);
	int nsfd = -1;
	for (int i = 0; i < 1000 && g.calls == 4; i++) {
		loop_run_for(l, 10);
		if (nsfd < 0 && poll(&(struct pollfd){ lfd, POLLIN, 0 }, 1, 0) == 1)
			nsfd = accept(lfd, NULL, NULL); /* a reconnect is fine too */
		if (nsfd >= 0 && poll(&(struct pollfd){ nsfd, POLLIN, 0 }, 1, 0) == 1)
			write_response(nsfd, read_request(nsfd, 0), 0);
	}
	ck_assert_int_eq(g.calls, 5);
	if (nsfd >= 0)
		close(nsfd);
	net_client_free(nc);
	loop_free(l);
	close(lfd);
}
END_TEST

/* A connected client and the test's end of its connection. */
static struct net_client *connected(struct loop *l, int lfd, int port, int *sfd, struct got *g)
{
	struct net_client *nc = net_client_new(l, "test", NULL);
	ck_assert_ptr_nonnull(nc);
	net_client_target(nc, "127.0.0.1", port);
	struct api_versions_request req = { { NULL, -1 }, { NULL, -1 } };
	ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, g), 0);
	*sfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(*sfd, 0);
	LOOP_UNTIL(l, poll(&(struct pollfd){ *sfd, POLLIN, 0 }, 1, 0) == 1);
	write_response(*sfd, read_request(*sfd, 0), 0);
	LOOP_UNTIL(l, g->calls == 1);
	return nc;
}

START_TEST(test_whole_response_one_read)
{
	int port, sfd;
	int lfd = listen_any(&port);
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	struct got g = { 0 };
	struct net_client *nc = connected(l, lfd, port, &sfd, &g);
	struct api_versions_request req = { { NULL, -1 }, { NULL, -1 } };
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, &g), 0);
		int32_t corr = read_request(sfd, 0);
		counted_port = port;
		counted_reads = 0;
		write_response(sfd, corr, 35); /* one send: all 14 bytes at once */
		LOOP_UNTIL(l, g.calls == 2 + i);
		counted_port = 0;
		ck_assert_int_eq(g.err, 0);
		ck_assert_int_eq(g.error_code, 35);
		ck_assert_int_eq(counted_reads, 1); /* not size, then body */
	}
	net_client_free(nc);
	loop_free(l);
	close(sfd);
	close(lfd);
}
END_TEST

/* The frame in pieces of 1, 2, 3, 4 and 4 bytes, the loop turned between
 * them: size bytes split, size alone, body in parts. */
START_TEST(test_response_in_pieces)
{
	int port, sfd;
	int lfd = listen_any(&port);
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	struct got g = { 0 };
	struct net_client *nc = connected(l, lfd, port, &sfd, &g);
	struct api_versions_request req = { { NULL, -1 }, { NULL, -1 } };
	static const int cuts[][5] = { { 1, 2, 3, 4, 4 }, { 4, 10, 0, 0, 0 }, { 3, 11, 0, 0, 0 } };
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, &g), 0);
		int32_t corr = read_request(sfd, 0);
		uint8_t f[14] = { 0, 0, 0, 10, (uint8_t)(corr >> 24), (uint8_t)(corr >> 16),
				  (uint8_t)(corr >> 8), (uint8_t)corr, 0, 35 };
		int at = 0;
		for (int j = 0; j < 5 && cuts[k][j]; j++) {
			ck_assert_int_eq(g.calls, 1 + k);
			ck_assert_int_eq(send(sfd, f + at, (size_t)cuts[k][j], 0), cuts[k][j]);
			at += cuts[k][j];
			loop_run_for(l, 5);
		}
		ck_assert_int_eq(at, 14);
		LOOP_UNTIL(l, g.calls == 2 + k);
		ck_assert_int_eq(g.err, 0);
		ck_assert_int_eq(g.error_code, 35);
	}
	net_client_free(nc);
	loop_free(l);
	close(sfd);
	close(lfd);
}
END_TEST

/* Bytes past the one response in flight: nothing asked for them, so the
 * connection is wrong and the request fails. */
START_TEST(test_bytes_past_the_response)
{
	int port, sfd;
	int lfd = listen_any(&port);
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	struct got g = { 0 };
	struct net_client *nc = connected(l, lfd, port, &sfd, &g);
	struct api_versions_request req = { { NULL, -1 }, { NULL, -1 } };
	ck_assert_int_eq(net_client_send(nc, API_VERSIONS, 0, &req, 10000, on_response, &g), 0);
	int32_t corr = read_request(sfd, 0);
	uint8_t f[20] = { 0, 0, 0, 10, (uint8_t)(corr >> 24), (uint8_t)(corr >> 16),
			  (uint8_t)(corr >> 8), (uint8_t)corr, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 7, 8 };
	ck_assert_int_eq(send(sfd, f, sizeof f, 0), (ssize_t)sizeof f);
	LOOP_UNTIL(l, g.calls == 2);
	ck_assert_int_eq(g.err, -EBADMSG);
	net_client_free(nc);
	loop_free(l);
	close(sfd);
	close(lfd);
}
END_TEST

int main(void)
{
	log_set_level(LOG_ERROR);
	Suite *s = suite_create("net_client");
	TCase *tc = tcase_create("send");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_request_written_before_the_loop_turns);
	tcase_add_test(tc, test_whole_response_one_read);
	tcase_add_test(tc, test_response_in_pieces);
	tcase_add_test(tc, test_bytes_past_the_response);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
