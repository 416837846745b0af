/* SASL client mechanisms (see sasl_client.h). */
#include "common/auth/sasl_client.h"

#include <stdio.h>
#include <string.h>

int sasl_client_prepare(struct sasl_client *c, const struct sasl_client_conf *conf)
{
	memset(c, 0, sizeof *c);
	c->conf = conf;
	if (strcmp(conf->mechanism, "PLAIN") == 0) {
		c->scram = -1;
		return 0;
	}
	c->scram = scram_mech_parse(conf->mechanism);
	if (c->scram < 0)
		return -1;
	scram_client_init(&c->sc, (enum scram_mech)c->scram);
	return 0;
}

static int plain_step(struct sasl_client *c, uint8_t *out, size_t cap, size_t *outlen,
		      char *err, size_t errlen)
{
	if (c->step++ > 0)
		return 0; /* the server accepted the one token */
	size_t ul = strlen(c->conf->username), pl = strlen(c->conf->password);
	if (ul + pl + 2 > cap) {
		snprintf(err, errlen, "PLAIN credentials too long");
		return -1;
	}
	out[0] = 0;
	memcpy(out + 1, c->conf->username, ul);
	out[1 + ul] = 0;
	memcpy(out + 2 + ul, c->conf->password, pl);
	*outlen = ul + pl + 2;
	return 1;
}

int sasl_client_respond(struct sasl_client *c, const uint8_t *in, size_t inlen, uint8_t *out,
			size_t cap, size_t *outlen, char *err, size_t errlen)
{
	if (c->scram < 0)
		return plain_step(c, out, cap, outlen, err, errlen);
	int n;
	switch (c->step++) {
	case 0:
		n = scram_client_first(&c->sc, c->conf->username, (char *)out, cap);
		if (n < 0)
			snprintf(err, errlen, "cannot build client-first-message");
		break;
	case 1:
		n = scram_client_final(&c->sc, in, inlen, c->conf->password, (char *)out, cap, err,
				       errlen);
		break;
	case 2:
		return scram_client_verify(&c->sc, in, inlen, err, errlen) < 0 ? -1 : 0;
	default:
		snprintf(err, errlen, "unexpected SCRAM token");
		return -1;
	}
	if (n < 0)
		return -1;
	*outlen = (size_t)n;
	return 1;
}

int sasl_plain_parse(const uint8_t *tok, size_t len, char *authzid, char *user,
		     char *password, size_t cap)
{
	const uint8_t *z1 = memchr(tok, 0, len);
	if (!z1)
		return -1;
	const uint8_t *rest = z1 + 1;
	size_t rlen = len - (size_t)(rest - tok);
	const uint8_t *z2 = memchr(rest, 0, rlen);
	if (!z2)
		return -1;
	const uint8_t *pw = z2 + 1;
	size_t al = (size_t)(z1 - tok), ul = (size_t)(z2 - rest), pl = len - (size_t)(pw - tok);
	if (memchr(pw, 0, pl) || ul == 0 || pl == 0 || al >= cap || ul >= cap || pl >= cap)
		return -1;
	memcpy(authzid, tok, al);
	authzid[al] = 0;
	memcpy(user, rest, ul);
	user[ul] = 0;
	memcpy(password, pw, pl);
	password[pl] = 0;
	return 0;
}
