/* The ZooKeeper connect string with its host names resolved by us, so that
 * the ZooKeeper client library never resolves names itself: its I/O thread
 * retries a failed resolution without any delay (tens of thousands of
 * getaddrinfo calls and log lines a second while DNS is unreachable). */
#ifndef GREGOR_COORD_ZK_RESOLVE_H
#define GREGOR_COORD_ZK_RESOLVE_H

#include <stddef.h>

/* hosts: "host:port,host:port" (no chroot). Writes the IPv4 addresses of
 * every host as "a.b.c.d:port,..." into out, then chroot (NULL: none). A
 * host that does not resolve is left out (logged, rate-limited); a host
 * with only IPv6 addresses is kept by name (the library resolves it).
 * Returns the number of hosts kept, 0 when none resolved, -1 when out is
 * too small or an entry has no port. */
int zk_resolve_connect(const char *hosts, const char *chroot, char *out, size_t cap);

#endif
