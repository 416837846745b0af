/* Delayed produce (acks=all): the response waits until the high watermark of
 * every written partition has passed its batch, i.e. every ISR member has it,
 * or until the request's timeout (REQUEST_TIMED_OUT for what is missing). */
#ifndef GREGOR_DELAYED_PRODUCE_H
#define GREGOR_DELAYED_PRODUCE_H

#include <stdint.h>

#include "common/proto/codec.h"

struct request;

struct produce_wait {
	struct kstr topic;      /* points into the request */
	int32_t index;
	int64_t required;       /* high watermark needed: batch last offset + 1 */
	int16_t *error_code;    /* the partition's slot in the response */
};

/* Takes over the request: responds with resp now or later. parts lives in
 * the request's arena. */
void delayed_produce_start(struct request *req, void *resp, struct produce_wait *parts,
			   int32_t n, int32_t timeout_ms);

#endif
