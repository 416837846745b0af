/* Kafka's Sanitizer for entity names in ZooKeeper paths (see entity_name.h). */
#include "common/auth/entity_name.h"

#include <ctype.h>
#include <stdio.h>

static int keep(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

int entity_sanitize(const char *name, char *out, size_t cap)
{
	size_t o = 0;
	if (!*name)
		return -1;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (keep(*p)) {
			if (o + 1 >= cap)
				return -1;
			out[o++] = (char)*p;
		} else {
			if (o + 3 >= cap)
				return -1;
			snprintf(out + o, 4, "%%%02X", *p);
			o += 3;
		}
	}
	out[o] = 0;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int entity_desanitize(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			p += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	out[o] = 0;
	return o ? 0 : -1;
}
