/* Logging: formats the whole line first so concurrent threads never
 * interleave; rate limits per call site (log.h). */
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static _Atomic int threshold = LOG_INFO;
static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;

/* Per-module overrides. A slot's name is written once, under mod_lock,
 * before its count makes it visible, and never changes: readers scan
 * without the lock. level -1: no override (the root level applies). */
struct log_module {
	char name[LOG_MODULE_NAME_MAX];
	_Atomic int level;
};
static struct log_module modules[LOG_MAX_MODULES];
static _Atomic int n_modules;
static pthread_mutex_t mod_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level) { threshold = (int)level; }
enum log_level log_root_level(void) { return (enum log_level)threshold; }

static struct log_module *module_find(const char *name)
{
	int n = atomic_load(&n_modules);
	for (int k = 0; k < n; k++)
		if (strcmp(modules[k].name, name) == 0)
			return &modules[k];
	return NULL;
}

int log_set_module_level(const char *module, int level)
{
	if (!module || strlen(module) >= LOG_MODULE_NAME_MAX || level < -1 || level > LOG_ERROR)
		return -1;
	pthread_mutex_lock(&mod_lock);
	struct log_module *m = module_find(module);
	int n = atomic_load(&n_modules);
	if (!m && n < LOG_MAX_MODULES) {
		m = &modules[n];
		snprintf(m->name, sizeof m->name, "%s", module);
		m->level = -1;
		atomic_store(&n_modules, n + 1);
	}
	if (m)
		m->level = level;
	pthread_mutex_unlock(&mod_lock);
	return m ? 0 : -1;
}

int log_module_override(const char *module)
{
	const struct log_module *m = module_find(module);
	return m ? m->level : -1;
}

enum log_level log_effective_level(const char *module)
{
	int l = log_module_override(module);
	return (enum log_level)(l >= 0 ? l : threshold);
}

int log_level_parse(const char *s)
{
	/* Kafka's log4j names; TRACE maps to DEBUG, FATAL to ERROR */
	static const struct { const char *name; int level; } tab[] = {
		{ "TRACE", LOG_DEBUG }, { "DEBUG", LOG_DEBUG }, { "INFO", LOG_INFO },
		{ "WARN", LOG_WARN }, { "ERROR", LOG_ERROR }, { "FATAL", LOG_ERROR },
	};
	for (size_t k = 0; s && k < sizeof tab / sizeof tab[0]; k++)
		if (strcasecmp(s, tab[k].name) == 0)
			return tab[k].level;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return level >= LOG_DEBUG && level <= LOG_ERROR ? level_names[level] : "INFO";
}

const char *const log_modules[] = {
	"admin", "authorizer", "broker", "cleaner", "config", "controller", "coord",
	"failpoint", "fetch", "gate", "group", "handlers", "netclient",
	"producer_state", "replica", "sasl", "server", "state.change", "storage", "tls", "txn",
	NULL,
};

const char *log_ids(const int32_t *ids, int n, char *buf, size_t cap)
{
	size_t len = 0;
	buf[len++] = '[';
	for (int i = 0; i < n; i++) {
		char one[16];
		int w = snprintf(one, sizeof one, "%s%d", i ? "," : "", ids[i]);
		if (len + (size_t)w + 2 > cap) {
			memcpy(buf + (len < cap - 5 ? len : cap - 5), "...]", 5);
			return buf;
		}
		memcpy(buf + len, one, (size_t)w);
		len += (size_t)w;
	}
	buf[len++] = ']';
	buf[len] = '\0';
	return buf;
}

static int log_enabled(enum log_level level, const char *module)
{
	if (atomic_load(&n_modules) == 0)
		return (int)level >= threshold;
	return level >= log_effective_level(module);
}

static void log_vmsg(enum log_level level, const char *module, const char *suffix,
		     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void log_vmsg(enum log_level level, const char *module, const char *suffix,
		     const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s [%s] ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
			 level_names[level], module);
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	fprintf(stderr, "%s%s\n", line, suffix);
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	if (!log_enabled(level, module))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, module, "", fmt, ap);
	va_end(ap);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void log_limited(struct log_limit *ll, enum log_level level, const char *module,
		 const char *fmt, ...)
{
	if (!log_enabled(level, module))
		return;
	int64_t now = mono_ms();
	long suppressed = 0;
	pthread_mutex_lock(&limit_lock);
	if (ll->lines == 0 || now - ll->window_start_ms >= LOG_LIMIT_WINDOW_MS) {
		ll->window_start_ms = now;
		ll->lines = 0;
	}
	int print = ll->lines < LOG_LIMIT_LINES;
	if (print) {
		ll->lines++;
		suppressed = ll->suppressed;
		ll->suppressed = 0;
	} else {
		ll->suppressed++;
	}
	pthread_mutex_unlock(&limit_lock);
	if (!print)
		return;
	char suffix[96] = "";
	if (suppressed)
		snprintf(suffix, sizeof suffix, " (%ld similar lines suppressed)", suppressed);
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, module, suffix, fmt, ap);
	va_end(ap);
}

const char *log_escape(const char *s, size_t len, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!s)
		s = "";
	if (len == (size_t)-1)
		len = strlen(s);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		char tmp[4];
		size_t k = 0;
		if (ch == '\\') {
			tmp[k++] = '\\';
			tmp[k++] = '\\';
		} else if (ch >= 0x20 && ch < 0x7f) {
			tmp[k++] = (char)ch;
		} else {
			tmp[k++] = '\\';
			tmp[k++] = 'x';
			tmp[k++] = hex[ch >> 4];
			tmp[k++] = hex[ch & 15];
		}
		if (o + k + 4 > n) { /* room for "..." and the NUL */
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, tmp, k);
		o += k;
	}
	buf[o] = '\0';
	return buf;
}
