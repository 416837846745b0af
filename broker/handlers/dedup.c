/* Dedup sets for repeated names in one request (dedup.h). */
#include "broker/handlers/dedup.h"

#include <string.h>

int dedup_seen(struct dedup *d, struct kstr name, int32_t n)
{
	char key[4 + 32768];
	size_t len = name.len > 0 ? (size_t)name.len : 0;
	if (len > sizeof key - 4)
		len = sizeof key - 4;
	memcpy(key, &n, 4);
	if (len)
		memcpy(key + 4, name.p, len);
	if (strmap_get(&d->seen, key, len + 4))
		return 1;
	strmap_put(&d->seen, key, len + 4, d);
	return 0;
}
