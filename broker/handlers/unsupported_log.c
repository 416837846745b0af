/* Once-per-client logging of unsupported request versions (see the header).
 * The table is open-addressed on a 64-bit hash of the key; a full
 * neighbourhood overwrites its oldest slot, so a flood of distinct clients
 * costs at most a repeated line, never memory. */
#include "broker/handlers/unsupported_log.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"

#define PROBE 8

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t key_of(const struct kreq_header *h, const char *host)
{
	uint64_t k = 0xcbf29ce484222325ULL;
	if (h->client_id.len > 0)
		k = fnv(k, h->client_id.p, (size_t)h->client_id.len);
	k = fnv(k, "\0", 1);
	k = fnv(k, host, strlen(host));
	k = fnv(k, &h->api_key, sizeof h->api_key);
	k = fnv(k, &h->api_version, sizeof h->api_version);
	return k ? k : 1; /* 0 marks a free slot */
}

/* 1 if key was already there; else remembers it and returns 0. */
static int seen(struct unsupported_log *ul, uint64_t key, int64_t now_ms)
{
	size_t at = (size_t)(key % UNSUPPORTED_LOG_SLOTS), oldest = at;
	for (size_t i = 0; i < PROBE; i++) {
		size_t s = (at + i) % UNSUPPORTED_LOG_SLOTS;
		if (ul->key[s] == key)
			return 1;
		if (!ul->key[s]) {
			oldest = s;
			break;
		}
		if (ul->when[s] < ul->when[oldest])
			oldest = s;
	}
	ul->key[oldest] = key;
	ul->when[oldest] = now_ms;
	return 0;
}

static int rate_ok(struct unsupported_log *ul, int64_t now_ms)
{
	if (now_ms - ul->window_start >= 60000) {
		ul->window_start = now_ms;
		ul->lines = 0;
	}
	return ul->lines < UNSUPPORTED_LOG_PER_MIN;
}

int unsupported_log_note(struct unsupported_log *ul, const struct kreq_header *h,
			 const char *host, int16_t min_ver, int16_t max_ver, int64_t now_ms)
{
	if (seen(ul, key_of(h, host), now_ms))
		return 0;
	if (!rate_ok(ul, now_ms)) {
		ul->held_back++;
		return 0;
	}
	ul->lines++;
	const struct kapi *api = kapi_find(h->api_key);
	char served[48];
	if (min_ver < 0)
		strcpy(served, "an API Gregor does not serve");
	else
		snprintf(served, sizeof served, "Gregor serves v%d-%d", min_ver, max_ver);
	log_warn("server",
		 "client \"%.*s\" at %s sent %s (key %d) v%d: %s; the client needs upgrading "
		 "(or configuring) to a supported version%s",
		 h->client_id.len > 0 ? (int)h->client_id.len : 0,
		 h->client_id.len > 0 ? h->client_id.p : "", host,
		 api ? api->name : "an unknown API", h->api_key, h->api_version, served,
		 ul->held_back ? " (more such lines were held back by the rate limit)" : "");
	ul->held_back = 0;
	return 1;
}

void unsupported_log_reset(struct unsupported_log *ul)
{
	memset(ul, 0, sizeof *ul);
}
