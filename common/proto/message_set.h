/* Legacy message sets (magic 0 and 1, Kafka's pre-0.11 "MessageSet") as old
 * producers send them in Produce v0-2: validation and up-conversion to one
 * RecordBatch v2, which the log then stores like any v3+ batch. Entries are
 * offset i64, size i32, then the message: crc i32 (CRC-32 over magic..end),
 * magic i8, attributes i8 (bits 0-2 codec, bit 3 LogAppendTime in magic 1),
 * timestamp i64 (magic 1 only), key bytes, value bytes. A compressed
 * message's value is a compressed inner message set. */
#ifndef GREGOR_MESSAGE_SET_H
#define GREGOR_MESSAGE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "common/compress.h"

/* offset + size + crc + magic + attributes + key len + value len */
#define MS_V0_MIN 26
/* ... + timestamp */
#define MS_V1_MIN 34

/* 1 if p[0..len) starts like a legacy entry (the magic byte, at the same
 * position 16 as a RecordBatch's, is 0 or 1), else 0. */
int ms_is_legacy(const uint8_t *p, size_t len);

/* CRC-32 (IEEE, as zlib's crc32) over p[0..n), continuing from crc. */
uint32_t ms_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* Converts the whole message set p[0..len) into one magic-2 batch that
 * replaces out's contents: every message (inner messages of compressed
 * wrappers in order) becomes one record with its key and value, offset
 * deltas 0..n-1, timestamp = the message's (magic 1; a LogAppendTime
 * wrapper's own for its inner messages) or -1 (magic 0, Kafka's NO_TIMESTAMP),
 * no headers, producer id/epoch/sequence -1, partition leader epoch -1. If
 * any entry was compressed the batch is compressed with the codec of the
 * last such entry (Kafka's source codec), else uncompressed. CRC-32C set.
 *
 * max_entry: limit on each top-level entry's size (max.message.bytes; < 0 for
 * none). max_inflate: bytes all wrappers may inflate to, together.
 * Returns 0 or a Kafka error code: CORRUPT_MESSAGE for a bad CRC, a size
 * outside its bounds, a truncated entry or a broken compressed stream;
 * INVALID_RECORD for an empty set or wrapper, magic 2+ among legacy entries,
 * a compressed inner message or an inner magic differing from its wrapper's;
 * MESSAGE_TOO_LARGE for an entry past max_entry or inflate past max_inflate;
 * UNSUPPORTED_COMPRESSION_TYPE for codec 4 (zstd needs magic 2) and above;
 * UNKNOWN_SERVER_ERROR when memory runs out. The LZ4 frame header checksum
 * of a magic 0 wrapper is not checked (Kafka's rule: 0.8-0.9 producers got
 * it wrong). */
int ms_convert(const uint8_t *p, size_t len, int32_t max_entry,
	       size_t max_inflate, struct cbuf *out);

/* What one down-conversion did, for the broker's cost figures. */
struct ms_down_stats {
	int64_t batches_in, bytes_in;   /* v2 batches read (control ones too) */
	int64_t records_out, bytes_out; /* legacy messages written */
	int64_t inflated;               /* bytes compressed batches inflated to */
};

/* Fetch v0-3 (Kafka's RecordsUtil.downConvert): rewrites the v2 batches in
 * p[0..len) (a log slice; a cut-off last batch is ignored) as a legacy
 * message set of `magic` (0 or 1) appended to out: one uncompressed message
 * per record whose offset >= first_offset, with its offset, key and value
 * (headers have no place in magic 0/1); magic 1 carries the record's
 * timestamp, or for a LogAppendTime batch the batch's max timestamp with
 * attribute bit 3. Control batches are dropped. Compressed batches are
 * inflated (at most max_inflate bytes in all) and written uncompressed.
 * Work is bounded: conversion stops at the first batch that would take out
 * past max_out bytes, except that the first message is always written (so a
 * consumer never stalls).
 * Returns 0, UNSUPPORTED_COMPRESSION_TYPE for a zstd batch before anything
 * was written (zstd needs magic 2, as Kafka answers; after something was
 * written conversion just stops there), CORRUPT_MESSAGE for a broken batch,
 * UNKNOWN_SERVER_ERROR when memory runs out. */
int ms_down_convert(const uint8_t *p, size_t len, int magic, int64_t first_offset,
		    size_t max_out, size_t max_inflate, struct cbuf *out,
		    struct ms_down_stats *st);

#endif
