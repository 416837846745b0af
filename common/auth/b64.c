/* Base64 for SCRAM and Kafka's credential strings (see b64.h). */
#include "common/auth/b64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t need = b64_encoded_len(n);
	if (cap < need + 1)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	out[o] = 0;
	return (int)o;
}

static int b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int b64_decode(const char *text, size_t len, uint8_t *out, size_t cap)
{
	if (len % 4)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		int last = i + 4 == len;
		int pad = 0;
		uint32_t v = 0;
		for (int k = 0; k < 4; k++) {
			char ch = text[i + k];
			int d;
			if (ch == '=' && last && k >= 2 && (k == 3 || text[i + 3] == '=')) {
				pad++;
				d = 0;
			} else if ((d = b64_value(ch)) < 0 || pad) {
				return -1;
			}
			v = v << 6 | (uint32_t)d;
		}
		size_t take = 3 - (size_t)pad;
		if (o + take > cap)
			return -1;
		out[o++] = (uint8_t)(v >> 16);
		if (take > 1)
			out[o++] = (uint8_t)(v >> 8);
		if (take > 2)
			out[o++] = (uint8_t)v;
	}
	return (int)o;
}
