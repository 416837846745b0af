/* gregorctl's text parsers (coord/gregorctl/gctl_text.c): the timestamps
 * of consumer-groups --to-datetime (UTC, offsets, local time, fractions),
 * --by-duration's ISO-8601 durations, and configs --add-config's list with
 * bracketed values; every malformed input is refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coord/gregorctl/gctl_text.h"

START_TEST(datetime_utc_and_offsets)
{
	ck_assert_int_eq(gctl_parse_datetime("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T08:00:00Z"), 1796112000000LL);
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T08:00:00.5Z"), 1796112000500LL);
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T08:00:00.123456Z"), 1796112000123LL);
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T10:30:00+02:30"), 1796112000000LL);
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T03:00:00-05:00"), 1796112000000LL);
}
END_TEST

START_TEST(datetime_local_time)
{
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T08:00:00"), 1796112000000LL);
	setenv("TZ", "Europe/Berlin", 1); /* UTC+1 in December */
	tzset();
	ck_assert_int_eq(gctl_parse_datetime("2026-12-01T09:00:00.000"), 1796112000000LL);
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(datetime_malformed)
{
	const char *bad[] = { "", "yesterday", "2026-12-01", "2026-12-01 08:00:00Z",
			      "2026-12-01T08:00:00.Z", "2026-12-01T08:00:00+2", "2026-12-01T08:00:00+99:00",
			      "2026-12-01T08:00:00+0a:00", "2026-12-01T08:00:00Zjunk", "1969-12-31T00:00:00Z" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(gctl_parse_datetime(bad[i]) == -1, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(duration_forms)
{
	ck_assert_int_eq(gctl_parse_duration("PT1H"), 3600000);
	ck_assert_int_eq(gctl_parse_duration("PT30M"), 1800000);
	ck_assert_int_eq(gctl_parse_duration("PT1.5S"), 1500);
	ck_assert_int_eq(gctl_parse_duration("P1D"), 86400000);
	ck_assert_int_eq(gctl_parse_duration("P1DT12H"), 129600000);
	ck_assert_int_eq(gctl_parse_duration("PT1H2M3S"), 3723000);
	ck_assert_int_eq(gctl_parse_duration("PT0S"), 0);
	const char *bad[] = { "", "P", "PT", "1H", "PT1D", "P1H", "PT-1H", "PT1X", "PT1H junk",
			      "PTH", "P1DT" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(gctl_parse_duration(bad[i]) == -1, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(configs_split)
{
	char s[] = "retention.ms=1000,cleanup.policy=[compact,delete],x=,y=a=b";
	char *k[8], *v[8];
	const char *why;
	ck_assert_int_eq(gctl_split_configs(s, k, v, 8, &why), 4);
	ck_assert_str_eq(k[0], "retention.ms");
	ck_assert_str_eq(v[0], "1000");
	ck_assert_str_eq(k[1], "cleanup.policy");
	ck_assert_str_eq(v[1], "compact,delete");
	ck_assert_str_eq(k[2], "x");
	ck_assert_str_eq(v[2], "");
	ck_assert_str_eq(k[3], "y");
	ck_assert_str_eq(v[3], "a=b");
	char empty[] = "";
	ck_assert_int_eq(gctl_split_configs(empty, k, v, 8, &why), 0);
}
END_TEST

START_TEST(configs_split_malformed)
{
	const char *bad[] = { "novalue", "=v", "a=1,b", "a=[1,2", "a=1,,b=2", "k,x=1" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char buf[32], *k[4], *v[4];
		const char *why = NULL;
		snprintf(buf, sizeof buf, "%s", bad[i]);
		ck_assert_msg(gctl_split_configs(buf, k, v, 4, &why) == -1 && why, "accepted '%s'", bad[i]);
	}
	char many[] = "a=1,b=2,c=3";
	char *k[2], *v[2];
	const char *why;
	ck_assert_int_eq(gctl_split_configs(many, k, v, 2, &why), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gctl_text");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, datetime_utc_and_offsets);
	tcase_add_test(tc, datetime_local_time);
	tcase_add_test(tc, datetime_malformed);
	tcase_add_test(tc, duration_forms);
	tcase_add_test(tc, configs_split);
	tcase_add_test(tc, configs_split_malformed);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
