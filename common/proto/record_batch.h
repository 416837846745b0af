/* RecordBatch v2 (magic 2): header access, validation, building.
 * Layout and rules: docs/protocol.md §3. All multi-byte header fields
 * are big-endian; record fields use zigzag varints. */
#ifndef GREGOR_RECORD_BATCH_H
#define GREGOR_RECORD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define RB_HEADER_SIZE 61      /* bytes before the first record */
#define RB_LOG_OVERHEAD 12     /* baseOffset + batchLength */

#define RB_ATTR_COMPRESSION_MASK 0x07
#define RB_ATTR_LOG_APPEND_TIME  0x08
#define RB_ATTR_TRANSACTIONAL    0x10
#define RB_ATTR_CONTROL          0x20

/* The header fields of one batch, decoded. */
struct rb_header {
	int64_t base_offset;
	int32_t batch_length;      /* bytes after this field */
	int32_t partition_leader_epoch;
	int8_t magic;
	uint32_t crc;
	int16_t attributes;
	int32_t last_offset_delta;
	int64_t base_timestamp;
	int64_t max_timestamp;
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t base_sequence;
	int32_t records_count;
};

/* Size of the whole batch that starts at p (12 + batchLength), or -1 if
 * fewer than 12 bytes are available. Does not validate. */
int64_t rb_total_size(const uint8_t *p, size_t avail);

/* Decodes the 61-byte header; -1 if avail < 61. No validation. */
int rb_parse_header(const uint8_t *p, size_t avail, struct rb_header *h);

/* Checks one batch for the log: length fields, magic 2, CRC-32C, record
 * count > 0 and == lastOffsetDelta + 1, and, for uncompressed batches, that
 * the records decode exactly to the batch end with offset deltas 0..n-1.
 * Returns 0 or a Kafka error code: CORRUPT_MESSAGE (2) for size/CRC/magic
 * failures, INVALID_RECORD (87) for bad contents. */
int rb_validate(const uint8_t *p, size_t len, struct rb_header *h);

/* Producer-facing checks on top of rb_validate (Produce v3+): exactly one
 * batch, not a control batch, producerId >= 0 implies baseSequence >= 0,
 * size <= max_bytes (MESSAGE_TOO_LARGE). Returns 0 or a Kafka error code. */
int rb_validate_produce(const uint8_t *p, size_t len, int32_t max_bytes,
			struct rb_header *h);

/* Stamps baseOffset and partitionLeaderEpoch in place (CRC unaffected). */
void rb_set_base_offset(uint8_t *p, int64_t base_offset);
void rb_set_leader_epoch(uint8_t *p, int32_t epoch);
/* message.timestamp.type=LogAppendTime: sets the attribute's timestamp-type
 * bit and maxTimestamp to now_ms and computes the CRC again, which covers
 * both. len is the batch's whole length. Returns now_ms. */
int64_t rb_stamp_log_append_time(uint8_t *p, size_t len, int64_t now_ms);
static inline int64_t rb_last_offset(const struct rb_header *h)
{
	return h->base_offset + h->last_offset_delta;
}

/* One record, decoded from an uncompressed batch. key/value NULL with len -1
 * when null. Headers are left undecoded (hdr_p/hdr_len cover count+headers). */
struct rb_record {
	int8_t attributes;
	int64_t timestamp_delta;
	int32_t offset_delta;
	const uint8_t *key;
	int32_t key_len;
	const uint8_t *value;
	int32_t value_len;
	int32_t header_count;
	const uint8_t *hdr_p;
	size_t hdr_len;
};

/* Iterates the records of an uncompressed batch. */
struct rb_iter {
	const uint8_t *p, *end;
	int32_t left;
	int err;
};
void rb_iter_init(struct rb_iter *it, const uint8_t *batch, size_t len);
/* 1 with *rec filled, 0 at the end, -1 on malformed data. */
int rb_iter_next(struct rb_iter *it, struct rb_record *rec);

/* Builds an uncompressed batch in buf (cap bytes): records from parallel
 * arrays of keys/values (NULL = null, lens given), base offset 0, leader
 * epoch -1, the given producer fields and attributes, CRC computed.
 * Returns the batch size, or -1 if cap is too small. */
struct rb_build_record {
	const void *key;
	int32_t key_len;
	const void *value;
	int32_t value_len;
};
int64_t rb_build(uint8_t *buf, size_t cap, const struct rb_build_record *recs,
		 int n, int64_t timestamp, int16_t attributes,
		 int64_t producer_id, int16_t producer_epoch, int32_t base_sequence);

#endif
