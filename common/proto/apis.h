/* The registry of the Kafka APIs Gregor describes (key, name, versions,
 * schemas) and the request/response headers that frame every message.
 * Header rules: docs/protocol.md §2. */
#ifndef GREGOR_APIS_H
#define GREGOR_APIS_H

#include <stdint.h>

#include "common/proto/codec.h"

struct kapi {
	int16_t key;
	const char *name;
	int16_t max_version;  /* highest version the schemas describe */
	int16_t flex_from;    /* first flexible version; -1 never (in range) */
	const struct kmsg *req, *resp;
};

/* NULL for keys not described. */
const struct kapi *kapi_find(int16_t key);
/* The whole table, for ApiVersions and tests; *n gets the count. */
const struct kapi *kapi_all(int *n);
struct kver kapi_ver(const struct kapi *api, int16_t version);
/* Is (key, version) flexible?  Unknown keys: no. */
int kapi_flexible(int16_t key, int16_t version);

struct kreq_header {
	int16_t api_key, api_version;
	int32_t correlation_id;
	struct kstr client_id; /* nullable; absent (header v0) = null */
};

/* Header v2 if the API version is flexible, v0 for ControlledShutdown v0,
 * else v1 (also for unknown keys/versions: the caller decides what to do).
 * Returns 0 or -EBADMSG. client_id points into the reader's buffer. */
int kreq_header_decode(struct kreader *r, struct kreq_header *h);
void kreq_header_encode(struct kout *w, const struct kreq_header *h);

/* Response header v1 (correlation id + tag buffer) if flexible, else v0;
 * ApiVersions always v0. Neither includes the i32 frame size. */
void kresp_header_encode(struct kout *w, int16_t api_key, int16_t version,
			 int32_t correlation_id);
int kresp_header_decode(struct kreader *r, int16_t api_key, int16_t version,
			int32_t *correlation_id);
/* The rest of a response header once its correlation id has been read (as
 * a broker channel hands over the body): the tag buffer if flexible. */
int kresp_header_tags_decode(struct kreader *r, int16_t api_key, int16_t version);

#endif
