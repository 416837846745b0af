/* Invariants that run: CHECK(cond) stops the process with the condition and
 * its place when cond is false, in debug and sanitizer builds (meson defines
 * GREGOR_CHECKS unless the build type is release or minsize), and costs
 * nothing in release builds, where cond is not evaluated. Modules pair it
 * with checker functions (log_check, ec_check, ps_check, ...) that return 0
 * or -1 after logging the first violation, so that unit tests can assert
 * them after every step and the broker can run them at intervals. */
#ifndef GREGOR_CHECK_H
#define GREGOR_CHECK_H

_Noreturn void check_fail(const char *cond, const char *file, int line);

#ifdef GREGOR_CHECKS
#define CHECK(cond) ((cond) ? (void)0 : check_fail(#cond, __FILE__, __LINE__))
#define CHECKS_ENABLED 1
#else
#define CHECK(cond) ((void)sizeof(!(cond)))
#define CHECKS_ENABLED 0
#endif

#endif
