/* Delayed produce: under acks=all the response waits until the high
 * watermark of every written partition has passed its batch, i.e. every
 * ISR member has it (and, with a flush per message, has flushed it: the
 * leader counts itself towards the high watermark only up to its flushed
 * end, a follower reports only flushed offsets); under acks=1 with a flush
 * per message, until the leader's own flush covered it (partition_ack_end).
 * Or until the request's timeout (REQUEST_TIMED_OUT for what is missing). */
#ifndef GREGOR_DELAYED_PRODUCE_H
#define GREGOR_DELAYED_PRODUCE_H

#include <stdint.h>

#include "common/proto/codec.h"

struct request;

struct produce_wait {
	struct kstr topic;      /* points into the request */
	int32_t index;
	int64_t required;       /* batch last offset + 1 */
	int16_t *error_code;    /* the partition's slot in the response */
	int own_flush;          /* acks=1: partition_ack_end must reach required,
				 * else (acks=all) the high watermark */
};

/* Takes over the request: responds with resp now or later. parts lives in
 * the request's arena. */
void delayed_produce_start(struct request *req, void *resp, struct produce_wait *parts,
			   int32_t n, int32_t timeout_ms);

#endif
