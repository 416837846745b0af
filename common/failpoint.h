/* Failpoints for crash tests: GREGOR_FAILPOINT (a comma-separated list of
 * names, each optionally name=NUMBER) is read once at start; code asks
 * failpoint_hit(name) at the spot where a test wants the process to die,
 * or failpoint_value(name, dflt) for a parameter (a delay). Unset, nothing
 * ever hits. */
#ifndef GREGOR_FAILPOINT_H
#define GREGOR_FAILPOINT_H

/* Reads GREGOR_FAILPOINT; call once from main before any thread starts. */
void failpoint_init(void);
/* 1 when name is in the list read by failpoint_init, else 0. */
int failpoint_hit(const char *name);
/* The NUMBER of a "name=NUMBER" entry; dflt when absent or not a number. */
long failpoint_value(const char *name, long dflt);

#endif
