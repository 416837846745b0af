/* Transactional offset commits (TxnOffsetCommit) on the group coordinator's
 * side: offsets written to __consumer_offsets inside a transaction stay
 * pending, per (partition, producer id), until the transaction's marker
 * lands on that partition: COMMIT applies them to the group, ABORT drops
 * them. Loop thread only. */
#ifndef GREGOR_TXN_OFFSETS_H
#define GREGOR_TXN_OFFSETS_H

#include <stdint.h>

#define TXN_OFFSETS_TOPIC "__consumer_offsets"

struct broker;

/* A marker of producer_id was appended (and acknowledged) on
 * __consumer_offsets partition `partition` of this broker. */
void txn_offsets_on_marker(struct broker *b, int32_t partition, int64_t producer_id, int commit);

#endif
