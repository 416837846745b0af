/* The broker status file (see health.h): a few key=value lines in the
 * properties format, written by gregord, read by gregorctl health. */
#include "coord/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/properties.h"

static const char *const state_names[] = { "starting", "running", "shutting_down", "stopped" };

const char *health_state_name(enum health_state s)
{
	return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

int health_proc_start(int64_t pid, int64_t *start_time)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the command name in parentheses (which may hold anything):
	 * state is field 3, starttime field 22 */
	const char *p = strrchr(buf, ')');
	long long st;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %lld", &st) != 1)
		return -1;
	*start_time = st;
	return 0;
}

int health_path(const char *dir, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", dir, HEALTH_FILE_NAME);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int health_write(const char *path, const struct health_status *st)
{
	char tmp[4200];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# gregord's status for gregorctl health; rewritten when it changes\n"
		"pid=%lld\nstart.time=%lld\nbroker.id=%d\nbroker.epoch=%lld\nstate=%s\nzookeeper.connect=%s\n",
		(long long)st->pid, (long long)st->start_time, st->broker_id, (long long)st->broker_epoch,
		health_state_name(st->state), st->zk_connect);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		return -e;
	}
	return rename(tmp, path) < 0 ? -errno : 0;
}

static int parse_i64(const char *s, int64_t min, int64_t *out)
{
	char *e;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (!*s || *e || errno || v < min)
		return -1;
	*out = v;
	return 0;
}

/* One line of the file into out; 0, or -1 for a bad value. */
static int health_field(const char *key, const char *value, struct health_status *out,
			unsigned *seen)
{
	int64_t v;
	if (strcmp(key, "pid") == 0) {
		*seen |= 1;
		return parse_i64(value, 1, &out->pid);
	}
	if (strcmp(key, "start.time") == 0) {
		*seen |= 32;
		return parse_i64(value, 0, &out->start_time);
	}
	if (strcmp(key, "broker.id") == 0) {
		*seen |= 2;
		if (parse_i64(value, 0, &v) < 0 || v > INT32_MAX)
			return -1;
		out->broker_id = (int32_t)v;
		return 0;
	}
	if (strcmp(key, "broker.epoch") == 0) {
		*seen |= 4;
		return parse_i64(value, -1, &out->broker_epoch);
	}
	if (strcmp(key, "state") == 0) {
		*seen |= 8;
		for (size_t i = 0; i < sizeof state_names / sizeof *state_names; i++)
			if (strcmp(value, state_names[i]) == 0) {
				out->state = (enum health_state)i;
				return 0;
			}
		return -1;
	}
	if (strcmp(key, "zookeeper.connect") == 0) {
		*seen |= 16;
		size_t n = strlen(value);
		if (n == 0 || n >= sizeof out->zk_connect)
			return -1;
		memcpy(out->zk_connect, value, n + 1);
	}
	return 0; /* unknown keys: a newer writer; ignore */
}

int health_read(const char *path, struct health_status *out, char *err, size_t errlen)
{
	struct props p = { 0 };
	memset(out, 0, sizeof *out);
	if (props_load_file(path, &p, err, errlen) < 0)
		return -1;
	unsigned seen = 0;
	int rc = 0;
	for (int i = 0; rc == 0 && i < p.n; i++)
		if (health_field(p.v[i].key, p.v[i].value, out, &seen) < 0) {
			snprintf(err, errlen, "%s: line %d: bad value for %s", path, p.v[i].line,
				 p.v[i].key);
			rc = -1;
		}
	if (rc == 0 && seen != 63) {
		snprintf(err, errlen, "%s: incomplete (pid, start.time, broker.id, broker.epoch, "
			 "state and zookeeper.connect are all required)", path);
		rc = -1;
	}
	props_free(&p);
	return rc;
}
