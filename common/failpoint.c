/* The failpoint registry (see failpoint.h): a small fixed table under one
 * mutex, with an atomic count of armed points so that an unarmed check on a
 * hot path never takes the lock. */
#include "common/failpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define FP_MAX_POINTS 32
#define FP_MAX_TERMS 8
#define FP_NAME_MAX 64
#define FP_SPEC_MAX 256

struct fp_term {
	enum fp_type type;
	long arg;
	long count; /* hits this term applies to; -1 = for ever */
};

struct fp_point {
	char name[FP_NAME_MAX];
	struct fp_term terms[FP_MAX_TERMS];
	int nterms, cur;
	long left;  /* hits left in terms[cur] (when counted) */
	unsigned long hits, fired;
};

static pthread_mutex_t fp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fp_point points[FP_MAX_POINTS];
static int npoints;
static atomic_int narmed;

static const struct { const char *name; int value; } errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EDQUOT", EDQUOT }, { "EROFS", EROFS },
	{ "ENOMEM", ENOMEM }, { "EFBIG", EFBIG }, { "EINTR", EINTR }, { "EAGAIN", EAGAIN },
	{ "EBADF", EBADF }, { "ENXIO", ENXIO },
};

static const char *const type_names[] = {
	[FP_OFF] = "off", [FP_ON] = "on", [FP_ERROR] = "error", [FP_SHORT] = "short",
	[FP_TORN] = "torn", [FP_DELAY] = "delay", [FP_CRASH] = "crash",
};

static int parse_long(const char *s, size_t n, long *out)
{
	char buf[32];
	if (n == 0 || n >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno || *end || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_errno(const char *s, size_t n, long *out)
{
	for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
		if (strlen(errnos[i].name) == n && !memcmp(errnos[i].name, s, n)) {
			*out = errnos[i].value;
			return 0;
		}
	return parse_long(s, n, out) == 0 && *out > 0 ? 0 : -EINVAL;
}

/* One term "[count*]type[(arg)]" of exactly n bytes. */
static int parse_term(const char *s, size_t n, struct fp_term *t)
{
	t->count = -1;
	t->arg = 0;
	const char *star = memchr(s, '*', n);
	if (star) {
		if (parse_long(s, (size_t)(star - s), &t->count) || t->count == 0)
			return -EINVAL;
		n -= (size_t)(star - s) + 1;
		s = star + 1;
	}
	const char *open = memchr(s, '(', n);
	size_t tn = open ? (size_t)(open - s) : n;
	int type = -1;
	for (int i = 0; i < (int)(sizeof type_names / sizeof type_names[0]); i++)
		if (strlen(type_names[i]) == tn && !memcmp(type_names[i], s, tn))
			type = i;
	if (type < 0)
		return -EINVAL;
	t->type = (enum fp_type)type;
	int needs_arg = type == FP_ERROR || type == FP_SHORT || type == FP_TORN || type == FP_DELAY;
	if (!open)
		return needs_arg ? -EINVAL : 0;
	if (!needs_arg || s[n - 1] != ')')
		return -EINVAL;
	const char *a = open + 1;
	size_t an = n - tn - 2;
	return type == FP_ERROR ? parse_errno(a, an, &t->arg) : parse_long(a, an, &t->arg);
}

static int parse_spec(const char *spec, struct fp_term *terms, int *nterms)
{
	*nterms = 0;
	const char *s = spec;
	for (;;) {
		const char *arrow = strstr(s, "->");
		size_t n = arrow ? (size_t)(arrow - s) : strlen(s);
		if (*nterms == FP_MAX_TERMS || parse_term(s, n, &terms[*nterms]))
			return -EINVAL;
		(*nterms)++;
		if (!arrow)
			return 0;
		s = arrow + 2;
	}
}

static struct fp_point *find(const char *name)
{
	for (int i = 0; i < npoints; i++)
		if (!strcmp(points[i].name, name))
			return &points[i];
	return NULL;
}

static int is_armed(const struct fp_point *p)
{
	return p->cur < p->nterms;
}

int failpoint_set(const char *name, const char *spec)
{
	if (!name || !*name || strlen(name) >= FP_NAME_MAX || (spec && strlen(spec) >= FP_SPEC_MAX))
		return -EINVAL;
	int off = !spec || !*spec || !strcmp(spec, "off");
	struct fp_term terms[FP_MAX_TERMS] = { { FP_OFF, 0, 0 } };
	int nterms = 0;
	if (!off && parse_spec(spec, terms, &nterms))
		return -EINVAL;
	pthread_mutex_lock(&fp_lock);
	struct fp_point *p = find(name);
	int rc = 0;
	if (!p && !off) {
		if (npoints == FP_MAX_POINTS) {
			rc = -ENOSPC;
			goto out;
		}
		p = &points[npoints++];
		memset(p, 0, sizeof *p);
		snprintf(p->name, sizeof p->name, "%s", name);
		p->cur = p->nterms = 0;
	}
	if (!p)
		goto out;
	int was = is_armed(p);
	memcpy(p->terms, terms, sizeof terms);
	p->nterms = off ? 0 : nterms;
	p->cur = 0;
	p->left = off ? 0 : terms[0].count;
	p->hits = p->fired = 0;
	atomic_fetch_add(&narmed, is_armed(p) - was);
out:
	pthread_mutex_unlock(&fp_lock);
	return rc;
}

void failpoint_clear_all(void)
{
	pthread_mutex_lock(&fp_lock);
	npoints = 0;
	atomic_store(&narmed, 0);
	pthread_mutex_unlock(&fp_lock);
}

int failpoint_set_list(const char *list)
{
	char buf[1024];
	if (!list || strlen(list) >= sizeof buf)
		return -EINVAL;
	snprintf(buf, sizeof buf, "%s", list);
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (eq)
			*eq = 0;
		if (failpoint_set(item, eq ? eq + 1 : "on")) {
			failpoint_clear_all();
			return -EINVAL;
		}
	}
	return 0;
}

void failpoint_init(void)
{
	const char *v = getenv("GREGOR_FAILPOINT");
	if (!v || !*v)
		return;
	if (failpoint_set_list(v))
		log_error("failpoint", "GREGOR_FAILPOINT=%s: malformed, nothing armed", v);
	else
		log_warn("failpoint", "armed: %s", v);
}

static unsigned long counter(const char *name, int fired)
{
	pthread_mutex_lock(&fp_lock);
	struct fp_point *p = find(name);
	unsigned long n = p ? (fired ? p->fired : p->hits) : 0;
	pthread_mutex_unlock(&fp_lock);
	return n;
}

unsigned long failpoint_hits(const char *name)
{
	return counter(name, 0);
}

unsigned long failpoint_fired(const char *name)
{
	return counter(name, 1);
}

/* Consumes one hit of p's current term; returns that term. */
static struct fp_term step(struct fp_point *p)
{
	struct fp_term t = p->terms[p->cur];
	p->hits++;
	if (t.type != FP_OFF)
		p->fired++;
	if (t.count >= 0 && --p->left == 0) {
		p->cur++;
		if (p->cur < p->nterms)
			p->left = p->terms[p->cur].count;
		else
			atomic_fetch_sub(&narmed, 1);
	}
	return t;
}

static enum fp_type eval(const char *name, long *arg, int serve_delay)
{
	if (atomic_load_explicit(&narmed, memory_order_relaxed) == 0)
		return FP_OFF;
	pthread_mutex_lock(&fp_lock);
	struct fp_point *p = find(name);
	struct fp_term t = { FP_OFF, 0, 0 };
	if (p && is_armed(p))
		t = step(p);
	pthread_mutex_unlock(&fp_lock);
	if (t.type == FP_CRASH) {
		log_error("failpoint", "%s: crash", name);
		_exit(FAILPOINT_CRASH_STATUS);
	}
	if (t.type == FP_DELAY && serve_delay) {
		struct timespec ts = { t.arg / 1000, (t.arg % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		return FP_OFF;
	}
	if (arg)
		*arg = t.arg;
	return t.type;
}

enum fp_type failpoint_eval(const char *name, long *arg)
{
	return eval(name, arg, 1);
}

long failpoint_delay(const char *name)
{
	long arg = 0;
	return eval(name, &arg, 0) == FP_DELAY ? arg : 0;
}

int failpoint_error(const char *name)
{
	long arg = 0;
	return failpoint_eval(name, &arg) == FP_ERROR ? -(int)arg : 0;
}

int failpoint_hit(const char *name)
{
	return failpoint_eval(name, NULL) != FP_OFF;
}
