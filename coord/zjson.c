/* Bounded JSON tokenizer (recursive descent, depth-limited) and a small
 * string builder. Tokens never exceed (len+1)/2 + 1 because every token but
 * the first is preceded by a separator byte, so one allocation suffices. */
#include "coord/zjson.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zj_parser {
	struct zjson *j;
	size_t pos;
	int cap;
};

static void zj_skip_ws(struct zj_parser *p)
{
	while (p->pos < p->j->len) {
		char c = p->j->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int zj_new_tok(struct zj_parser *p, int type)
{
	if (p->j->n >= p->cap)
		return -EINVAL;
	int i = p->j->n++;
	struct zj_tok *t = &p->j->t[i];
	memset(t, 0, sizeof *t);
	t->type = (uint8_t)type;
	t->start = (int32_t)p->pos;
	return i;
}

static int zj_value(struct zj_parser *p, int depth);

static int zj_string(struct zj_parser *p)
{
	const char *s = p->j->s;
	p->pos++; /* opening quote */
	int i = zj_new_tok(p, ZJ_STR);
	if (i < 0)
		return i;
	while (p->pos < p->j->len) {
		char c = s[p->pos];
		if (c == '"') {
			p->j->t[i].end = (int32_t)p->pos;
			p->pos++;
			p->j->t[i].next = p->j->n;
			return i;
		}
		if ((unsigned char)c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (p->pos + 1 >= p->j->len)
				return -EINVAL;
			p->pos++;
		}
		p->pos++;
	}
	return -EINVAL;
}

static int zj_literal(struct zj_parser *p)
{
	static const struct { const char *w; int type; } lits[] = {
		{ "true", ZJ_TRUE }, { "false", ZJ_FALSE }, { "null", ZJ_NULL },
	};
	for (size_t k = 0; k < sizeof lits / sizeof lits[0]; k++) {
		size_t wl = strlen(lits[k].w);
		if (p->j->len - p->pos >= wl &&
		    memcmp(p->j->s + p->pos, lits[k].w, wl) == 0) {
			int i = zj_new_tok(p, lits[k].type);
			if (i < 0)
				return i;
			p->pos += wl;
			p->j->t[i].end = (int32_t)p->pos;
			p->j->t[i].next = p->j->n;
			return i;
		}
	}
	return -EINVAL;
}

static int zj_number(struct zj_parser *p)
{
	int i = zj_new_tok(p, ZJ_NUM);
	if (i < 0)
		return i;
	size_t st = p->pos;
	while (p->pos < p->j->len &&
	       strchr("+-0123456789.eE", p->j->s[p->pos]) && p->j->s[p->pos])
		p->pos++;
	if (p->pos == st)
		return -EINVAL;
	p->j->t[i].end = (int32_t)p->pos;
	p->j->t[i].next = p->j->n;
	return i;
}

/* Parses elements of an array or members of an object after the opener. */
static int zj_container(struct zj_parser *p, int depth, int is_obj)
{
	int i = zj_new_tok(p, is_obj ? ZJ_OBJ : ZJ_ARR);
	if (i < 0)
		return i;
	char close = is_obj ? '}' : ']';
	p->pos++;
	zj_skip_ws(p);
	if (p->pos < p->j->len && p->j->s[p->pos] == close) {
		p->pos++;
		goto done;
	}
	for (;;) {
		zj_skip_ws(p);
		if (is_obj) {
			if (p->pos >= p->j->len || p->j->s[p->pos] != '"')
				return -EINVAL;
			if (zj_string(p) < 0)
				return -EINVAL;
			zj_skip_ws(p);
			if (p->pos >= p->j->len || p->j->s[p->pos] != ':')
				return -EINVAL;
			p->pos++;
		}
		if (zj_value(p, depth + 1) < 0)
			return -EINVAL;
		p->j->t[i].count++;
		zj_skip_ws(p);
		if (p->pos >= p->j->len)
			return -EINVAL;
		char c = p->j->s[p->pos++];
		if (c == close)
			break;
		if (c != ',')
			return -EINVAL;
	}
done:
	p->j->t[i].end = (int32_t)p->pos;
	p->j->t[i].next = p->j->n;
	return i;
}

static int zj_value(struct zj_parser *p, int depth)
{
	if (depth > ZJ_MAX_DEPTH)
		return -EINVAL;
	zj_skip_ws(p);
	if (p->pos >= p->j->len)
		return -EINVAL;
	char c = p->j->s[p->pos];
	if (c == '{' || c == '[')
		return zj_container(p, depth, c == '{');
	if (c == '"')
		return zj_string(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return zj_number(p);
	return zj_literal(p);
}

int zj_parse(struct zjson *j, const char *s, size_t len)
{
	memset(j, 0, sizeof *j);
	if (!s || len == 0 || len > (64u << 20))
		return -EINVAL;
	struct zj_parser p = { .j = j, .pos = 0, .cap = (int)((len + 1) / 2 + 1) };
	j->s = s;
	j->len = len;
	j->t = calloc((size_t)p.cap, sizeof *j->t);
	if (!j->t)
		return -ENOMEM;
	int rc = zj_value(&p, 0);
	zj_skip_ws(&p);
	if (rc < 0 || p.pos != len) {
		zj_free(j);
		return -EINVAL;
	}
	return 0;
}

void zj_free(struct zjson *j)
{
	free(j->t);
	j->t = NULL;
	j->n = 0;
}

int zj_type(const struct zjson *j, int tok)
{
	if (tok < 0 || tok >= j->n)
		return 0;
	return j->t[tok].type;
}

int zj_key_eq(const struct zjson *j, int key, const char *s)
{
	if (zj_type(j, key) != ZJ_STR)
		return 0;
	size_t l = strlen(s);
	const struct zj_tok *t = &j->t[key];
	return (size_t)(t->end - t->start) == l &&
	       memcmp(j->s + t->start, s, l) == 0;
}

int zj_get(const struct zjson *j, int obj, const char *key)
{
	if (zj_type(j, obj) != ZJ_OBJ)
		return -1;
	int k = obj + 1;
	for (int m = 0; m < j->t[obj].count && k + 1 < j->n; m++) {
		if (zj_key_eq(j, k, key))
			return k + 1;
		k = j->t[k + 1].next;
	}
	return -1;
}

int zj_at(const struct zjson *j, int arr, int idx)
{
	if (zj_type(j, arr) != ZJ_ARR || idx < 0 || idx >= j->t[arr].count)
		return -1;
	int k = arr + 1;
	for (int m = 0; m < idx; m++)
		k = j->t[k].next;
	return k;
}

int zj_int(const struct zjson *j, int tok, int64_t min, int64_t max, int64_t *out)
{
	int type = zj_type(j, tok);
	if (type != ZJ_NUM && type != ZJ_STR)
		return -EINVAL;
	const struct zj_tok *t = &j->t[tok];
	size_t l = (size_t)(t->end - t->start);
	char tmp[24];
	if (l == 0 || l >= sizeof tmp)
		return -EINVAL;
	memcpy(tmp, j->s + t->start, l);
	tmp[l] = 0;
	size_t k = tmp[0] == '-' ? 1 : 0;
	if (k == l)
		return -EINVAL;
	for (; k < l; k++)
		if (tmp[k] < '0' || tmp[k] > '9')
			return -EINVAL;
	errno = 0;
	long long v = strtoll(tmp, NULL, 10);
	if (errno || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int zj_hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -EINVAL;
	}
	*out = v;
	return 0;
}

int zj_str(const struct zjson *j, int tok, char *out, size_t cap)
{
	if (zj_type(j, tok) != ZJ_STR || cap == 0)
		return -EINVAL;
	const struct zj_tok *t = &j->t[tok];
	size_t o = 0;
	for (int32_t k = t->start; k < t->end; k++) {
		char c = j->s[k];
		if (c == '\\') {
			/* the tokenizer guarantees a byte follows a backslash */
			char e = j->s[++k];
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned u;
				if (t->end - k < 5 || zj_hex4(j->s + k + 1, &u))
					return -EINVAL;
				k += 4;
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			default: c = e; break;
			}
		}
		if (c == 0 || o + 1 >= cap)
			return -EINVAL;
		out[o++] = c;
	}
	out[o] = 0;
	return 0;
}

void zb_init(struct zbuf *b)
{
	memset(b, 0, sizeof *b);
}

void zb_free(struct zbuf *b)
{
	free(b->p);
	zb_init(b);
}

static int zb_grow(struct zbuf *b, size_t need)
{
	if (b->oom)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 128;
	while (cap < b->len + need + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void zb_puts(struct zbuf *b, const char *s)
{
	size_t l = strlen(s);
	if (zb_grow(b, l))
		return;
	memcpy(b->p + b->len, s, l + 1);
	b->len += l;
}

void zb_printf(struct zbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		b->oom = 1; /* only short fragments are formatted */
		return;
	}
	zb_puts(b, tmp);
}

void zb_jstr(struct zbuf *b, const char *s)
{
	zb_puts(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[3] = { '\\', (char)c, 0 };
			zb_puts(b, e);
		} else if (c < 0x20) {
			zb_printf(b, "\\u%04x", c);
		} else {
			char e[2] = { (char)c, 0 };
			zb_puts(b, e);
		}
	}
	zb_puts(b, "\"");
}
