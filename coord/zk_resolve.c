/* Resolving the ZooKeeper servers' names before the client library sees
 * them (zk_resolve.h). Names are resolved again on every new session, so a
 * server that moves to a new address is found once the old session is
 * given up (coord.c: coord_check_unreachable). */
#include "coord/zk_resolve.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "common/log.h"

#define MOD "coord"
/* one "host:port" of the connect string is at most half of this */
#define ZR_ENT_MAX (2 * NI_MAXHOST)

struct zr_out {
	char *p;
	size_t cap, len;
	int overflow;
};

static void zr_put(struct zr_out *o, const char *s)
{
	int n = snprintf(o->p + o->len, o->cap - o->len, "%s%s", o->len ? "," : "", s);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = 1;
	else
		o->len += (size_t)n;
}

/* Appends the addresses of one "host:port"; 1 kept, 0 not resolved. */
static int zr_entry(struct zr_out *o, const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		log_warn_rl(MOD, "ZooKeeper server %s:%s: %s", host, port, gai_strerror(rc));
		return 0;
	}
	int v4 = 0, v6 = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		char ip[INET_ADDRSTRLEN], ent[ZR_ENT_MAX];
		if (a->ai_family == AF_INET6)
			v6 = 1;
		if (a->ai_family != AF_INET ||
		    !inet_ntop(AF_INET, &((struct sockaddr_in *)a->ai_addr)->sin_addr, ip, sizeof ip))
			continue;
		snprintf(ent, sizeof ent, "%s:%s", ip, port);
		zr_put(o, ent);
		v4 = 1;
	}
	freeaddrinfo(res);
	if (!v4 && v6) {
		char ent[ZR_ENT_MAX];
		snprintf(ent, sizeof ent, "%s:%s", host, port);
		zr_put(o, ent);
	}
	return v4 || v6;
}

int zk_resolve_connect(const char *hosts, const char *chroot, char *out, size_t cap)
{
	struct zr_out o = { out, cap, 0, 0 };
	int kept = 0;
	if (!cap)
		return -1;
	out[0] = '\0';
	for (const char *s = hosts; *s;) {
		size_t n = strcspn(s, ",");
		char ent[ZR_ENT_MAX / 2];
		if (n && n < sizeof ent) {
			memcpy(ent, s, n);
			ent[n] = '\0';
			char *colon = strrchr(ent, ':');
			if (!colon || colon == ent || !colon[1]) {
				log_error_rl(MOD, "zookeeper.connect: %s has no port", ent);
				return -1;
			}
			*colon = '\0';
			kept += zr_entry(&o, ent, colon + 1);
		}
		s += n + (s[n] == ',');
	}
	if (kept && chroot && o.len + strlen(chroot) < cap) {
		memcpy(out + o.len, chroot, strlen(chroot) + 1);
		o.len += strlen(chroot);
	} else if (kept && chroot) {
		o.overflow = 1;
	}
	return o.overflow ? -1 : kept;
}
