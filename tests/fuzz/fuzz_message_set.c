/* libFuzzer target: arbitrary bytes as a legacy message set (magic 0/1)
 * handed to ms_convert, as Produce v0-2 does. Whatever it accepts must be
 * one valid RecordBatch v2 for the log; nothing may read past the input or
 * inflate past the cap. The same bytes, read as a log slice of v2 batches,
 * go through Fetch v0-3's down-conversion (ms_down_convert), whose output,
 * when it succeeds with something, must in turn be a message set that
 * ms_convert accepts; and an accepted set's up-converted batch, converted
 * back down, must be accepted too. */
#include <stdint.h>
#include <stdlib.h>

#include "common/compress.h"
#include "common/proto/kerr.h"
#include "common/proto/message_set.h"
#include "common/proto/record_batch.h"

static void down_and_back(const uint8_t *p, size_t len, int must_work)
{
	for (int magic = 0; magic <= 1; magic++) {
		struct cbuf down = { 0 }, up = { 0 };
		struct ms_down_stats st = { 0 };
		int rc = ms_down_convert(p, len, magic, 0, 1 << 20, 1 << 20, &down, &st);
		if (must_work && rc != 0 && rc != KERR_UNSUPPORTED_COMPRESSION_TYPE)
			abort();
		if (rc == 0 && down.len > 0 && ms_convert(down.p, down.len, -1, 1 << 22, &up) != 0)
			abort();
		cbuf_free(&down);
		cbuf_free(&up);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbuf out = { 0 };
	if (ms_convert(data, size, -1, 1 << 20, &out) == 0) {
		struct rb_header h;
		if (rb_validate_produce(out.p, out.len, -1, &h) != 0)
			abort();
		down_and_back(out.p, out.len, 1);
	}
	cbuf_free(&out);
	down_and_back(data, size, 0);
	return 0;
}
