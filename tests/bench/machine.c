/*
 * machine: what this machine can do at best, the yardsticks the benchmark
 * suite (suite.sh) reads Gregor's figures against: loopback TCP bandwidth,
 * sendfile from the page cache to a loopback socket, write+fdatasync of
 * 4 KiB (latency) and 1 MiB (sequential MB/s) in DIR, and the loopback
 * round trip of one byte. Prints "RESULT name value unit" lines.
 *   machine [DIR]   (default $TMPDIR or /tmp; use the brokers' file system)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NET_BYTES (1ull << 30)
#define FILE_BYTES (128ull << 20)
#define SYNC_SMALL_ROUNDS 200
#define SYNC_BIG_ROUNDS 64
#define RTT_ROUNDS 20000
#define BUF_BYTES (1 << 20)

static char buf[BUF_BYTES];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void result(const char *name, double value, const char *unit)
{
	printf("RESULT %s %.3f %s\n", name, value, unit);
	fflush(stdout);
}

/* A connected TCP pair over 127.0.0.1; 0 or -1 (errno set). */
static int loopback_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -1;
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		close(lfd);
		return -1;
	}
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&a, sizeof a)) {
		close(lfd);
		return -1;
	}
	*server = accept(lfd, NULL, NULL);
	close(lfd);
	return *server < 0 ? -1 : 0;
}

/* Reader side of the bandwidth measurements: drains until EOF. */
static void *sink_run(void *p)
{
	int fd = *(int *)p;
	static char sink[1 << 18];
	while (read(fd, sink, sizeof sink) > 0)
		;
	return NULL;
}

/* Loopback TCP: 1 GiB written from user memory, read by another thread. */
static void measure_tcp(void)
{
	int c, s;
	pthread_t th;
	if (loopback_pair(&c, &s)) {
		printf("machine: loopback pair: %s\n", strerror(errno));
		return;
	}
	pthread_create(&th, NULL, sink_run, &s);
	double t0 = now_s();
	unsigned long long sent = 0;
	while (sent < NET_BYTES) {
		ssize_t n = write(c, buf, 1 << 18);
		if (n <= 0)
			break;
		sent += (unsigned long long)n;
	}
	shutdown(c, SHUT_WR);
	pthread_join(th, NULL);
	result("machine.tcp_MBps", (double)sent / (now_s() - t0) / 1e6, "MB/s");
	close(c);
	close(s);
}

static int temp_file(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/machine-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	else
		printf("machine: temp file in %s: %s\n", dir, strerror(errno));
	return fd;
}

/* sendfile: a 128 MiB file (in the page cache after writing it) sent to a
 * loopback socket 8 times, as a broker serves caught-up consumers. */
static void measure_sendfile(const char *dir)
{
	int fd = temp_file(dir), c, s;
	pthread_t th;
	if (fd < 0)
		return;
	for (unsigned long long w = 0; w < FILE_BYTES; w += BUF_BYTES)
		if (write(fd, buf, BUF_BYTES) != BUF_BYTES) {
			printf("machine: writing temp file: %s\n", strerror(errno));
			close(fd);
			return;
		}
	if (loopback_pair(&c, &s)) {
		close(fd);
		return;
	}
	pthread_create(&th, NULL, sink_run, &s);
	double t0 = now_s();
	unsigned long long sent = 0;
	while (sent < NET_BYTES) {
		off_t off = 0;
		ssize_t n = 1;
		while (off < (off_t)FILE_BYTES && n > 0) {
			n = sendfile(c, fd, &off, FILE_BYTES - (size_t)off);
			sent += n > 0 ? (unsigned long long)n : 0;
		}
		if (n <= 0)
			break;
	}
	shutdown(c, SHUT_WR);
	pthread_join(th, NULL);
	result("machine.sendfile_MBps", (double)sent / (now_s() - t0) / 1e6, "MB/s");
	close(c);
	close(s);
	close(fd);
}

/* Appends of SIZE bytes each followed by fdatasync, ROUNDS times: the
 * median latency, and the bytes per second of the whole sequence. */
static void measure_fdatasync(const char *dir, size_t size, int rounds, const char *name)
{
	int fd = temp_file(dir);
	double lat[SYNC_SMALL_ROUNDS > SYNC_BIG_ROUNDS ? SYNC_SMALL_ROUNDS : SYNC_BIG_ROUNDS];
	int n = 0;
	if (fd < 0)
		return;
	double t0 = now_s();
	for (; n < rounds; n++) {
		double t = now_s();
		if (write(fd, buf, size) != (ssize_t)size || fdatasync(fd)) {
			printf("machine: write+fdatasync: %s\n", strerror(errno));
			break;
		}
		lat[n] = now_s() - t;
	}
	double total = now_s() - t0;
	close(fd);
	if (n == 0)
		return;
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	char key[64];
	snprintf(key, sizeof key, "machine.%s_p50_us", name);
	result(key, lat[n / 2] * 1e6, "us");
	snprintf(key, sizeof key, "machine.%s_MBps", name);
	result(key, (double)size * n / total / 1e6, "MB/s");
}

/* One byte there and back over a loopback connection (both ends in this
 * process, the echo on its own thread): the median round trip. */
static void *echo_run(void *p)
{
	int fd = *(int *)p;
	char b;
	while (read(fd, &b, 1) == 1)
		if (write(fd, &b, 1) != 1)
			break;
	return NULL;
}

static void measure_rtt(void)
{
	int c, s, one = 1;
	pthread_t th;
	static double lat[RTT_ROUNDS];
	if (loopback_pair(&c, &s))
		return;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	pthread_create(&th, NULL, echo_run, &s);
	int n = 0;
	char b = 'r';
	double deadline = now_s() + 20;
	for (; n < RTT_ROUNDS && now_s() < deadline; n++) {
		double t = now_s();
		if (write(c, &b, 1) != 1 || read(c, &b, 1) != 1)
			break;
		lat[n] = now_s() - t;
	}
	shutdown(c, SHUT_RDWR);
	pthread_join(th, NULL);
	close(c);
	close(s);
	if (n == 0)
		return;
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	result("machine.rtt_p50_us", lat[n / 2] * 1e6, "us");
	result("machine.rtt_p99_us", lat[(n * 99) / 100] * 1e6, "us");
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	const char *dir = argc > 1 ? argv[1] : tmp ? tmp : "/tmp";
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: machine [DIR]\n");
		return 2;
	}
	memset(buf, 'm', sizeof buf);
	measure_tcp();
	measure_sendfile(dir);
	measure_fdatasync(dir, 4096, SYNC_SMALL_ROUNDS, "fdatasync_4k");
	measure_fdatasync(dir, BUF_BYTES, SYNC_BIG_ROUNDS, "fdatasync_1m");
	measure_rtt();
	return 0;
}
