/* gregorctl's text parsers with no I/O (unit-tested in
 * tests/unit/test_gctl_text.c): kafka-consumer-groups' --to-datetime and
 * --by-duration, and kafka-configs' --add-config list. Input is what an
 * operator typed: anything malformed is refused, never half-read. */
#include "coord/gregorctl/gctl_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t gctl_parse_datetime(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!e)
		return -1;
	int64_t ms = 0;
	if (*e == '.') {
		int digits = 0;
		for (e++; *e >= '0' && *e <= '9'; e++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*e - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	time_t t;
	if (*e == 0) {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if (*e == 'Z' && e[1] == 0) {
		t = timegm(&tm);
	} else if ((*e == '+' || *e == '-') && strlen(e) == 6 && e[3] == ':' &&
		   strspn(e + 1, "0123456789") == 2 && strspn(e + 4, "0123456789") == 2) {
		int hh = (e[1] - '0') * 10 + (e[2] - '0'), mm = (e[4] - '0') * 10 + (e[5] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		t = timegm(&tm) - (*e == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
	} else {
		return -1;
	}
	return t < 0 ? -1 : (int64_t)t * 1000 + ms;
}

int64_t gctl_parse_duration(const char *s)
{
	if (*s++ != 'P' || !*s)
		return -1;
	int64_t total = 0;
	int in_time = 0, any = 0;
	while (*s) {
		if (*s == 'T' && !in_time) {
			in_time = 1;
			s++;
			if (!*s)
				return -1; /* "PT" names no time */
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		char *e;
		double v = strtod(s, &e);
		if (e == s || v < 0 || v > 1e12)
			return -1;
		double unit = *e == 'D' && !in_time ? 86400e3 : *e == 'H' && in_time ? 3600e3 :
			      *e == 'M' && in_time ? 60e3 : *e == 'S' && in_time ? 1e3 : 0;
		if (unit == 0)
			return -1;
		total += (int64_t)(v * unit);
		any = 1;
		s = e + 1;
	}
	return any ? total : -1;
}

int gctl_split_configs(char *s, char **keys, char **values, int max, const char **why)
{
	int n = 0;
	*why = NULL;
	while (*s) {
		char *k = s, *eq = strchr(s, '=');
		char *comma = strchr(s, ',');
		if (!eq || eq == k || (comma && comma < eq)) {
			*why = "an entry is not key=value";
			return -1;
		}
		*eq = 0;
		char *v = eq + 1, *end = v;
		int depth = 0;
		for (; *end && (depth > 0 || *end != ','); end++)
			depth += *end == '[' ? 1 : *end == ']' ? -1 : 0;
		if (depth != 0) {
			*why = "unbalanced [ ]";
			return -1;
		}
		if (*end)
			*end++ = 0;
		size_t vl = strlen(v);
		if (vl >= 2 && v[0] == '[' && v[vl - 1] == ']') {
			v[vl - 1] = 0;
			v++;
		}
		if (n == max) {
			*why = "too many keys";
			return -1;
		}
		keys[n] = k;
		values[n++] = v;
		s = end;
	}
	return n;
}
