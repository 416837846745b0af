/* gregorctl dump-log: kafka-dump-log.sh, offline. Decodes a segment's
 * .log (RecordBatch v2 through common/proto/record_batch, compressed
 * batches through common/compress), .index (8-byte entries: relative
 * offset, position), .timeindex (12: timestamp, relative offset) and
 * .txnindex (34: version, producer id, first, last offset, LSO), all
 * big-endian as Kafka writes them. Files are untrusted: every length is
 * bounded by the file's size, and a torn tail is reported, not read. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/compress.h"
#include "common/proto/crc32c.h"
#include "common/proto/record_batch.h"
#include "coord/gregorctl/gctl.h"

#define DL_MAX_INFLATE (256u << 20) /* a decompressed batch, at most */

static const struct gctl_spec dl_spec = {
	"dump-log", "files deep-iteration print-data-log index-sanity-check",
	"usage: gregorctl dump-log --files F[,F...] [--deep-iteration] [--print-data-log]\n"
	"         [--index-sanity-check]   (kafka-dump-log; offline, no cluster needed)\n"
	"  F: a segment's NNN.log, NNN.index, NNN.timeindex or NNN.txnindex\n"
	"  .log: one line per batch (offsets, producer, epoch, flags, position, size,\n"
	"        codec, CRC check); --deep-iteration adds a line per record, and\n"
	"        --print-data-log (implies it) adds keys and values (control records\n"
	"        show their marker)\n"
	"  .index/.timeindex: each entry; both are checked against the segment's .log\n"
	"        when it is next to them (--index-sanity-check: only the check)\n"
	"  .txnindex: each aborted transaction\n"
	"example: gregorctl dump-log --files /var/lib/kafka/t-0/00000000000000000000.log "
	"--print-data-log\n",
};

struct dl_file {
	const uint8_t *p;
	size_t len;
	int64_t base; /* from the name's digits */
};

static int dl_map(const char *path, struct dl_file *f)
{
	memset(f, 0, sizeof *f);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		gctl_err("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	f->len = (size_t)st.st_size;
	if (f->len > 0) {
		void *m = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			gctl_err("%s: mmap: %s", path, strerror(errno));
			close(fd);
			return 1;
		}
		f->p = m;
	}
	close(fd);
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	f->base = strtoll(name, NULL, 10);
	return 0;
}

static void dl_unmap(struct dl_file *f)
{
	if (f->p)
		munmap((void *)f->p, f->len);
}

static uint64_t dl_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Zigzag varint (record headers); -1 with *ok 0 past end. */
static int64_t dl_varint(const uint8_t **p, const uint8_t *end, int *ok)
{
	uint64_t u = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end) {
			*ok = 0;
			return -1;
		}
		uint8_t b = *(*p)++;
		u |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	}
	*ok = 0;
	return -1;
}

/* Bytes as text; anything not printable ASCII as \xNN. */
static void dl_print_bytes(const uint8_t *p, int32_t len)
{
	if (!p || len < 0) {
		fputs("null", stdout);
		return;
	}
	for (int32_t i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
}

static void dl_header_keys(const struct rb_record *r)
{
	const uint8_t *p = r->hdr_p, *end = r->hdr_p + r->hdr_len;
	int ok = 1;
	int64_t n = p ? dl_varint(&p, end, &ok) : 0;
	fputs(" headerKeys: [", stdout);
	for (int64_t i = 0; ok && i < n; i++) {
		int64_t kl = dl_varint(&p, end, &ok);
		if (!ok || kl < 0 || kl > end - p)
			break;
		fputs(i ? "," : "", stdout);
		dl_print_bytes(p, (int32_t)kl);
		p += kl;
		int64_t vl = dl_varint(&p, end, &ok);
		if (!ok || vl > end - p)
			break;
		p += vl > 0 ? vl : 0;
	}
	fputs("]", stdout);
}

static void dl_record(const struct rb_header *h, const struct rb_record *r, int data)
{
	int64_t off = h->base_offset + r->offset_delta;
	int seq = h->base_sequence < 0 ? -1 : h->base_sequence + r->offset_delta;
	printf("| offset: %" PRId64 " %s: %" PRId64 " keySize: %d valueSize: %d sequence: %d",
	       off, h->attributes & RB_ATTR_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime",
	       h->base_timestamp + r->timestamp_delta, r->key_len, r->value_len, seq);
	dl_header_keys(r);
	if (h->attributes & RB_ATTR_CONTROL) {
		/* key {version int16, type int16}; value {version int16, coordinatorEpoch int32} */
		int type = r->key && r->key_len >= 4 ? (int)(int16_t)dl_be(r->key + 2, 2) : -1;
		int ce = r->value && r->value_len >= 6 ? (int)(int32_t)dl_be(r->value + 2, 4) : -1;
		printf(" endTxnMarker: %s coordinatorEpoch: %d", type == 0 ? "ABORT" :
		       type == 1 ? "COMMIT" : "UNKNOWN", ce);
	} else if (data) {
		fputs(" key: ", stdout);
		dl_print_bytes(r->key, r->key_len);
		fputs(" payload: ", stdout);
		dl_print_bytes(r->value, r->value_len);
	}
	putchar('\n');
}

/* The records of one batch (inflated first when compressed). */
static int dl_records(const uint8_t *b, size_t len, const struct rb_header *h, int data)
{
	struct cbuf view = { NULL, 0, 0 };
	int codec = h->attributes & RB_ATTR_COMPRESSION_MASK;
	if (codec) {
		int rc = compress_batch_view(b, len, DL_MAX_INFLATE, &view);
		if (rc) {
			printf("| cannot decompress (%s): %s\n", compress_codec_name(codec), strerror(-rc));
			cbuf_free(&view);
			return 1;
		}
		b = view.p;
		len = view.len;
	}
	struct rb_iter it;
	struct rb_record r;
	int rc;
	rb_iter_init(&it, b, len);
	while ((rc = rb_iter_next(&it, &r)) == 1)
		dl_record(h, &r, data);
	cbuf_free(&view);
	if (rc < 0)
		printf("| malformed records\n");
	return rc < 0;
}

static void dl_batch_line(const struct rb_header *h, int64_t pos, int64_t size, int valid)
{
	int32_t last_seq = h->base_sequence < 0 ? -1 : h->base_sequence + h->last_offset_delta;
	printf("baseOffset: %" PRId64 " lastOffset: %" PRId64 " count: %d baseSequence: %d "
	       "lastSequence: %d producerId: %" PRId64 " producerEpoch: %d partitionLeaderEpoch: %d "
	       "isTransactional: %s isControl: %s position: %" PRId64 " %s: %" PRId64 " size: %" PRId64
	       " magic: %d compresscodec: %s crc: %" PRIu32 " isvalid: %s\n",
	       h->base_offset, rb_last_offset(h), h->records_count, h->base_sequence, last_seq,
	       h->producer_id, h->producer_epoch, h->partition_leader_epoch,
	       h->attributes & RB_ATTR_TRANSACTIONAL ? "true" : "false",
	       h->attributes & RB_ATTR_CONTROL ? "true" : "false", pos,
	       h->attributes & RB_ATTR_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime",
	       h->max_timestamp, size, h->magic,
	       compress_codec_name(h->attributes & RB_ATTR_COMPRESSION_MASK), h->crc,
	       valid ? "true" : "false");
}

static int dl_log(const struct gctl *g, const struct dl_file *f)
{
	int deep = g->o.deep_iteration || g->o.print_data_log, bad = 0;
	printf("Log starting offset: %" PRId64 "\n", f->base);
	size_t pos = 0;
	while (pos < f->len) {
		int64_t size = rb_total_size(f->p + pos, f->len - pos);
		struct rb_header h;
		if (size < RB_HEADER_SIZE || (size_t)size > f->len - pos ||
		    rb_parse_header(f->p + pos, f->len - pos, &h) < 0) {
			printf("Found %zu invalid bytes at the end of %s (a torn or cut batch)\n",
			       f->len - pos, "the segment");
			return 1;
		}
		if (h.magic != 2) {
			printf("position: %zu magic: %d (not a RecordBatch v2; not decoded)\n", pos, h.magic);
			return 1;
		}
		uint32_t crc = crc32c(0, f->p + pos + 21, (size_t)size - 21);
		int valid = crc == h.crc;
		bad |= !valid;
		dl_batch_line(&h, (int64_t)pos, size, valid);
		if (deep)
			bad |= dl_records(f->p + pos, (size_t)size, &h, g->o.print_data_log);
		pos += (size_t)size;
	}
	return bad;
}

/* The .log next to an index file (same base name), mapped; 0 if none. */
static int dl_sibling_log(const char *path, struct dl_file *log)
{
	char lp[4096];
	const char *dot = strrchr(path, '.');
	if (!dot || (size_t)(dot - path) + 5 > sizeof lp)
		return 0;
	snprintf(lp, sizeof lp, "%.*s.log", (int)(dot - path), path);
	if (access(lp, R_OK) != 0)
		return 0;
	return dl_map(lp, log) == 0;
}

/* The batch at pos in log starts at offset want? */
static int dl_batch_at(const struct dl_file *log, uint64_t pos, int64_t want, int64_t *got)
{
	struct rb_header h;
	*got = -1;
	if (pos >= log->len || rb_parse_header(log->p + pos, log->len - pos, &h) < 0)
		return 0;
	*got = h.base_offset;
	return h.base_offset == want;
}

/* Kafka preallocates index files with zeros; entries stop at the first
 * entry whose relative offset is 0 after the first. */
static int dl_index(const struct gctl *g, const char *path, const struct dl_file *f)
{
	struct dl_file log;
	int has_log = dl_sibling_log(path, &log), bad = 0;
	int64_t prev = -1;
	for (size_t i = 0; i + 8 <= f->len; i += 8) {
		int64_t off = f->base + (int64_t)dl_be(f->p + i, 4);
		uint64_t pos = dl_be(f->p + i + 4, 4);
		if (i > 0 && off == f->base && pos == 0)
			break;
		if (!g->o.index_sanity)
			printf("offset: %" PRId64 " position: %" PRIu64 "\n", off, pos);
		int64_t got;
		if (off <= prev) {
			printf("Index offset %" PRId64 " is not above the previous %" PRId64 "\n", off, prev);
			bad = 1;
		}
		if (has_log && !dl_batch_at(&log, pos, off, &got)) {
			printf("Mismatch: index offset %" PRId64 " position %" PRIu64 ", log batch there: %"
			       PRId64 "\n", off, pos, got);
			bad = 1;
		}
		prev = off;
	}
	if (f->len % 8)
		printf("%zu trailing bytes (not a whole entry)\n", f->len % 8);
	if (g->o.index_sanity)
		printf("%s passed sanity check.\n", bad ? "Index NOT" : "Index");
	if (has_log)
		dl_unmap(&log);
	return bad;
}

static int dl_timeindex(const struct gctl *g, const struct dl_file *f)
{
	int64_t prev = -1;
	int bad = 0;
	for (size_t i = 0; i + 12 <= f->len; i += 12) {
		int64_t ts = (int64_t)dl_be(f->p + i, 8);
		int64_t off = f->base + (int64_t)dl_be(f->p + i + 8, 4);
		if (i > 0 && ts == 0 && off == f->base)
			break;
		if (ts <= prev) {
			printf("Time index timestamp %" PRId64 " is not above the previous %" PRId64 "\n",
			       ts, prev);
			bad = 1;
		}
		prev = ts;
		if (!g->o.index_sanity)
			printf("timestamp: %" PRId64 " offset: %" PRId64 "\n", ts, off);
	}
	if (g->o.index_sanity)
		printf("%s passed sanity check.\n", bad ? "Time index NOT" : "Time index");
	return bad;
}

static int dl_txnindex(const struct dl_file *f)
{
	for (size_t i = 0; i + 34 <= f->len; i += 34)
		printf("version: %d producerId: %" PRId64 " firstOffset: %" PRId64
		       " lastOffset: %" PRId64 " lastStableOffset: %" PRId64 "\n",
		       (int)(int16_t)dl_be(f->p + i, 2), (int64_t)dl_be(f->p + i + 2, 8),
		       (int64_t)dl_be(f->p + i + 10, 8), (int64_t)dl_be(f->p + i + 18, 8),
		       (int64_t)dl_be(f->p + i + 26, 8));
	if (f->len % 34)
		printf("%zu trailing bytes (not a whole entry)\n", f->len % 34);
	return f->len % 34 != 0;
}

static int dl_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int dl_one(const struct gctl *g, const char *path)
{
	int kind = dl_ends(path, ".log") ? 1 : dl_ends(path, ".index") ? 2 :
		   dl_ends(path, ".timeindex") ? 3 : dl_ends(path, ".txnindex") ? 4 : 0;
	if (!kind)
		return gctl_err("%s: not a .log, .index, .timeindex or .txnindex file", path), 1;
	struct dl_file f;
	if (dl_map(path, &f))
		return 1;
	printf("Dumping %s\n", path);
	int rc = kind == 1 ? dl_log(g, &f) : kind == 2 ? dl_index(g, path, &f) :
		 kind == 3 ? dl_timeindex(g, &f) : dl_txnindex(&f);
	dl_unmap(&f);
	return rc;
}

int gctl_verb_dump_log(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &dl_spec, w, 0, &rc) >= 0) {
		rc = 0;
		if (g.o.files.n == 0)
			rc = gctl_usage_err("dump-log", "--files F[,F...] is required");
		for (int i = 0; i < g.o.files.n; i++)
			rc |= dl_one(&g, g.o.files.v[i]);
	}
	gctl_done(&g);
	return rc;
}
