/* The plain TCP transport: read/writev/sendfile on the socket. */
#include "common/net/transport.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <unistd.h>

static ssize_t plain_read(struct transport *t, void *buf, size_t len)
{
	ssize_t n = read(t->fd, buf, len);
	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	return n;
}

static ssize_t plain_writev(struct transport *t, const struct iovec *iov, int iovcnt)
{
	if (iovcnt == 0)
		return 0; /* a flush: the kernel holds whatever was accepted */
	ssize_t n = writev(t->fd, iov, iovcnt);
	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	return n;
}

static ssize_t plain_sendfile(struct transport *t, int fd, off_t *off, size_t len)
{
	ssize_t n = sendfile(t->fd, fd, off, len);
	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	return n;
}

static size_t plain_pending(const struct transport *t)
{
	(void)t;
	return 0;
}

static void plain_free(struct transport *t)
{
	close(t->fd);
	free(t);
}

static const struct transport_ops plain_ops = {
	.read = plain_read,
	.writev = plain_writev,
	.sendfile = plain_sendfile,
	.pending = plain_pending,
	.free = plain_free,
};

struct transport *transport_plain_new(int fd)
{
	struct transport *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ops = &plain_ops;
	t->fd = fd;
	t->ready = 1;
	return t;
}
