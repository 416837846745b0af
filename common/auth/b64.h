/* Standard base64 (RFC 4648, with padding), as SCRAM messages and Kafka's
 * stored credentials use it. Strict decoding: a character outside the
 * alphabet, a bad length or bad padding is refused. */
#ifndef GREGOR_AUTH_B64_H
#define GREGOR_AUTH_B64_H

#include <stddef.h>
#include <stdint.h>

/* Characters b64_encode writes for n bytes (without the NUL). */
static inline size_t b64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

/* Writes the encoding of in[0..n) and a NUL; returns its length, or -1 if
 * cap is too small. */
int b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Decodes text[0..len) into out; returns the byte count, or -1 on bad
 * input or when cap is too small. */
int b64_decode(const char *text, size_t len, uint8_t *out, size_t cap);

#endif
