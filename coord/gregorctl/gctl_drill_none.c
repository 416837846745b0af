/* gregorctl drill without librdkafka: the drills need it for their load
 * and read-back (its development package was missing at build time). */
#include "coord/gregorctl/gctl.h"

int gctl_cmd_drill(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gctl_err("drill: this gregorctl was built without librdkafka (librdkafka-dev)");
	return 2;
}
