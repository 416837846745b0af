/* Java .properties reader (see properties.h). The text is untrusted: every
 * index is checked against its length, escapes never write past the output
 * (unescaped text is never longer than its source), NUL bytes are refused. */
#include "common/properties.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *text;
	size_t len, pos;
	int line; /* line number of text[pos] */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

static int is_eol(char c)
{
	return c == '\n' || c == '\r';
}

static void set_err(char *err, size_t errlen, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_err(char *err, size_t errlen, int line, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	int n = snprintf(err, errlen, "line %d: ", line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void skip_blanks(struct cursor *c)
{
	while (c->pos < c->len && is_blank(c->text[c->pos]))
		c->pos++;
}

/* Consumes one terminator (\n, \r or \r\n) if present. */
static void skip_eol(struct cursor *c)
{
	if (c->pos >= c->len)
		return;
	if (c->text[c->pos] == '\r' && c->pos + 1 < c->len && c->text[c->pos + 1] == '\n')
		c->pos++;
	c->pos++;
	c->line++;
}

/* Appends the rest of the natural line to buf (holding *n bytes) and consumes
 * it with its terminator. Returns 1 if it ended in an unescaped backslash
 * (continuation; the backslash is dropped), 0 if not, -1 on a NUL byte. */
static int take_natural_line(struct cursor *c, char *buf, size_t *n)
{
	size_t start = c->pos;
	while (c->pos < c->len && !is_eol(c->text[c->pos])) {
		if (c->text[c->pos] == '\0')
			return -1;
		c->pos++;
	}
	size_t end = c->pos, slashes = 0;
	while (end - slashes > start && c->text[end - slashes - 1] == '\\')
		slashes++;
	int cont = slashes % 2 == 1;
	size_t take = end - start - (size_t)cont;
	memcpy(buf + *n, c->text + start, take);
	*n += take;
	skip_eol(c);
	return cont;
}

/* Reads one logical line (comments and blank lines skipped, continuations
 * joined) into buf, which has room for the whole text. Returns 1 with *n and
 * *line set, 0 at end of text, -1 on error. */
static int read_logical_line(struct cursor *c, char *buf, size_t *n, int *line,
			     char *err, size_t errlen)
{
	for (;;) {
		skip_blanks(c);
		if (c->pos >= c->len)
			return 0;
		char ch = c->text[c->pos];
		if (is_eol(ch)) {
			skip_eol(c);
			continue;
		}
		*line = c->line;
		if (ch == '#' || ch == '!') { /* a comment never continues */
			while (c->pos < c->len && !is_eol(c->text[c->pos]))
				c->pos++;
			skip_eol(c);
			continue;
		}
		break;
	}
	*n = 0;
	int cont;
	while ((cont = take_natural_line(c, buf, n)) == 1 && c->pos < c->len)
		skip_blanks(c); /* leading blanks of a continuation line are dropped */
	if (cont < 0) {
		set_err(err, errlen, c->line, "NUL byte in text");
		return -1;
	}
	return 1;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Reads "XXXX" (after "\u") at s[*i]; returns the code unit or -1. */
static long read_u16(const char *s, size_t len, size_t *i)
{
	if (len - *i < 4)
		return -1;
	long v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hex_val(s[*i + (size_t)k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	*i += 4;
	return v;
}

static size_t put_utf8(char *out, long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes \uXXXX (a surrogate pair takes two) at s[*i], just past "\u".
 * Returns the code point, or -1 with a reason. */
static long read_code_point(const char *s, size_t len, size_t *i, const char **why)
{
	long hi = read_u16(s, len, i);
	if (hi < 0) {
		*why = "malformed \\uXXXX escape";
		return -1;
	}
	if (hi == 0) {
		*why = "\\u0000 is not allowed";
		return -1;
	}
	if (hi >= 0xDC00 && hi <= 0xDFFF) {
		*why = "unpaired surrogate in \\uXXXX escape";
		return -1;
	}
	if (hi < 0xD800 || hi > 0xDBFF)
		return hi;
	size_t j = *i;
	long lo = -1;
	if (len - j >= 2 && s[j] == '\\' && s[j + 1] == 'u') {
		j += 2;
		lo = read_u16(s, len, &j);
	}
	if (lo < 0xDC00 || lo > 0xDFFF) {
		*why = "unpaired surrogate in \\uXXXX escape";
		return -1;
	}
	*i = j;
	return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* Unescapes s[0..len) into a new string. NULL with *why set on error. */
static char *unescape(const char *s, size_t len, const char **why)
{
	char *out = malloc(len + 1); /* escapes only ever shrink */
	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	size_t o = 0, i = 0;
	while (i < len) {
		char ch = s[i++];
		if (ch != '\\') {
			out[o++] = ch;
			continue;
		}
		if (i >= len) /* a lone trailing backslash is dropped, as in Java */
			break;
		ch = s[i++];
		switch (ch) {
		case 't': out[o++] = '\t'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 'f': out[o++] = '\f'; break;
		case 'u': {
			long cp = read_code_point(s, len, &i, why);
			if (cp < 0) {
				free(out);
				return NULL;
			}
			o += put_utf8(out + o, cp);
			break;
		}
		default: out[o++] = ch; break;
		}
	}
	out[o] = '\0';
	return out;
}

/* Where the key of a logical line ends: the first unescaped '=', ':' or
 * blank. */
static size_t key_end(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == '=' || s[i] == ':' || is_blank(s[i]))
			return i;
		i++;
	}
	return len;
}

/* Start of the value: blanks, at most one '=' or ':', blanks. */
static size_t value_start(const char *s, size_t len, size_t i)
{
	while (i < len && is_blank(s[i]))
		i++;
	if (i < len && (s[i] == '=' || s[i] == ':'))
		i++;
	while (i < len && is_blank(s[i]))
		i++;
	return i;
}

static int props_push(struct props *p, char *key, char *value, int line)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 16;
		struct prop *v = realloc(p->v, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct prop){ key, value, line };
	return 0;
}

static int add_entry(struct props *out, const char *s, size_t len, int line,
		     char *err, size_t errlen)
{
	size_t ke = key_end(s, len);
	if (ke > len) /* the key ended in an escaping backslash */
		ke = len;
	size_t vs = value_start(s, len, ke);
	const char *why = NULL;
	char *key = unescape(s, ke, &why);
	char *value = key ? unescape(s + vs, len - vs, &why) : NULL;
	if (!key || !value || props_push(out, key, value, line) < 0) {
		free(key);
		free(value);
		set_err(err, errlen, line, "%s", why ? why : "out of memory");
		return -1;
	}
	return 0;
}

int props_parse(const char *text, size_t len, struct props *out, char *err,
		size_t errlen)
{
	struct cursor c = { text, len, 0, 1 };
	char *buf = malloc(len + 1);
	if (!buf) {
		set_err(err, errlen, 1, "out of memory");
		return -1;
	}
	int rc = 0;
	for (;;) {
		size_t n = 0;
		int line = 0;
		int r = read_logical_line(&c, buf, &n, &line, err, errlen);
		if (r <= 0) {
			rc = r;
			break;
		}
		if (add_entry(out, buf, n, line, err, errlen) < 0) {
			rc = -1;
			break;
		}
	}
	free(buf);
	return rc;
}

static int read_whole_file(const char *path, char **text, size_t *len, char *err,
			   size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	char *buf = malloc(PROPS_MAX_FILE + 1);
	size_t n = buf ? fread(buf, 1, PROPS_MAX_FILE + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!buf || bad || n > PROPS_MAX_FILE) {
		snprintf(err, errlen, "%s", !buf ? "out of memory"
					    : bad ? "read error"
						  : "file larger than 1 MiB");
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

int props_load_file(const char *path, struct props *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	if (read_whole_file(path, &text, &len, err, errlen) < 0)
		return -1;
	int rc = props_parse(text, len, out, err, errlen);
	free(text);
	return rc;
}

const char *props_get(const struct props *p, const char *key)
{
	for (int i = p->n - 1; i >= 0; i--)
		if (strcmp(p->v[i].key, key) == 0)
			return p->v[i].value;
	return NULL;
}

void props_free(struct props *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}
