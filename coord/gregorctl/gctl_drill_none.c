/* gregorctl drill without librdkafka: the drills need it for their load
 * and read-back (its development package was missing at build time). */
#include <stdio.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"

int gctl_cmd_drill(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			puts("usage: gregorctl drill NAME ... (not in this build: it was built "
			     "without librdkafka)");
			return 0;
		}
	gctl_err("drill: this gregorctl was built without librdkafka (librdkafka-dev)");
	return 2;
}
