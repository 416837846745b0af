/* The failure path of CHECK (check.h): one line on stderr naming the broken
 * invariant, then abort() so that a core dump or the sanitizer's report
 * shows the stack. */
#include "common/check.h"

#include <stdio.h>
#include <stdlib.h>

void check_fail(const char *cond, const char *file, int line)
{
	fprintf(stderr, "invariant broken at %s:%d: %s\n", file, line, cond);
	fflush(stderr);
	abort();
}
