/* One-line logging to stderr: "<time> <level> [<module>] message".
 * Thread-safe (one fprintf per line); the level threshold is global.
 *
 * Lines a client can cause (a bad frame, a refused connection, anything that
 * names what a client sent) go through the rate-limited variants
 * (log_warn_rl...): each call site prints at most LOG_LIMIT_LINES lines per
 * LOG_LIMIT_WINDOW_MS and counts the rest, and the next line it prints says
 * how many were suppressed, so no client can fill a disk with log lines.
 * Strings a client chose are passed through log_escape first. */
#ifndef GREGOR_LOG_H
#define GREGOR_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);   /* the root level (log.level) */
enum log_level log_root_level(void);

/* Per-module levels (log.level.<module>, and Kafka's BROKER_LOGGER
 * resource at run time): level -1 removes the override. -1 if the name is
 * too long or the table (LOG_MAX_MODULES) is full. Thread-safe. */
#define LOG_MAX_MODULES 64
#define LOG_MODULE_NAME_MAX 32
int log_set_module_level(const char *module, int level);
int log_module_override(const char *module); /* -1: none */
enum log_level log_effective_level(const char *module);
/* "DEBUG", "INFO", "WARN", "ERROR" (any case; TRACE, FATAL as log4j's
 * nearest); -1 if none of them. */
int log_level_parse(const char *s);
const char *log_level_name(enum log_level level);
/* The module names Gregor logs under, NULL-terminated (the loggers
 * DescribeConfigs lists for BROKER_LOGGER). */
extern const char *const log_modules[];
void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

/* Kafka's state-change log (its state.change.logger): controller
 * decisions, leader and ISR changes, elections, config changes, group
 * rebalances and transaction outcomes, one INFO line each under the module
 * "state.change" (so log.level.state.change sets them apart), naming who
 * decided ("[Controller id=1 epoch=3]", "[Broker id=2]"...), the partition,
 * group or transactional id, the epochs before and after, and the reason. */
#define LOG_STATE_MOD "state.change"
#define log_state(...) log_msg(LOG_INFO, LOG_STATE_MOD, __VA_ARGS__)
#define log_state_rl(...) log_rl_(LOG_INFO, LOG_STATE_MOD, __VA_ARGS__)

/* n broker ids as "[1,2,3]" in buf (cut with "...]" to fit cap >= 8).
 * Returns buf. */
const char *log_ids(const int32_t *ids, int n, char *buf, size_t cap);
#define LOG_IDS_MAX 160
#define log_ids_str(ids, n) log_ids((ids), (n), (char[LOG_IDS_MAX]){ 0 }, LOG_IDS_MAX)

#define LOG_LIMIT_LINES 10
#define LOG_LIMIT_WINDOW_MS 10000

/* One call site's budget; zero-initialised (a static in the macros below). */
struct log_limit {
	int64_t window_start_ms; /* monotonic */
	int lines;               /* printed in this window */
	long suppressed;         /* not printed since the last printed line */
};

void log_limited(struct log_limit *ll, enum log_level level, const char *module,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_rl_(lvl, mod, ...)                                       \
	do {                                                         \
		static struct log_limit log_limit_site_;             \
		log_limited(&log_limit_site_, lvl, mod, __VA_ARGS__); \
	} while (0)
#define log_info_rl(mod, ...)  log_rl_(LOG_INFO, mod, __VA_ARGS__)
#define log_warn_rl(mod, ...)  log_rl_(LOG_WARN, mod, __VA_ARGS__)
#define log_error_rl(mod, ...) log_rl_(LOG_ERROR, mod, __VA_ARGS__)

/* Untrusted bytes (len bytes of s, or up to its NUL when len is
 * (size_t)-1) made safe for a log line: printable ASCII is kept, a
 * backslash doubled, every other byte written \xNN; cut with "..." to fit
 * n bytes (n >= 8). Returns buf. */
const char *log_escape(const char *s, size_t len, char *buf, size_t n);

/* log_escape into a buffer that lives as long as the enclosing block (a
 * compound literal), for use right in a log call's arguments. */
#define LOG_ESC_MAX 200
#define log_esc(s) log_escape((s), (size_t)-1, (char[LOG_ESC_MAX]){ 0 }, LOG_ESC_MAX)
#define log_esc_len(s, n) log_escape((s), (size_t)(n), (char[LOG_ESC_MAX]){ 0 }, LOG_ESC_MAX)

#endif
