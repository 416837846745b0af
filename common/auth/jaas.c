/* JAAS configuration text (see jaas.h): a small tokenizer (words, quoted
 * strings, '=' and ';', comments) and the module grammar on top of it. */
#include "common/auth/jaas.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { TOK_END, TOK_WORD, TOK_STRING, TOK_EQ, TOK_SEMI, TOK_BAD };

struct tokenizer {
	const char *p, *start;
	char *text; /* the last word or string, malloc'd */
	const char *why;
};

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '$' || c == '.';
}

static void skip_space(struct tokenizer *t)
{
	for (;;) {
		while (isspace((unsigned char)*t->p))
			t->p++;
		if (t->p[0] == '/' && t->p[1] == '/') {
			t->p += strcspn(t->p, "\n");
		} else if (t->p[0] == '/' && t->p[1] == '*') {
			const char *e = strstr(t->p + 2, "*/");
			t->p = e ? e + 2 : t->p + strlen(t->p);
		} else {
			return;
		}
	}
}

/* A quoted string at t->p (its quote char); escapes \n \t \r \\ \" \'. */
static enum tok_kind read_string(struct tokenizer *t)
{
	char q = *t->p++;
	size_t cap = strlen(t->p) + 1, o = 0;
	char *s = malloc(cap);
	if (!s) {
		t->why = "out of memory";
		return TOK_BAD;
	}
	for (; *t->p && *t->p != q; t->p++) {
		char c = *t->p;
		if (c == '\\' && t->p[1]) {
			c = *++t->p;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		s[o++] = c;
	}
	if (*t->p != q) {
		free(s);
		t->why = "unterminated quoted string";
		return TOK_BAD;
	}
	t->p++;
	s[o] = 0;
	t->text = s;
	return TOK_STRING;
}

static enum tok_kind next_token(struct tokenizer *t)
{
	free(t->text);
	t->text = NULL;
	skip_space(t);
	char c = *t->p;
	if (!c)
		return TOK_END;
	if (c == '=' || c == ';') {
		t->p++;
		return c == '=' ? TOK_EQ : TOK_SEMI;
	}
	if (c == '"' || c == '\'')
		return read_string(t);
	if (!word_char(c)) {
		t->why = "unexpected character";
		return TOK_BAD;
	}
	const char *s = t->p;
	while (word_char(*t->p))
		t->p++;
	t->text = strndup(s, (size_t)(t->p - s));
	if (!t->text) {
		t->why = "out of memory";
		return TOK_BAD;
	}
	return TOK_WORD;
}

static int set_err(struct tokenizer *t, char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "sasl.jaas.config: %s at offset %d", why, (int)(t->p - t->start));
	return -1;
}

static int module_add_option(struct jaas_module *m, char *key, char *value)
{
	struct jaas_option *o = realloc(m->opts, ((size_t)m->nopts + 1) * sizeof *o);
	if (!o)
		return -1;
	m->opts = o;
	o[m->nopts].key = key;
	o[m->nopts].value = value;
	m->nopts++;
	return 0;
}

static void module_free(struct jaas_module *m)
{
	for (int i = 0; i < m->nopts; i++) {
		free(m->opts[i].key);
		free(m->opts[i].value);
	}
	free(m->opts);
	free(m->name);
	free(m->flag);
}

static int flag_valid(char *flag)
{
	for (char *p = flag; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return strcmp(flag, "required") == 0 || strcmp(flag, "requisite") == 0 ||
	       strcmp(flag, "sufficient") == 0 || strcmp(flag, "optional") == 0;
}

/* The options of one module up to its ';'. 0 or -1 (err set). */
static int parse_options(struct tokenizer *t, struct jaas_module *m, char *err, size_t errlen)
{
	for (;;) {
		enum tok_kind k = next_token(t);
		if (k == TOK_SEMI)
			return 0;
		if (k != TOK_WORD)
			return set_err(t, err, errlen, k == TOK_BAD ? t->why
						      : "expected an option name or ';'");
		char *key = t->text;
		t->text = NULL;
		if (next_token(t) != TOK_EQ) {
			free(key);
			return set_err(t, err, errlen, "expected '=' after an option name");
		}
		k = next_token(t);
		if (k != TOK_WORD && k != TOK_STRING) {
			free(key);
			return set_err(t, err, errlen, k == TOK_BAD ? t->why
						      : "expected an option value");
		}
		char *value = t->text;
		t->text = NULL;
		if (module_add_option(m, key, value) < 0) {
			free(key);
			free(value);
			return set_err(t, err, errlen, "out of memory");
		}
	}
}

static int parse_module(struct tokenizer *t, struct jaas_module *m, char *err, size_t errlen)
{
	m->name = t->text;
	t->text = NULL;
	if (next_token(t) != TOK_WORD)
		return set_err(t, err, errlen, "expected a control flag after the login module");
	m->flag = t->text;
	t->text = NULL;
	if (!flag_valid(m->flag))
		return set_err(t, err, errlen, "invalid control flag (required, requisite, "
					       "sufficient or optional)");
	return parse_options(t, m, err, errlen);
}

int jaas_parse(const char *text, struct jaas_config *out, char *err, size_t errlen)
{
	struct tokenizer t = { text ? text : "", text ? text : "", NULL, NULL };
	memset(out, 0, sizeof *out);
	int rc = 0;
	for (;;) {
		enum tok_kind k = next_token(&t);
		if (k == TOK_END)
			break;
		if (k != TOK_WORD) {
			rc = set_err(&t, err, errlen, k == TOK_BAD ? t.why : "expected a login module");
			break;
		}
		struct jaas_module *mods = realloc(out->mods, ((size_t)out->nmods + 1) * sizeof *mods);
		if (!mods) {
			rc = set_err(&t, err, errlen, "out of memory");
			break;
		}
		out->mods = mods;
		memset(&mods[out->nmods], 0, sizeof *mods);
		out->nmods++;
		if ((rc = parse_module(&t, &mods[out->nmods - 1], err, errlen)) < 0)
			break;
	}
	free(t.text);
	if (rc == 0 && out->nmods == 0)
		rc = set_err(&t, err, errlen, "no login module");
	if (rc < 0)
		jaas_free(out);
	return rc;
}

void jaas_free(struct jaas_config *c)
{
	for (int i = 0; i < c->nmods; i++)
		module_free(&c->mods[i]);
	free(c->mods);
	c->mods = NULL;
	c->nmods = 0;
}

const char *jaas_option(const struct jaas_module *m, const char *key)
{
	for (int i = m->nopts - 1; i >= 0; i--)
		if (strcmp(m->opts[i].key, key) == 0)
			return m->opts[i].value;
	return NULL;
}
