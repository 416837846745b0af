/* A connection's byte stream: plain TCP or TLS. Framing (broker/server.c)
 * and the inter-broker clients read and write through this table, so no
 * caller outside common/net/ touches a socket fd directly.
 *
 *   transport_plain_new                       plain TCP (owns the fd)
 *   t->ops->read / writev / sendfile          non-blocking I/O
 *   t->ops->pending                           bytes buffered inside (TLS)
 *   t->want                                   epoll interest the transport needs
 *   t->ops->free                              closes the fd, frees the transport
 *
 * Return convention of read/writev/sendfile: bytes moved (> 0), 0 for end of
 * stream (read only), -EAGAIN when the call must be retried once the fd is
 * ready for t->want (a TLS read may want EPOLLOUT during a handshake), or
 * another -errno for a dead connection. sendfile answers -ENOTSUP where the
 * transport cannot hand file bytes to the kernel (TLS without kTLS); the
 * caller then uses its bounded pread + writev path.
 *
 * writev with iovcnt 0 pushes bytes the transport accepted earlier but could
 * not send yet (transport_flush): 0 once nothing is held, -EAGAIN while some
 * is (t->want then says what the transport waits for). */
#ifndef GREGOR_TRANSPORT_H
#define GREGOR_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct transport;

struct transport_ops {
	ssize_t (*read)(struct transport *t, void *buf, size_t len);
	ssize_t (*writev)(struct transport *t, const struct iovec *iov, int iovcnt);
	ssize_t (*sendfile)(struct transport *t, int fd, off_t *off, size_t len);
	/* Decrypted bytes held inside the transport: the caller must read them
	 * before it waits on epoll again, since the fd will not signal them. */
	size_t (*pending)(const struct transport *t);
	void (*free)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	int fd;
	/* EPOLLIN/EPOLLOUT the transport itself needs before the next call can
	 * progress (TLS handshake, renegotiation); 0 when it needs nothing. The
	 * connection adds it to its own interest. */
	uint32_t want;
	/* Set once a TLS handshake verified a client certificate: the subject
	 * in RFC 2253 form ("CN=alice,O=acme"); NULL otherwise. Owned by t. */
	char *peer_subject;
	/* 1 once the transport can carry application data (plain: at once). */
	int ready;
};

/* Wraps a connected non-blocking socket; NULL on out of memory (fd left open). */
struct transport *transport_plain_new(int fd);

/* Sends what the transport still holds; 0 when empty, -EAGAIN, or -errno. */
static inline ssize_t transport_flush(struct transport *t)
{
	return t->ops->writev(t, NULL, 0);
}

static inline void transport_free(struct transport *t)
{
	if (t)
		t->ops->free(t);
}

#endif
