/* Failpoints for crash tests: GREGOR_FAILPOINT (a comma-separated list of
 * names) is read once at start; code asks failpoint_hit(name) at the spot
 * where a test wants the process to die. Unset, nothing ever hits. */
#ifndef GREGOR_FAILPOINT_H
#define GREGOR_FAILPOINT_H

/* Reads GREGOR_FAILPOINT; call once from main before any thread starts. */
void failpoint_init(void);
/* 1 when name is in the list read by failpoint_init, else 0. */
int failpoint_hit(const char *name);

#endif
