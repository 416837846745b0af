/* libFuzzer target: arbitrary bytes as a legacy message set (magic 0/1)
 * handed to ms_convert, as Produce v0-2 does. Whatever it accepts must be
 * one valid RecordBatch v2 for the log; nothing may read past the input or
 * inflate past the cap. */
#include <stdint.h>
#include <stdlib.h>

#include "common/compress.h"
#include "common/proto/message_set.h"
#include "common/proto/record_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbuf out = { 0 };
	if (ms_convert(data, size, -1, 1 << 20, &out) == 0) {
		struct rb_header h;
		if (rb_validate_produce(out.p, out.len, -1, &h) != 0)
			abort();
	}
	cbuf_free(&out);
	return 0;
}
