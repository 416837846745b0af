/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78). The SSE4.2 crc32
 * instruction does 8 bytes per step when the CPU has it (checked once at run
 * time); otherwise a byte-wise table computed on first use.
 *
 * The instruction takes 3 cycles but a new one can start every cycle, so
 * long buffers run as three independent streams over three adjacent blocks,
 * joined afterwards: the CRC register is linear, so crc(A || B) is
 * crc(A) advanced over |B| zero bytes, xor the CRC of B from a zero
 * register; "advanced over n zero bytes" is a fixed linear map of the 32-bit
 * register, applied with four 256-entry tables per block size. */
#include "common/proto/crc32c.h"

#include <string.h>

static uint32_t crc_table[256];
static int crc_hw;

/* Block sizes of the three streams, and the maps that advance a register
 * over one block of zeros (built at start-up when the CPU has SSE4.2). */
#define CRC_LONG 8192
#define CRC_SHORT 256
static uint32_t shift_long[4][256], shift_short[4][256];

static uint32_t crc32c_sw(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The register advanced over the zero bytes a table was built for. */
static inline uint32_t crc_shift(const uint32_t t[4][256], uint32_t c)
{
	return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
}

#if defined(__x86_64__)
/* One stream over [p, p + n), raw register in and out. */
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw1(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c = crc;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
		p += 8;
		n -= 8;
	}
	uint32_t c32 = (uint32_t)c;
	while (n--)
		c32 = __builtin_ia32_crc32qi(c32, *p++);
	return c32;
}

/* Three streams over the blocks [p, p + b), [p + b, p + 2b), [p + 2b, p + 3b)
 * (b a multiple of 8), joined with t (the map for b zero bytes). */
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw3(uint32_t crc, const uint8_t *p, size_t b, const uint32_t t[4][256])
{
	uint64_t c0 = crc, c1 = 0, c2 = 0;
	for (const uint8_t *end = p + b; p < end; p += 8) {
		uint64_t w0, w1, w2;
		memcpy(&w0, p, 8);
		memcpy(&w1, p + b, 8);
		memcpy(&w2, p + 2 * b, 8);
		c0 = __builtin_ia32_crc32di(c0, w0);
		c1 = __builtin_ia32_crc32di(c1, w1);
		c2 = __builtin_ia32_crc32di(c2, w2);
	}
	uint32_t c = crc_shift(t, (uint32_t)c0) ^ (uint32_t)c1;
	return crc_shift(t, c) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	for (; n >= 3 * CRC_LONG; p += 3 * CRC_LONG, n -= 3 * CRC_LONG)
		crc = crc32c_hw3(crc, p, CRC_LONG, shift_long);
	for (; n >= 3 * CRC_SHORT; p += 3 * CRC_SHORT, n -= 3 * CRC_SHORT)
		crc = crc32c_hw3(crc, p, CRC_SHORT, shift_short);
	return crc32c_hw1(crc, p, n);
}

/* t[k][v]: register v << 8k advanced over n zero bytes, from the images of
 * the 32 single-bit registers (the map is linear). */
__attribute__((target("sse4.2")))
static void shift_table_build(uint32_t t[4][256], size_t n)
{
	static const uint8_t zeros[CRC_LONG];
	uint32_t bit[32];
	for (int j = 0; j < 32; j++)
		bit[j] = crc32c_hw1(1u << j, zeros, n);
	for (int k = 0; k < 4; k++)
		for (int v = 0; v < 256; v++) {
			uint32_t x = 0;
			for (int i = 0; i < 8; i++)
				if (v >> i & 1)
					x ^= bit[8 * k + i];
			t[k][v] = x;
		}
}
#endif

/* Runs before main, so no thread ever sees a half-built table. */
__attribute__((constructor)) static void crc32c_init(void)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_hw = __builtin_cpu_supports("sse4.2");
	if (crc_hw) {
		shift_table_build(shift_long, CRC_LONG);
		shift_table_build(shift_short, CRC_SHORT);
	}
#endif
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
		crc_table[i] = c;
	}
}

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
	crc = ~crc;
#if defined(__x86_64__)
	if (crc_hw)
		return ~crc32c_hw(crc, p, n);
#endif
	return ~crc32c_sw(crc, p, n);
}

uint32_t crc32c_portable(uint32_t crc, const void *p, size_t n)
{
	return ~crc32c_sw(~crc, p, n);
}
