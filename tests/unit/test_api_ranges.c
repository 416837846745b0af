/* The versions Gregor advertises (broker/handlers/handlers.c, what
 * ApiVersions answers) must equal the "gregor" column of
 * docs/api-versions.tsv, the table README.md shows; client-facing APIs must
 * cover Kafka 3.9's whole range unless the file's note says why not, and a
 * version served but not advertised (brokers only) must be named in the
 * note as "vN between brokers only". Also:
 * the once-per-client log of unsupported versions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/handlers/handlers.h"
#include "broker/handlers/unsupported_log.h"
#include "common/proto/apis.h"

#define TSV "docs/api-versions.tsv"

struct row {
	int key;
	char name[64];
	int kmin, kmax, gmin, gmax; /* gmin -1: not served */
	int has_note;
	char note[320];
};

static int parse_range(const char *s, int *lo, int *hi)
{
	if (!strcmp(s, "-")) {
		*lo = *hi = -1;
		return 0;
	}
	return sscanf(s, "%d-%d", lo, hi) == 2 ? 0 : -1;
}

/* Reads every data row; returns the count. */
static int read_rows(struct row *rows, int cap)
{
	FILE *f = fopen(TSV, "r");
	ck_assert_msg(f != NULL, "cannot open %s (run from the source root)", TSV);
	char line[512];
	int n = 0;
	while (fgets(line, sizeof line, f) && n < cap) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		char *fields[5] = { 0 };
		int nf = 0;
		for (char *p = line, *tok; nf < 5 && (tok = strsep(&p, "\t"));)
			fields[nf++] = tok;
		ck_assert_msg(nf >= 4, "%s: short line: %s", TSV, line);
		struct row *r = &rows[n++];
		r->key = atoi(fields[0]);
		snprintf(r->name, sizeof r->name, "%s", fields[1]);
		ck_assert_int_eq(parse_range(fields[2], &r->kmin, &r->kmax), 0);
		ck_assert_int_eq(parse_range(fields[3], &r->gmin, &r->gmax), 0);
		r->has_note = nf == 5 && fields[4][0];
		snprintf(r->note, sizeof r->note, "%s", r->has_note ? fields[4] : "");
	}
	fclose(f);
	return n;
}

START_TEST(test_advertised_equals_table)
{
	static struct row rows[128];
	int n = read_rows(rows, 128);
	ck_assert_int_gt(n, 40);
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		const struct handler_entry *e = handler_find((int16_t)r->key);
		if (r->gmin < 0) {
			ck_assert_msg(e == NULL, "%s (%d) is served but the table says -", r->name,
				      r->key);
			continue;
		}
		ck_assert_msg(e != NULL, "%s (%d) is in the table but not served", r->name, r->key);
		ck_assert_msg(e->min_ver == r->gmin && e->adv_max_ver == r->gmax,
			      "%s (%d): advertised %d-%d, table %d-%d", r->name, r->key, e->min_ver,
			      e->adv_max_ver, r->gmin, r->gmax);
		/* served above the advertised range: brokers-only versions, named */
		ck_assert_msg(e->max_ver >= e->adv_max_ver, "%s (%d): advertises v%d, serves v%d",
			      r->name, r->key, e->adv_max_ver, e->max_ver);
		for (int v = e->adv_max_ver + 1; v <= e->max_ver; v++) {
			char want[48];
			snprintf(want, sizeof want, "v%d between brokers only", v);
			ck_assert_msg(strstr(r->note, want) != NULL,
				      "%s (%d): serves v%d unadvertised, note lacks \"%s\"", r->name,
				      r->key, v, want);
		}
		/* a range narrower than Kafka's must say why */
		if (r->gmin != r->kmin || r->gmax != r->kmax)
			ck_assert_msg(r->has_note, "%s (%d): %d-%d is not Kafka 3.9's %d-%d and has no note",
				      r->name, r->key, r->gmin, r->gmax, r->kmin, r->kmax);
		/* the codec describes every advertised version */
		const struct kapi *api = kapi_find((int16_t)r->key);
		ck_assert_msg(api && api->max_version >= e->max_ver, "%s: codec lacks v%d", r->name,
			      e->max_ver);
	}
	/* and nothing is served that the table does not list */
	for (int i = 0; i < handler_count; i++) {
		int found = 0;
		for (int j = 0; j < n && !found; j++)
			found = rows[j].key == handler_table[i].key;
		ck_assert_msg(found, "API %d is served but missing from %s", handler_table[i].key, TSV);
	}
}
END_TEST

static struct kreq_header hdr(const char *client, int16_t key, int16_t ver)
{
	struct kreq_header h = { key, ver, 1, { client, (int32_t)strlen(client) } };
	return h;
}

START_TEST(test_unsupported_logged_once_per_client)
{
	static struct unsupported_log ul;
	unsupported_log_reset(&ul);
	struct kreq_header a = hdr("old-app", 1, 99);
	ck_assert_int_eq(unsupported_log_note(&ul, &a, "/127.0.0.1", 0, 12, 1000), 1);
	ck_assert_int_eq(unsupported_log_note(&ul, &a, "/127.0.0.1", 0, 12, 1001), 0);
	/* another host, version or API is another client/request kind */
	ck_assert_int_eq(unsupported_log_note(&ul, &a, "/127.0.0.2", 0, 12, 1002), 1);
	struct kreq_header b = hdr("old-app", 1, 98);
	ck_assert_int_eq(unsupported_log_note(&ul, &b, "/127.0.0.1", 0, 12, 1003), 1);
	struct kreq_header c = hdr("old-app", 77, 0);
	ck_assert_int_eq(unsupported_log_note(&ul, &c, "/127.0.0.1", -1, -1, 1004), 1);
}
END_TEST

START_TEST(test_unsupported_rate_limited_and_bounded)
{
	static struct unsupported_log ul;
	unsupported_log_reset(&ul);
	char id[32];
	int logged = 0;
	/* a flood of distinct clients: at most the per-minute limit is logged */
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "client-%d", i);
		struct kreq_header h = hdr(id, 3, 99);
		logged += unsupported_log_note(&ul, &h, "/10.0.0.1", 0, 12, 5000);
	}
	ck_assert_int_eq(logged, UNSUPPORTED_LOG_PER_MIN);
	/* a minute later lines flow again */
	struct kreq_header h = hdr("late", 3, 99);
	ck_assert_int_eq(unsupported_log_note(&ul, &h, "/10.0.0.1", 0, 12, 5000 + 60000), 1);
}
END_TEST

/* Two brokers' tables (each server owns one): what one remembered or held
 * back says nothing about the other. */
START_TEST(test_unsupported_tables_independent)
{
	static struct unsupported_log one, two;
	unsupported_log_reset(&one);
	unsupported_log_reset(&two);
	struct kreq_header a = hdr("old-app", 1, 99);
	ck_assert_int_eq(unsupported_log_note(&one, &a, "/127.0.0.1", 0, 12, 1000), 1);
	ck_assert_int_eq(unsupported_log_note(&one, &a, "/127.0.0.1", 0, 12, 1001), 0);
	ck_assert_int_eq(unsupported_log_note(&two, &a, "/127.0.0.1", 0, 12, 1002), 1);
	/* one over its rate limit; two still logs */
	char id[32];
	for (int i = 0; i < 2 * UNSUPPORTED_LOG_PER_MIN; i++) {
		snprintf(id, sizeof id, "flood-%d", i);
		struct kreq_header h = hdr(id, 3, 99);
		unsupported_log_note(&one, &h, "/10.0.0.1", 0, 12, 2000);
	}
	struct kreq_header n = hdr("new-app", 3, 99);
	ck_assert_int_eq(unsupported_log_note(&one, &n, "/10.0.0.2", 0, 12, 2001), 0);
	ck_assert_int_eq(unsupported_log_note(&two, &n, "/10.0.0.2", 0, 12, 2002), 1);
	ck_assert_int_gt(one.held_back, 0);
	ck_assert_int_eq(two.held_back, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("api_ranges");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_advertised_equals_table);
	tcase_add_test(tc, test_unsupported_logged_once_per_client);
	tcase_add_test(tc, test_unsupported_rate_limited_and_bounded);
	tcase_add_test(tc, test_unsupported_tables_independent);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
