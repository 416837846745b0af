/* Kafka's record-batch codecs (attributes bits 0-2): gzip, snappy, lz4 and
 * zstd over Debian's zlib, libsnappy, liblz4 and libzstd. Inflate is bounded:
 * output never grows past the caller's cap, whatever a header claims, so a
 * decompression bomb or corrupt input fails cleanly (docs/protocol.md §5). */
#ifndef GREGOR_COMPRESS_H
#define GREGOR_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

enum compress_codec {
	COMPRESS_NONE = 0,
	COMPRESS_GZIP = 1,
	COMPRESS_SNAPPY = 2,
	COMPRESS_LZ4 = 3,
	COMPRESS_ZSTD = 4,
};

/* A growable byte buffer; callers keep one across calls to reuse memory.
 * Zero-initialised is empty. */
struct cbuf {
	uint8_t *p;
	size_t len, cap;
};

void cbuf_free(struct cbuf *b);
/* Makes room for need more bytes after len; 0 or -ENOMEM. */
int cbuf_reserve(struct cbuf *b, size_t need);
/* Appends n bytes; 0 or -ENOMEM. */
int cbuf_append(struct cbuf *b, const void *p, size_t n);

/* "gzip", "snappy", ... or "unknown". */
const char *compress_codec_name(int codec);

/* Inflates in[0..n) written with codec and appends the result to out.
 * At most max_out bytes are appended. Snappy is accepted both raw (what
 * librdkafka writes) and xerial-framed (Java clients); gzip and lz4 accept
 * concatenated members/frames. Returns 0, -EINVAL for corrupt or truncated
 * input, -EFBIG when the output would pass max_out, -ENOTSUP for an unknown
 * codec, -ENOMEM. On error out->len is back where it was. */
int compress_inflate(int codec, const uint8_t *in, size_t n, size_t max_out,
		     struct cbuf *out);

/* Deflates in[0..n) with codec and appends the result to out, in the format
 * Kafka's own writers use: gzip framing, xerial-framed snappy (32 KiB
 * blocks), an LZ4 frame (64 KiB independent blocks), a zstd frame.
 * Returns 0, -ENOTSUP, -ENOMEM, or -EIO if the library fails. */
int compress_deflate(int codec, const uint8_t *in, size_t n, struct cbuf *out);

/* Batch-level helpers (RecordBatch v2 layout, docs/protocol.md §3). The view of a
 * compressed batch is the same batch uncompressed: its 61-byte header with
 * the compression bits cleared and batchLength set to match, followed by the
 * inflated records, so that the record iterator (rb_iter) walks it. The CRC
 * in the view is the original one, i.e. not valid for the view.
 *
 * compress_batch_view: batch[0..len) is one whole compressed batch; the view
 * replaces out's contents. Returns 0, -EINVAL (no header, not compressed,
 * corrupt), -EFBIG (inflated records past max_out), -ENOTSUP, -ENOMEM. */
int compress_batch_view(const uint8_t *batch, size_t len, size_t max_out,
			struct cbuf *out);

/* The reverse: view[0..len) holds an uncompressed batch (header + records);
 * out gets the batch with its records deflated with codec, the codec in the
 * attributes and batchLength fixed. The caller recomputes the CRC over
 * [21, out->len) (CRC-32C lives in common/proto). Returns 0 or -errno. */
int compress_batch_pack(const uint8_t *view, size_t len, int codec,
			struct cbuf *out);

#endif
