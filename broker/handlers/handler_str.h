/* String copies the handlers make between a request's wire strings (struct
 * kstr: not NUL-terminated, len -1 for null) and C strings, in the
 * request's arena so that they live exactly as long as the request. */
#ifndef GREGOR_HANDLER_STR_H
#define GREGOR_HANDLER_STR_H

#include <string.h>

#include "common/arena.h"
#include "common/proto/codec.h"

/* A NUL-terminated copy of s; NULL for a null string or out of memory. */
static inline char *handler_cstr(struct arena *a, struct kstr s)
{
	if (s.len < 0)
		return NULL;
	char *c = arena_alloc(a, (size_t)s.len + 1); /* zeroed: terminated */
	if (c && s.len)
		memcpy(c, s.p, (size_t)s.len);
	return c;
}

/* s copied as a kstr (null for NULL; p NULL when out of memory). */
static inline struct kstr handler_kstr(struct arena *a, const char *s)
{
	if (!s)
		return (struct kstr){ NULL, -1 };
	int32_t n = (int32_t)strlen(s);
	return (struct kstr){ handler_cstr(a, (struct kstr){ s, n }), n };
}

#endif
