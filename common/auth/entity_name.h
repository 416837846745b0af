/* Kafka's Sanitizer: a user name as it appears in a ZooKeeper path
 * (/config/users/<sanitized>). Letters, digits, '.', '-' and '_' stay;
 * every other byte becomes %XX (upper-case hex of its UTF-8 bytes), so
 * "*" is "%2A" and a space "%20", as Kafka writes them. */
#ifndef GREGOR_AUTH_ENTITY_NAME_H
#define GREGOR_AUTH_ENTITY_NAME_H

#include <stddef.h>

/* 0, or -1 if out is too small or name is empty. */
int entity_sanitize(const char *name, char *out, size_t cap);
/* The reverse ('+' also decodes to a space, as Java's URLDecoder); -1 on a
 * bad escape, an encoded NUL or a small buffer. */
int entity_desanitize(const char *in, char *out, size_t cap);

#endif
