/* Java .properties reader: the format of Kafka's server.properties.
 * Follows java.util.Properties.load: `key=value`, `key:value` or `key value`,
 * `#`/`!` comments, backslash continuation, escapes \t \n \r \f \uXXXX.
 * Knows nothing about what the keys mean; entries keep file order. */
#ifndef GREGOR_PROPERTIES_H
#define GREGOR_PROPERTIES_H

#include <stddef.h>

/* Largest file props_load_file accepts; a config is a few KiB. */
#define PROPS_MAX_FILE (1 << 20)

struct prop {
	char *key;   /* unescaped, NUL-terminated, may be "" */
	char *value; /* unescaped; trailing whitespace kept, as Java does */
	int line;    /* 1-based line where the entry starts */
};

/* A repeated key appears once per occurrence; the last one wins in Java. */
struct props {
	struct prop *v;
	int n, cap;
};

/* Parses len bytes of text, appending to out (which must be zeroed or come
 * from an earlier call). Returns 0, or -1 with "line N: reason" in err; on
 * error out holds the entries before the bad line. */
int props_parse(const char *text, size_t len, struct props *out, char *err,
		size_t errlen);
/* Reads and parses a whole file. Returns 0, or -1 with a message in err. */
int props_load_file(const char *path, struct props *out, char *err, size_t errlen);
/* The value of the last occurrence of key, or NULL. */
const char *props_get(const struct props *p, const char *key);
void props_free(struct props *p);

#endif
