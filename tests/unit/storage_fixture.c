/* The storage unit tests' shared fixture (see storage_fixture.h): the
 * temporary root and its removal, and batch builders. */
#include "tests/unit/storage_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/proto/record_batch.h"

static char root[64];
static int dir_seq;

int sfx_setup(const char *name)
{
	snprintf(root, sizeof root, "/tmp/gregor-%s-XXXXXX", name);
	return mkdtemp(root) ? 0 : -1;
}

const char *sfx_new_dir(void)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/d%d-%d", root, (int)getpid(), dir_seq++);
	return p;
}

int sfx_run(Suite *s, int nofork)
{
	SRunner *sr = srunner_create(s);
	if (nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		failed++;
	return failed ? 1 : 0;
}

size_t sfx_build(uint8_t *buf, size_t cap, int n, const void *val, int32_t vlen, int64_t ts)
{
	struct rb_build_record recs[16];
	ck_assert_int_le(n, 16);
	for (int i = 0; i < n; i++)
		recs[i] = (struct rb_build_record){ "k", 1, val, vlen };
	int64_t len = rb_build(buf, cap, recs, n, ts, 0, -1, -1, -1);
	ck_assert_int_gt(len, 0);
	return (size_t)len;
}

int64_t sfx_append(struct partition_log *log, int n, const void *val, int32_t vlen, int64_t ts,
		   int32_t epoch)
{
	size_t cap = RB_HEADER_SIZE + 64 + (size_t)n * ((size_t)vlen + 32);
	uint8_t *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t len = sfx_build(buf, cap, n, val, vlen, ts);
	int64_t leo = log_end_offset(log), base = -1;
	ck_assert_int_eq(log_append(log, buf, len, epoch, &base), 0);
	ck_assert_int_eq(log_check(log), 0);
	free(buf);
	ck_assert_int_eq(base, leo);
	ck_assert_int_eq(log_end_offset(log), leo + n);
	return base;
}

int64_t sfx_read_rp(const char *dir)
{
	char p[512];
	snprintf(p, sizeof p, "%s/recovery-point", dir);
	FILE *f = fopen(p, "r");
	long long v = -1;
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -2;
		fclose(f);
	}
	return v;
}
