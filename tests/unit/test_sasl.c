/* SASL mechanisms (common/auth): SCRAM-SHA-256 against RFC 7677's example
 * exchange, SCRAM-SHA-512 against an exchange computed independently
 * (Python's hashlib/hmac, same message structure), Kafka's credential text
 * form, PLAIN tokens, JAAS config parsing, base64, user names in znode
 * paths. Pure functions. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/auth/b64.h"
#include "common/auth/entity_name.h"
#include "common/auth/jaas.h"
#include "common/auth/sasl_client.h"
#include "common/auth/scram.h"

#define U8(s) ((const uint8_t *)(s))

/* RFC 7677 section 3 */
#define R7677_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define R7677_SNONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define R7677_SERVER_FIRST \
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define R7677_CLIENT_FINAL \
	"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define R7677_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* SHA-512: user alice, password alice-secret, salt "gregor-salt-0123" */
#define S512_CLIENT_FIRST "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL"
#define S512_SNONCE "3rfcNHYJY1ZVvWVs7j"
#define S512_SERVER_FIRST \
	"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=Z3JlZ29yLXNhbHQtMDEyMw==,i=4096"
#define S512_CLIENT_FINAL \
	"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j," \
	"p=lwEAyAVeQzqHUx/D2XnymAvvlFo7BVMkOH/Xmx0Dwqhy7AlxOYWeKllyvZmw+2un/O/cMwT5Q8GPV5RxMSBV0Q=="
#define S512_SERVER_FINAL \
	"v=3gmma7rft0KuAoW92qrPuucW/5ltIN+Eu8YIUWAQ2boyDZ9R2mMQyiRIHQTVmVD0PAWxMqHExUvpkmS5YuFl6A=="
#define S512_CRED \
	"salt=Z3JlZ29yLXNhbHQtMDEyMw==," \
	"stored_key=TnD8lnlCHDIurpS+Dqd4WFQ81/Mmy/rB0T1BdscSXNmeGR77TrsTzj11DOuMch5Clyb+xSTmGX54N5rBw6PQ5A==," \
	"server_key=4tWmUAPIVkoUx4fQ/tDT0AOcFkcoPLKiX/39Ukp49kmkJv6+gAmpBsiZae1S2kQQm8wIWxrUSKqpQkGRQuSFBQ==," \
	"iterations=4096"

static const uint8_t secret[] = "test-fake-secret";

static struct scram_cred rfc7677_cred(void)
{
	uint8_t salt[32];
	int sl = b64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, salt, sizeof salt);
	ck_assert_int_eq(sl, 16);
	struct scram_cred c;
	ck_assert_int_eq(scram_cred_make(SCRAM_SHA_256, "pencil", salt, (size_t)sl, 4096, &c), 0);
	return c;
}

/* Runs the server through a whole exchange; returns server_final's rc. */
static int server_run(enum scram_mech m, const struct scram_cred *cred, const char *snonce,
		      const char *first, const char *final, char *sf, char *out)
{
	struct scram_server s;
	char err[128];
	scram_server_init(&s, m);
	snprintf(s.server_nonce, sizeof s.server_nonce, "%s", snonce);
	ck_assert_int_eq(scram_server_parse_first(&s, U8(first), strlen(first), err, sizeof err), 0);
	ck_assert_int_gt(scram_server_first_reply(&s, cred, secret, sizeof secret, sf, 512), 0);
	return scram_server_final(&s, U8(final), strlen(final), out, 512, err, sizeof err);
}

START_TEST(test_scram_sha256_server_matches_rfc7677)
{
	struct scram_cred c = rfc7677_cred();
	char sf[512], out[512];
	ck_assert_int_gt(server_run(SCRAM_SHA_256, &c, R7677_SNONCE, R7677_CLIENT_FIRST,
				    R7677_CLIENT_FINAL, sf, out), 0);
	ck_assert_str_eq(sf, R7677_SERVER_FIRST);
	ck_assert_str_eq(out, R7677_SERVER_FINAL);
}
END_TEST

START_TEST(test_scram_sha256_client_matches_rfc7677)
{
	struct scram_client c;
	char out[512], err[128];
	scram_client_init(&c, SCRAM_SHA_256);
	snprintf(c.cnonce, sizeof c.cnonce, "rOprNGfwEbeRWgbNEkqO");
	ck_assert_int_gt(scram_client_first(&c, "user", out, sizeof out), 0);
	ck_assert_str_eq(out, R7677_CLIENT_FIRST);
	ck_assert_int_gt(scram_client_final(&c, U8(R7677_SERVER_FIRST), strlen(R7677_SERVER_FIRST),
					    "pencil", out, sizeof out, err, sizeof err), 0);
	ck_assert_str_eq(out, R7677_CLIENT_FINAL);
	ck_assert_int_eq(scram_client_verify(&c, U8(R7677_SERVER_FINAL), strlen(R7677_SERVER_FINAL),
					     err, sizeof err), 0);
	ck_assert_int_eq(scram_client_verify(&c, U8("v=AAAA"), 6, err, sizeof err), -1);
}
END_TEST

START_TEST(test_scram_sha512_matches_computed_vector)
{
	struct scram_cred c;
	char err[128], sf[512], out[512];
	ck_assert_int_eq(scram_cred_parse(SCRAM_SHA_512, S512_CRED, &c, err, sizeof err), 0);
	ck_assert_int_gt(server_run(SCRAM_SHA_512, &c, S512_SNONCE, S512_CLIENT_FIRST,
				    S512_CLIENT_FINAL, sf, out), 0);
	ck_assert_str_eq(sf, S512_SERVER_FIRST);
	ck_assert_str_eq(out, S512_SERVER_FINAL);
	/* the credential made from the password is the same one */
	struct scram_cred made;
	ck_assert_int_eq(scram_cred_make(SCRAM_SHA_512, "alice-secret", U8("gregor-salt-0123"), 16,
					 4096, &made), 0);
	char text[512];
	ck_assert_int_gt(scram_cred_format(SCRAM_SHA_512, &made, text, sizeof text), 0);
	ck_assert_str_eq(text, S512_CRED);
}
END_TEST

/* librdkafka's client-final nonce is its client nonce followed by the whole
 * server nonce; Kafka accepts a nonce that ends with the server's, and so do
 * we (the proof, computed over that message, still has to match). */
START_TEST(test_scram_accepts_librdkafka_nonce_form)
{
	struct scram_cred c = rfc7677_cred();
	char sf[512], out[512];
	const char *final = "c=biws,r=rOprNGfwEbeRWgbNEkqOrOprNGfwEbeRWgbNEkqO"
			    "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
			    "p=1Y75+q7XaCGJj/r6vyQWwoNxSzV5ksS8xhp5Lqyriec=";
	ck_assert_int_gt(server_run(SCRAM_SHA_256, &c, R7677_SNONCE, R7677_CLIENT_FIRST, final,
				    sf, out), 0);
	ck_assert_str_eq(out, "v=3svB0h5EwFJ/+WVn2GpJ5uBzW8HEv9nm1rcYAhYlm0A=");
	/* a nonce that does not end with the server's fails */
	const char *cut = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k,"
			  "p=1Y75+q7XaCGJj/r6vyQWwoNxSzV5ksS8xhp5Lqyriec=";
	ck_assert_int_eq(server_run(SCRAM_SHA_256, &c, R7677_SNONCE, R7677_CLIENT_FIRST, cut,
				    sf, out), -1);
}
END_TEST

START_TEST(test_scram_wrong_proof_fails)
{
	struct scram_cred c = rfc7677_cred();
	char sf[512], out[512];
	const char *bad = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
			  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU=";
	ck_assert_int_eq(server_run(SCRAM_SHA_256, &c, R7677_SNONCE, R7677_CLIENT_FIRST, bad, sf,
				    out), -1);
}
END_TEST

START_TEST(test_scram_unknown_user_looks_like_wrong_password)
{
	struct scram_server a, b;
	char sf1[512], sf2[512], out[512], err[128];
	const char *first = "n,,n=nobody,r=abcdefgh";
	scram_server_init(&a, SCRAM_SHA_256);
	scram_server_init(&b, SCRAM_SHA_256);
	ck_assert_int_eq(scram_server_parse_first(&a, U8(first), strlen(first), err, sizeof err), 0);
	ck_assert_int_eq(scram_server_parse_first(&b, U8(first), strlen(first), err, sizeof err), 0);
	ck_assert_int_gt(scram_server_first_reply(&a, NULL, secret, sizeof secret, sf1, 512), 0);
	ck_assert_int_gt(scram_server_first_reply(&b, NULL, secret, sizeof secret, sf2, 512), 0);
	/* same salt and iterations every time for one name */
	ck_assert_str_eq(strchr(sf1, ','), strchr(sf2, ','));
	ck_assert_ptr_nonnull(strstr(sf1, ",i=4096"));
	/* a client that knows some password gets the same failure */
	struct scram_client c;
	scram_client_init(&c, SCRAM_SHA_256);
	snprintf(c.cnonce, sizeof c.cnonce, "abcdefgh");
	char final[512];
	ck_assert_int_gt(scram_client_final(&c, U8(sf1), strlen(sf1), "guess", final, sizeof final,
					    err, sizeof err), 0);
	ck_assert_int_eq(scram_server_final(&a, U8(final), strlen(final), out, sizeof out, err,
					    sizeof err), -1);
	ck_assert_str_eq(err, "invalid credentials");
}
END_TEST

START_TEST(test_scram_client_first_refusals)
{
	struct scram_server s;
	char err[128];
	const char *bad[] = {
		"p=tls-unique,,n=user,r=abc",    /* channel binding */
		"n,,n=user",                     /* no nonce */
		"n,,r=abc",                      /* no user */
		"n,a=other,n=user,r=abc",        /* authzid differs */
		"n,,n=us=2Xer,r=abc",            /* bad saslname escape */
		"x,,n=user,r=abc",               /* bad flag */
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		scram_server_init(&s, SCRAM_SHA_256);
		ck_assert_msg(scram_server_parse_first(&s, U8(bad[i]), strlen(bad[i]), err,
						       sizeof err) < 0, "accepted %s", bad[i]);
	}
	scram_server_init(&s, SCRAM_SHA_256);
	const char *esc = "n,a=a=2Cb,n=a=2Cb,r=abc,tokenauth=true";
	ck_assert_int_eq(scram_server_parse_first(&s, U8(esc), strlen(esc), err, sizeof err), 0);
	ck_assert_str_eq(s.user, "a,b");
	ck_assert_int_eq(s.token_auth, 1);
	/* the final message must carry the client's own gs2 header and nonce */
	struct scram_cred c = rfc7677_cred();
	char sf[512], out[512];
	const char *nonce_bad = "c=biws,r=rOprNGfwEbeRWgbNEkqOX,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
	ck_assert_int_eq(server_run(SCRAM_SHA_256, &c, R7677_SNONCE, R7677_CLIENT_FIRST,
				    nonce_bad, sf, out), -1);
}
END_TEST

START_TEST(test_scram_credential_text_roundtrip_and_refusals)
{
	struct scram_cred c;
	char err[128], text[512];
	const char *kafka = "salt=MWx6bHdhYXp0OXVnMWF5aWQ5d2g=,"
			    "stored_key=uWXVpwHkzUqzhzpg0z96dVfOIw6ZK1g6iWoBC6iSmTo=,"
			    "server_key=wSm/M3T9ifnaajg9Ubn82oGVYBYJl/2VU/1xKlmK6Wg=,iterations=4096";
	ck_assert_int_eq(scram_cred_parse(SCRAM_SHA_256, kafka, &c, err, sizeof err), 0);
	ck_assert_int_eq(c.iterations, 4096);
	ck_assert_int_eq((int)c.salt_len, 20);
	ck_assert_int_gt(scram_cred_format(SCRAM_SHA_256, &c, text, sizeof text), 0);
	ck_assert_str_eq(text, kafka);
	/* a SHA-256 key is not a SHA-512 credential */
	ck_assert_int_eq(scram_cred_parse(SCRAM_SHA_512, kafka, &c, err, sizeof err), -1);
	ck_assert_int_eq(scram_cred_parse(SCRAM_SHA_256, "salt=AAAA,iterations=4096", &c, err,
					  sizeof err), -1);
	ck_assert_int_eq(scram_cred_parse(SCRAM_SHA_256, "garbage", &c, err, sizeof err), -1);
	ck_assert_int_eq(scram_cred_parse(SCRAM_SHA_256, "", &c, err, sizeof err), -1);
	ck_assert_int_eq(scram_mech_parse("SCRAM-SHA-512"), SCRAM_SHA_512);
	ck_assert_int_eq(scram_mech_parse("SCRAM-SHA-1"), -1);
	ck_assert_int_eq(scram_mech_wire_id(SCRAM_SHA_256), 1);
	ck_assert_int_eq(scram_mech_from_wire_id(2), SCRAM_SHA_512);
	ck_assert_int_eq(scram_mech_from_wire_id(0), -1);
}
END_TEST

START_TEST(test_sasl_client_scram_against_server)
{
	for (int m = 0; m < SCRAM_NMECH; m++) {
		struct sasl_client_conf conf = { "", "bob", "b0b-pw" };
		snprintf(conf.mechanism, sizeof conf.mechanism, "%s", scram_mech_name((enum scram_mech)m));
		struct scram_cred cred;
		ck_assert_int_eq(scram_cred_make((enum scram_mech)m, "b0b-pw", NULL, 0, 4096, &cred), 0);
		struct sasl_client cl;
		struct scram_server s;
		uint8_t tok[SASL_TOKEN_MAX];
		char sf[512], fin[512], err[128];
		size_t tl = 0;
		ck_assert_int_eq(sasl_client_prepare(&cl, &conf), 0);
		scram_server_init(&s, (enum scram_mech)m);
		ck_assert_int_eq(sasl_client_respond(&cl, NULL, 0, tok, sizeof tok, &tl, err, sizeof err), 1);
		ck_assert_int_eq(scram_server_parse_first(&s, tok, tl, err, sizeof err), 0);
		ck_assert_str_eq(s.user, "bob");
		int n = scram_server_first_reply(&s, &cred, secret, sizeof secret, sf, sizeof sf);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(sasl_client_respond(&cl, U8(sf), (size_t)n, tok, sizeof tok, &tl, err,
						  sizeof err), 1);
		n = scram_server_final(&s, tok, tl, fin, sizeof fin, err, sizeof err);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(sasl_client_respond(&cl, U8(fin), (size_t)n, tok, sizeof tok, &tl, err,
						  sizeof err), 0);
	}
}
END_TEST

START_TEST(test_plain_token_parse)
{
	char a[64], u[64], p[64];
	struct sasl_client_conf conf = { "PLAIN", "admin", "s3cret" };
	struct sasl_client cl;
	uint8_t tok[128];
	size_t tl = 0;
	char err[64];
	ck_assert_int_eq(sasl_client_prepare(&cl, &conf), 0);
	ck_assert_int_eq(sasl_client_respond(&cl, NULL, 0, tok, sizeof tok, &tl, err, sizeof err), 1);
	ck_assert_int_eq(sasl_plain_parse(tok, tl, a, u, p, sizeof a), 0);
	ck_assert_str_eq(a, "");
	ck_assert_str_eq(u, "admin");
	ck_assert_str_eq(p, "s3cret");
	ck_assert_int_eq(sasl_client_respond(&cl, U8(""), 0, tok, sizeof tok, &tl, err, sizeof err), 0);
	ck_assert_int_eq(sasl_plain_parse(U8("z\0u\0p"), 5, a, u, p, sizeof a), 0);
	ck_assert_str_eq(a, "z");
	ck_assert_int_eq(sasl_plain_parse(U8("\0u"), 2, a, u, p, sizeof a), -1);
	ck_assert_int_eq(sasl_plain_parse(U8("\0\0p"), 3, a, u, p, sizeof a), -1);
	ck_assert_int_eq(sasl_plain_parse(U8("\0u\0"), 3, a, u, p, sizeof a), -1);
	ck_assert_int_eq(sasl_plain_parse(U8("\0u\0p\0x"), 6, a, u, p, sizeof a), -1);
	struct sasl_client_conf bad = { "GSSAPI", "", "" };
	ck_assert_int_eq(sasl_client_prepare(&cl, &bad), -1);
}
END_TEST

START_TEST(test_jaas_plain_users_and_broker_identity)
{
	struct jaas_config c;
	char err[160];
	const char *text =
		"org.apache.kafka.common.security.plain.PlainLoginModule required\n"
		"  username=\"admin\" password=\"admin-secret\" // the broker itself\n"
		"  user_admin=\"admin-secret\" /* clients: */ user_alice='al\\\"ice pw'\n"
		"  user_bob=bobpw;";
	ck_assert_int_eq(jaas_parse(text, &c, err, sizeof err), 0);
	ck_assert_int_eq(c.nmods, 1);
	ck_assert_str_eq(c.mods[0].name, JAAS_PLAIN_MODULE);
	ck_assert_str_eq(c.mods[0].flag, "required");
	ck_assert_str_eq(jaas_option(&c.mods[0], "username"), "admin");
	ck_assert_str_eq(jaas_option(&c.mods[0], "user_alice"), "al\"ice pw");
	ck_assert_str_eq(jaas_option(&c.mods[0], "user_bob"), "bobpw");
	ck_assert_ptr_null(jaas_option(&c.mods[0], "user_carol"));
	jaas_free(&c);

	ck_assert_int_eq(jaas_parse(JAAS_SCRAM_MODULE " REQUIRED username=\"b\" password=\"p\";"
				    JAAS_PLAIN_MODULE " optional;", &c, err, sizeof err), 0);
	ck_assert_int_eq(c.nmods, 2);
	ck_assert_str_eq(c.mods[0].flag, "required");
	jaas_free(&c);
}
END_TEST

START_TEST(test_jaas_refusals)
{
	struct jaas_config c;
	char err[160];
	const char *bad[] = {
		"",
		JAAS_PLAIN_MODULE " required username=\"a\"",       /* no ';' */
		JAAS_PLAIN_MODULE " mandatory username=\"a\";",    /* bad flag */
		JAAS_PLAIN_MODULE " required username=;",          /* no value */
		JAAS_PLAIN_MODULE " required username \"a\";",     /* no '=' */
		JAAS_PLAIN_MODULE " required username=\"a;",       /* unterminated */
		JAAS_PLAIN_MODULE " required user#x=\"a\";",       /* bad char */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		ck_assert_msg(jaas_parse(bad[i], &c, err, sizeof err) < 0, "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "sasl.jaas.config"));
	}
}
END_TEST

START_TEST(test_base64_strict)
{
	uint8_t out[16];
	char text[32];
	ck_assert_int_eq(b64_encode(U8("ab"), 2, text, sizeof text), 4);
	ck_assert_str_eq(text, "YWI=");
	ck_assert_int_eq(b64_decode("YWI=", 4, out, sizeof out), 2);
	ck_assert_int_eq(b64_decode("YQ==", 4, out, sizeof out), 1);
	ck_assert_int_eq(b64_decode("YWJj", 4, out, sizeof out), 3);
	ck_assert_int_eq(b64_decode("YW=j", 4, out, sizeof out), -1);
	ck_assert_int_eq(b64_decode("Y===", 4, out, sizeof out), -1);
	ck_assert_int_eq(b64_decode("YWI", 3, out, sizeof out), -1);
	ck_assert_int_eq(b64_decode("Y,I=", 4, out, sizeof out), -1);
	ck_assert_int_eq(b64_decode("YWJjYWJj", 8, out, 5), -1);
}
END_TEST

/* Kafka's Sanitizer: the znode name of a user under /config/users. */
START_TEST(test_user_name_sanitized_as_kafka)
{
	char out[128], back[128];
	ck_assert_int_eq(entity_sanitize("alice", out, sizeof out), 0);
	ck_assert_str_eq(out, "alice");
	ck_assert_int_eq(entity_sanitize("CN=a b,O=x*", out, sizeof out), 0);
	ck_assert_str_eq(out, "CN%3Da%20b%2CO%3Dx%2A");
	ck_assert_int_eq(entity_desanitize(out, back, sizeof back), 0);
	ck_assert_str_eq(back, "CN=a b,O=x*");
	ck_assert_int_eq(entity_sanitize("\xc3\xa9t\xc3\xa9", out, sizeof out), 0);
	ck_assert_str_eq(out, "%C3%A9t%C3%A9");
	ck_assert_int_eq(entity_desanitize("a+b", back, sizeof back), 0);
	ck_assert_str_eq(back, "a b");
	ck_assert_int_eq(entity_desanitize("bad%2", back, sizeof back), -1);
	ck_assert_int_eq(entity_desanitize("nul%00", back, sizeof back), -1);
	ck_assert_int_eq(entity_desanitize("", back, sizeof back), -1);
	ck_assert_int_eq(entity_sanitize("", out, sizeof out), -1);
	ck_assert_int_eq(entity_sanitize("abcdef", out, 4), -1);
}
END_TEST

static Suite *sasl_suite(void)
{
	Suite *s = suite_create("sasl");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_scram_sha256_server_matches_rfc7677);
	tcase_add_test(tc, test_scram_sha256_client_matches_rfc7677);
	tcase_add_test(tc, test_scram_sha512_matches_computed_vector);
	tcase_add_test(tc, test_scram_accepts_librdkafka_nonce_form);
	tcase_add_test(tc, test_scram_wrong_proof_fails);
	tcase_add_test(tc, test_scram_unknown_user_looks_like_wrong_password);
	tcase_add_test(tc, test_scram_client_first_refusals);
	tcase_add_test(tc, test_scram_credential_text_roundtrip_and_refusals);
	tcase_add_test(tc, test_sasl_client_scram_against_server);
	tcase_add_test(tc, test_plain_token_parse);
	tcase_add_test(tc, test_jaas_plain_users_and_broker_identity);
	tcase_add_test(tc, test_jaas_refusals);
	tcase_add_test(tc, test_base64_strict);
	tcase_add_test(tc, test_user_name_sanitized_as_kafka);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sasl_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
