/* SASL on the broker (see sasl.h). Invariants: a session in AUTH_TOKENS or
 * AUTH_RAW_TOKENS owns a struct sasl_exchange in s->mech; every failure
 * leaves the session AUTH_FAILED, and the server closes such a connection
 * once the answer is queued; unknown users and wrong passwords fail with
 * the same message at the same step. */
#include "broker/auth/sasl.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "common/auth/jaas.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/strmap.h"

#define MOD "sasl"
#define SASL_NMECH 3

static const char *const mech_names[SASL_NMECH] = { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" };

struct sasl_listener {
	char name[32];
	unsigned mechs;
	struct jaas_config plain;        /* PLAIN users (user_<name> options) */
	const struct jaas_module *plain_mod;
	int64_t reauth_ms[SASL_NMECH];   /* connections.max.reauth.ms per mechanism */
};

struct user_creds {
	int has[SCRAM_NMECH];
	struct scram_cred cred[SCRAM_NMECH];
};

struct sasl_ctx {
	struct sasl_listener lst[BROKER_MAX_LISTENERS];
	int nlst;
	struct strmap users;             /* user name -> struct user_creds */
	uint8_t fake_secret[32];         /* salts of unknown users */
	struct sasl_client_conf ib;      /* inter-broker identity */
	int have_ib;
};

/* One SASL exchange in progress on a session. */
struct sasl_exchange {
	int mech;        /* index into mech_names */
	int reauth;      /* re-authentication of an authenticated session */
	int steps;
	struct scram_server scram;
	char detail[128]; /* why the last SCRAM step failed */
};

static int mech_index(const char *name, size_t len)
{
	for (int i = 0; i < SASL_NMECH; i++)
		if (strlen(mech_names[i]) == len && memcmp(mech_names[i], name, len) == 0)
			return i;
	return -1;
}

int sasl_mechanism_names(unsigned bits, const char **names, int max)
{
	int n = 0;
	for (int i = 0; i < SASL_NMECH && n < max; i++)
		if (bits & (1u << i))
			names[n++] = mech_names[i];
	return n;
}

/* ---- configuration ---- */

static void lower_copy(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = 0;
}

/* listener.name.<listener>.<rest>, Kafka's lower-case prefix. */
static const char *listener_key(const struct broker *b, const char *listener, const char *rest,
				char *key, size_t cap)
{
	char l[32];
	lower_copy(l, sizeof l, listener);
	snprintf(key, cap, "listener.name.%s.%s", l, rest);
	return broker_config_extra(b->cfg, key);
}

/* The JAAS text for a listener and mechanism, and the key it came from. */
static const char *jaas_text(const struct broker *b, const char *listener, const char *mech,
			     char *key, size_t cap)
{
	char rest[96], m[32];
	lower_copy(m, sizeof m, mech);
	snprintf(rest, sizeof rest, "%s.sasl.jaas.config", m);
	const char *v = listener_key(b, listener, rest, key, cap);
	if (!v)
		v = listener_key(b, listener, "sasl.jaas.config", key, cap);
	if (!v && b->cfg->sasl_jaas_config) {
		snprintf(key, cap, "sasl.jaas.config");
		v = b->cfg->sasl_jaas_config;
	}
	return v;
}

/* Parses a comma list of mechanisms into bits; -1 naming the bad one. */
static int parse_mechanisms(const char *list, unsigned *bits, char *bad, size_t badcap)
{
	*bits = 0;
	for (const char *p = list ? list : ""; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (n == 0)
			break;
		int i = mech_index(p, n);
		if (i < 0) {
			snprintf(bad, badcap, "%.*s", (int)n, p);
			return -1;
		}
		*bits |= 1u << i;
		p += n;
	}
	return 0;
}

static struct sasl_listener *listener_find(struct sasl_ctx *x, const char *name)
{
	for (int i = 0; i < x->nlst; i++)
		if (strcmp(x->lst[i].name, name) == 0)
			return &x->lst[i];
	return NULL;
}

static int setup_plain(struct broker *b, struct sasl_listener *sl, char *err, size_t errlen)
{
	char key[160], jerr[200];
	const char *text = jaas_text(b, sl->name, "PLAIN", key, sizeof key);
	if (!text) {
		snprintf(err, errlen, "listener %s enables PLAIN but has no JAAS config "
			 "(listener.name.<listener>.plain.sasl.jaas.config or sasl.jaas.config)",
			 sl->name);
		return -1;
	}
	if (jaas_parse(text, &sl->plain, jerr, sizeof jerr) < 0) {
		snprintf(err, errlen, "%s: %s", key, jerr);
		return -1;
	}
	for (int i = 0; i < sl->plain.nmods; i++)
		if (strcmp(sl->plain.mods[i].name, JAAS_PLAIN_MODULE) == 0)
			sl->plain_mod = &sl->plain.mods[i];
	if (!sl->plain_mod) {
		snprintf(err, errlen, "%s: no " JAAS_PLAIN_MODULE " login module", key);
		return -1;
	}
	int users = 0;
	for (int i = 0; i < sl->plain_mod->nopts; i++)
		users += strncmp(sl->plain_mod->opts[i].key, "user_", 5) == 0;
	log_info(MOD, "listener %s: PLAIN with %d user(s) from %s", sl->name, users, key);
	return 0;
}

static int64_t reauth_ms_for(const struct broker *b, const char *listener, const char *mech)
{
	char key[160], rest[96], m[32];
	lower_copy(m, sizeof m, mech);
	snprintf(rest, sizeof rest, "%s.connections.max.reauth.ms", m);
	const char *v = listener_key(b, listener, rest, key, sizeof key);
	if (!v)
		v = listener_key(b, listener, "connections.max.reauth.ms", key, sizeof key);
	if (v) {
		char *end;
		long long ms = strtoll(v, &end, 10);
		if (*v && !*end && ms >= 0)
			return ms;
		log_warn(MOD, "%s=%s is not a valid duration: using connections.max.reauth.ms",
			 key, v);
	}
	return b->cfg->connections_max_reauth_ms;
}

int sasl_listener_setup(struct broker *b, struct listener_rt *l, char *err, size_t errlen)
{
	struct sasl_ctx *x = b->sasl;
	if (!sec_protocol_is_sasl(l->protocol))
		return 0;
	if (!x || x->nlst == BROKER_MAX_LISTENERS) {
		snprintf(err, errlen, "SASL context missing");
		return -1;
	}
	struct sasl_listener *sl = &x->lst[x->nlst++];
	snprintf(sl->name, sizeof sl->name, "%s", l->name);
	char key[160], bad[64];
	const char *list = listener_key(b, l->name, "sasl.enabled.mechanisms", key, sizeof key);
	if (!list) {
		snprintf(key, sizeof key, "sasl.enabled.mechanisms");
		list = b->cfg->sasl_enabled_mechanisms;
	}
	if (parse_mechanisms(list, &sl->mechs, bad, sizeof bad) < 0) {
		snprintf(err, errlen, "%s: SASL mechanism %s is not supported (Gregor has PLAIN, "
			 "SCRAM-SHA-256 and SCRAM-SHA-512)", key, bad);
		return -1;
	}
	if (!sl->mechs) {
		snprintf(err, errlen, "listener %s uses SASL but %s is empty", l->name, key);
		return -1;
	}
	if ((sl->mechs & SASL_MECH_PLAIN) && setup_plain(b, sl, err, errlen) < 0)
		return -1;
	for (int i = 0; i < SASL_NMECH; i++)
		sl->reauth_ms[i] = reauth_ms_for(b, l->name, mech_names[i]);
	l->sasl_mechanisms = sl->mechs;
	return 0;
}

/* username/password of the first login module in the inter-broker
 * listener's JAAS config for the mechanism. */
static int setup_inter_broker(struct broker *b, char *err, size_t errlen)
{
	struct sasl_ctx *x = b->sasl;
	const char *ibl = b->cfg->inter_broker_listener_name;
	const char *proto = ibl ? broker_config_protocol(b->cfg, ibl) : NULL;
	int sp = proto ? sec_protocol_parse(proto) : -1;
	if (sp < 0 || !sec_protocol_is_sasl((enum sec_protocol)sp))
		return 0;
	const char *mech = b->cfg->sasl_mechanism_inter_broker_protocol;
	if (!mech || mech_index(mech, strlen(mech)) < 0) {
		snprintf(err, errlen, "sasl.mechanism.inter.broker.protocol=%s is not supported "
			 "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", mech ? mech : "");
		return -1;
	}
	char key[160], jerr[200];
	const char *text = jaas_text(b, ibl, mech, key, sizeof key);
	struct jaas_config jc;
	if (!text) {
		char l[32], m[32];
		lower_copy(l, sizeof l, ibl);
		lower_copy(m, sizeof m, mech);
		snprintf(err, errlen, "inter-broker listener %s uses %s but neither "
			 "listener.name.%s.%s.sasl.jaas.config nor sasl.jaas.config gives the "
			 "broker's username and password", ibl, mech, l, m);
		return -1;
	}
	if (jaas_parse(text, &jc, jerr, sizeof jerr) < 0) {
		snprintf(err, errlen, "%s: %s", key, jerr);
		return -1;
	}
	const char *u = jaas_option(&jc.mods[0], "username");
	const char *p = jaas_option(&jc.mods[0], "password");
	int ok = u && p && strlen(u) < sizeof x->ib.username && strlen(p) < sizeof x->ib.password;
	if (ok) {
		snprintf(x->ib.mechanism, sizeof x->ib.mechanism, "%s", mech);
		snprintf(x->ib.username, sizeof x->ib.username, "%s", u);
		snprintf(x->ib.password, sizeof x->ib.password, "%s", p);
		x->have_ib = 1;
		log_info(MOD, "inter-broker connections authenticate as %s with %s", u, mech);
	} else {
		snprintf(err, errlen, "%s: the inter-broker identity needs username and password "
			 "options", key);
	}
	jaas_free(&jc);
	return ok ? 0 : -1;
}

int sasl_setup(struct broker *b, char *err, size_t errlen)
{
	struct sasl_ctx *x = calloc(1, sizeof *x);
	if (!x || RAND_bytes(x->fake_secret, sizeof x->fake_secret) != 1) {
		free(x);
		snprintf(err, errlen, "cannot set up SASL (out of memory or no randomness)");
		return -1;
	}
	strmap_init(&x->users);
	b->sasl = x;
	return setup_inter_broker(b, err, errlen);
}

void sasl_free(struct broker *b)
{
	struct sasl_ctx *x = b->sasl;
	if (!x)
		return;
	for (int i = 0; i < x->nlst; i++)
		jaas_free(&x->lst[i].plain);
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&x->users, &i, &k, &v);) {
		OPENSSL_cleanse(v, sizeof(struct user_creds));
		free(v);
	}
	strmap_free(&x->users);
	OPENSSL_cleanse(x, sizeof *x);
	free(x);
	b->sasl = NULL;
}

const struct sasl_client_conf *sasl_inter_broker_conf(const struct broker *b)
{
	return b->sasl && b->sasl->have_ib ? &b->sasl->ib : NULL;
}

/* ---- credential cache ---- */

/* A user name fit for a log line: printable ASCII, others as '?'. */
static const char *log_name(const char *in, char *out, size_t cap)
{
	size_t i = 0;
	for (; in[i] && i + 1 < cap; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = 0;
	return out;
}

void sasl_user_config_set(struct broker *b, const char *user, const char *const *keys,
			  const char *const *values, int n)
{
	struct sasl_ctx *x = b->sasl;
	char shown[80];
	if (!x)
		return;
	struct user_creds *uc = calloc(1, sizeof *uc);
	int any = 0;
	for (int i = 0; uc && i < n; i++) {
		int m = scram_mech_parse(keys[i]);
		char err[128];
		if (m < 0)
			continue; /* quotas and other user configs are not ours */
		if (scram_cred_parse((enum scram_mech)m, values[i], &uc->cred[m], err, sizeof err) < 0) {
			log_warn(MOD, "user %s: %s credential ignored: %s",
				 log_name(user, shown, sizeof shown), keys[i], err);
			continue;
		}
		uc->has[m] = 1;
		any = 1;
	}
	struct user_creds *old = strmap_del(&x->users, user, strlen(user));
	/* every user is delivered again when /config/users changes: log changes */
	int same = old && uc && any && memcmp(old, uc, sizeof *uc) == 0;
	if (old) {
		OPENSSL_cleanse(old, sizeof *old);
		free(old);
	}
	if (uc && any && strmap_put(&x->users, user, strlen(user), uc) == 0) {
		if (!same)
			log_info(MOD, "SCRAM credentials of %s: %s%s%s",
				 log_name(user, shown, sizeof shown), uc->has[0] ? "SCRAM-SHA-256" : "",
				 uc->has[0] && uc->has[1] ? ", " : "", uc->has[1] ? "SCRAM-SHA-512" : "");
		return;
	}
	if (old)
		log_info(MOD, "SCRAM credentials of %s removed", log_name(user, shown, sizeof shown));
	if (uc)
		OPENSSL_cleanse(uc, sizeof *uc);
	free(uc);
}

void sasl_users_retain(struct broker *b, const char *const *names, int n)
{
	struct sasl_ctx *x = b->sasl;
	const char *k;
	void *v;
	char shown[80];
	if (!x)
		return;
	for (size_t i = 0; strmap_next(&x->users, &i, &k, &v);) {
		int keep = 0;
		for (int j = 0; j < n && !keep; j++)
			keep = strcmp(names[j], k) == 0;
		if (keep)
			continue;
		log_info(MOD, "SCRAM credentials of %s removed (user gone)",
			 log_name(k, shown, sizeof shown));
		/* the iteration position stays valid: deletion leaves a tombstone */
		v = strmap_del(&x->users, k, strlen(k));
		OPENSSL_cleanse(v, sizeof(struct user_creds));
		free(v);
	}
}

const struct scram_cred *sasl_credential_find(const struct broker *b, const char *user,
					      enum scram_mech m)
{
	const struct user_creds *uc = b->sasl ? strmap_get(&b->sasl->users, user, strlen(user))
					       : NULL;
	return uc && uc->has[m] ? &uc->cred[m] : NULL;
}

int sasl_credential_next(const struct broker *b, size_t *pos, const char **user,
			 const struct scram_cred *creds[SCRAM_NMECH])
{
	void *v;
	if (!b->sasl || !strmap_next(&b->sasl->users, pos, user, &v))
		return 0;
	const struct user_creds *uc = v;
	for (int m = 0; m < SCRAM_NMECH; m++)
		creds[m] = uc->has[m] ? &uc->cred[m] : NULL;
	return 1;
}

/* ---- the exchange ---- */

static void exchange_end(struct session *s)
{
	if (s->mech && s->mech_free)
		s->mech_free(s->mech);
	s->mech = NULL;
	s->mech_free = NULL;
}

static void exchange_free(void *p)
{
	OPENSSL_cleanse(p, sizeof(struct sasl_exchange));
	free(p);
}

int16_t sasl_handshake(struct broker *b, struct session *s, const struct listener_rt *l,
		       const char *mech, size_t mech_len, int version)
{
	int i = mech_index(mech, mech_len);
	int reauth = s->state == AUTH_AUTHENTICATED;
	if (!b->sasl || !listener_find(b->sasl, l->name))
		return KERR_ILLEGAL_SASL_STATE; /* no SASL here: Kafka answers, keeps going */
	if (s->state != AUTH_HANDSHAKE && !(reauth && version >= 1)) {
		s->state = AUTH_FAILED;
		return KERR_ILLEGAL_SASL_STATE;
	}
	if (i < 0 || !(l->sasl_mechanisms & (1u << i))) {
		s->state = AUTH_FAILED;
		return KERR_UNSUPPORTED_SASL_MECHANISM;
	}
	if (reauth && (!s->mechanism || strcmp(s->mechanism, mech_names[i]) != 0)) {
		/* KIP-368: re-authentication keeps the mechanism */
		s->state = AUTH_FAILED;
		return KERR_ILLEGAL_SASL_STATE;
	}
	struct sasl_exchange *e = calloc(1, sizeof *e);
	if (!e) {
		s->state = AUTH_FAILED;
		return KERR_UNKNOWN_SERVER_ERROR;
	}
	exchange_end(s);
	e->mech = i;
	e->reauth = reauth;
	if (i > 0)
		scram_server_init(&e->scram, (enum scram_mech)(i - 1));
	s->mech = e;
	s->mech_free = exchange_free;
	s->mechanism = mech_names[i];
	s->state = version == 0 ? AUTH_RAW_TOKENS : AUTH_TOKENS;
	return 0;
}

static void reply_fail(struct session *s, struct sasl_reply *r, int16_t code, const char *msg)
{
	r->error = code;
	snprintf(r->message, sizeof r->message, "%s", msg);
	r->token_len = 0;
	s->state = AUTH_FAILED;
	exchange_end(s);
}

/* Constant-time password check: digests of both, so that neither the
 * content nor the length of the expected password shapes the timing. */
static int password_equal(const char *want, const char *got)
{
	uint8_t a[32], b2[32];
	unsigned int n = 0;
	EVP_Digest(want, strlen(want), a, &n, EVP_sha256(), NULL);
	EVP_Digest(got, strlen(got), b2, &n, EVP_sha256(), NULL);
	return CRYPTO_memcmp(a, b2, sizeof a) == 0;
}

/* PLAIN: one token; fills user or returns -1 with the reason logged. */
static int plain_step(const struct sasl_listener *sl, const uint8_t *tok, size_t len,
		      char *user, size_t cap, const char **why)
{
	char authzid[256], pass[256], key[300];
	if (sasl_plain_parse(tok, len, authzid, user, pass, cap < 256 ? cap : 256) < 0) {
		*why = "malformed PLAIN token";
		return -1;
	}
	snprintf(key, sizeof key, "user_%s", user);
	const char *want = sl->plain_mod ? jaas_option(sl->plain_mod, key) : NULL;
	int ok = password_equal(want ? want : "\x01 no such user", pass) && want;
	OPENSSL_cleanse(pass, sizeof pass);
	if (authzid[0] && strcmp(authzid, user) != 0) {
		*why = "authorization id differs from the user name";
		return -1;
	}
	if (!ok) {
		*why = "invalid username or password";
		return -1;
	}
	return 0;
}

/* SCRAM: returns 1 with a token to send, 0 when done (token = server
 * final), -1 on failure with *why. */
static int scram_step(struct broker *b, struct sasl_exchange *e, const uint8_t *tok, size_t len,
		      struct sasl_reply *r, const char **why)
{
	char *detail = e->detail;
	int n;
	if (e->steps == 0) {
		if (scram_server_parse_first(&e->scram, tok, len, detail, sizeof e->detail) < 0) {
			*why = detail;
			return -1;
		}
		const struct scram_cred *c = sasl_credential_find(b, e->scram.user, e->scram.mech);
		n = scram_server_first_reply(&e->scram, c, b->sasl->fake_secret,
					     sizeof b->sasl->fake_secret, (char *)r->token,
					     sizeof r->token);
		if (n < 0) {
			*why = "cannot build server-first-message";
			return -1;
		}
		r->token_len = (size_t)n;
		return 1;
	}
	n = scram_server_final(&e->scram, tok, len, (char *)r->token, sizeof r->token, detail,
			       sizeof e->detail);
	if (n < 0) {
		*why = detail;
		return -1;
	}
	r->token_len = (size_t)n;
	return 0;
}

static void authenticated(struct broker *b, struct session *s, const struct sasl_listener *sl,
			  const struct sasl_exchange *e, const char *user, const char *peer,
			  struct sasl_reply *r)
{
	char principal[sizeof s->principal], shown[80];
	snprintf(principal, sizeof principal, "User:%s", user);
	if (e->reauth && strcmp(principal, s->principal) != 0) {
		reply_fail(s, r, KERR_SASL_AUTHENTICATION_FAILED,
			   "Cannot change principals during re-authentication");
		return;
	}
	memcpy(s->principal, principal, sizeof principal);
	s->state = AUTH_AUTHENTICATED;
	int64_t life = sl->reauth_ms[e->mech];
	s->expiry_ms = life > 0 ? loop_now_ms(b->loop) + life : 0;
	r->session_lifetime_ms = life > 0 ? life : 0;
	if (e->reauth) /* KIP-368: once per session lifetime and connection */
		log_info_rl(MOD, "%s re-authenticated as %s with %s", peer,
			    log_name(principal, shown, sizeof shown), mech_names[e->mech]);
	else
		log_debug(MOD, "%s authenticated as %s with %s", peer,
			  log_name(principal, shown, sizeof shown), mech_names[e->mech]);
	exchange_end(s);
}

void sasl_authenticate(struct broker *b, struct session *s, const struct listener_rt *l,
		       const char *peer, const uint8_t *tok, size_t len, struct sasl_reply *r)
{
	struct sasl_exchange *e = s->mech;
	const struct sasl_listener *sl = listener_find(b->sasl, l->name);
	r->error = 0;
	r->message[0] = 0;
	r->token_len = 0;
	r->session_lifetime_ms = 0;
	if ((s->state != AUTH_TOKENS && s->state != AUTH_RAW_TOKENS) || !e || !sl) {
		reply_fail(s, r, KERR_ILLEGAL_SASL_STATE,
			   "Unexpected SaslAuthenticate request: no SaslHandshake before it");
		return;
	}
	const char *why = NULL;
	char user[SCRAM_NAME_MAX] = "", shown[80];
	int rc;
	if (e->mech == 0) {
		rc = plain_step(sl, tok, len, user, sizeof user, &why);
	} else {
		rc = scram_step(b, e, tok, len, r, &why);
		snprintf(user, sizeof user, "%s", e->scram.user);
	}
	e->steps++;
	if (rc < 0) {
		/* rate-limited: a client can retry wrong passwords in a loop */
		log_info_rl(MOD, "%s: %s authentication of %s failed: %s", peer, mech_names[e->mech],
			 user[0] ? log_name(user, shown, sizeof shown) : "?", why);
		char msg[200];
		if (e->mech == 0)
			snprintf(msg, sizeof msg, "Authentication failed: Invalid username or password");
		else
			snprintf(msg, sizeof msg, "Authentication failed during authentication due to "
				 "invalid credentials with SASL mechanism %s", mech_names[e->mech]);
		reply_fail(s, r, KERR_SASL_AUTHENTICATION_FAILED, msg);
		return;
	}
	if (rc == 0)
		authenticated(b, s, sl, e, user, peer, r);
}
