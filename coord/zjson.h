/* Tiny bounded JSON reader and writer for znode contents.
 *
 * The reader tokenizes a buffer into a flat token array (no allocation per
 * value, depth limited); values are looked up by key and read with range
 * checks. Znode data is untrusted: every accessor fails cleanly on a wrong
 * type, an overlong string or a number out of range.
 */
#ifndef GREGOR_ZJSON_H
#define GREGOR_ZJSON_H

#include <stddef.h>
#include <stdint.h>

enum zj_type { ZJ_OBJ = 1, ZJ_ARR, ZJ_STR, ZJ_NUM, ZJ_TRUE, ZJ_FALSE, ZJ_NULL };

/* A token covers [start, end) of the input (strings without quotes).
 * next = index of the first token after this value's subtree;
 * count = elements of an array, or key/value pairs of an object (an object's
 * children alternate key, value). */
struct zj_tok {
	uint8_t type;
	int32_t start, end;
	int32_t next;
	int32_t count;
};

struct zjson {
	const char *s;
	size_t len;
	struct zj_tok *t;
	int n;
};

#define ZJ_MAX_DEPTH 32

/* Parses s[0..len) (need not be NUL-terminated). Returns 0, or -EINVAL on
 * malformed input, -ENOMEM. Free with zj_free. On error nothing to free. */
int zj_parse(struct zjson *j, const char *s, size_t len);
void zj_free(struct zjson *j);

/* Value of key in the object at token obj; -1 if absent or obj not an object. */
int zj_get(const struct zjson *j, int obj, const char *key);
/* The i-th element of an array, -1 if out of range. */
int zj_at(const struct zjson *j, int arr, int i);
int zj_type(const struct zjson *j, int tok);
/* Integer from a number token or a string holding a decimal integer (Kafka
 * writes some numbers as strings). 0 or -EINVAL (wrong type, fraction,
 * out of [min, max]). */
int zj_int(const struct zjson *j, int tok, int64_t min, int64_t max, int64_t *out);
/* Copies a string token, unescaped, NUL-terminated. 0 or -EINVAL (not a
 * string, does not fit, or contains NUL). */
int zj_str(const struct zjson *j, int tok, char *out, size_t cap);
/* Raw key bytes of an object member: for iterating over maps. */
int zj_key_eq(const struct zjson *j, int key, const char *s);

/* Growable output buffer; oom sticks once set. */
struct zbuf {
	char *p;
	size_t len, cap;
	int oom;
};

void zb_init(struct zbuf *b);
void zb_free(struct zbuf *b);
void zb_puts(struct zbuf *b, const char *s);
void zb_printf(struct zbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string literal with quotes and escapes. */
void zb_jstr(struct zbuf *b, const char *s);

#endif
