/* Failpoints (see failpoint.h): the environment is read once, so that a
 * hot path asking failpoint_hit costs a pointer test when none is set. */
#include "common/failpoint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define FAILPOINT_MAX 256

static char list[FAILPOINT_MAX + 3]; /* ",a,b," when set, "" otherwise */

void failpoint_init(void)
{
	const char *v = getenv("GREGOR_FAILPOINT");
	size_t n = v ? strlen(v) : 0;
	if (n == 0 || n > FAILPOINT_MAX) {
		list[0] = 0;
		return;
	}
	list[0] = ',';
	memcpy(list + 1, v, n);
	list[n + 1] = ',';
	list[n + 2] = 0;
	log_warn("failpoint", "armed: %s", v);
}

int failpoint_hit(const char *name)
{
	char key[FAILPOINT_MAX + 2];
	size_t n = strlen(name);
	if (!list[0] || n == 0 || n > FAILPOINT_MAX - 2)
		return 0;
	key[0] = ',';
	memcpy(key + 1, name, n);
	key[n + 1] = ',';
	key[n + 2] = 0;
	return strstr(list, key) != NULL;
}

long failpoint_value(const char *name, long dflt)
{
	char key[FAILPOINT_MAX + 2];
	size_t n = strlen(name);
	if (!list[0] || n == 0 || n > FAILPOINT_MAX - 2)
		return dflt;
	key[0] = ',';
	memcpy(key + 1, name, n);
	key[n + 1] = '=';
	key[n + 2] = 0;
	const char *at = strstr(list, key);
	if (!at)
		return dflt;
	char *end;
	errno = 0;
	long v = strtol(at + n + 2, &end, 10);
	return errno || end == at + n + 2 || *end != ',' ? dflt : v;
}
