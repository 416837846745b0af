/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78). The SSE4.2 crc32
 * instruction does 8 bytes per step when the CPU has it (checked once at run
 * time); otherwise a byte-wise table computed on first use. The instruction
 * takes three cycles but can start one per cycle, so long inputs run as
 * three independent streams over adjacent blocks whose CRCs are then
 * combined (see crc_shift): about three times one stream's speed. */
#include "common/proto/crc32c.h"

#include <string.h>

static uint32_t crc_table[256];
static int crc_hw;

/* Blocks of the three-stream loop: long for big batches, short for what
 * is left of them and for batches of a few KiB. */
enum { CRC_LONG = 8192, CRC_SHORT = 256 };
/* shift tables: crc_long[k][b] is the register value (b << 8k) advanced
 * over CRC_LONG zero bytes; likewise crc_short */
static uint32_t crc_long[4][256], crc_short[4][256];

/* a * b modulo the polynomial, both in the reflected bit order (bit 31 is
 * the coefficient of x^0). */
static uint32_t gf2_mulmod(uint32_t a, uint32_t b)
{
	uint32_t prod = 0;
	for (uint32_t bit = 1u << 31; bit; bit >>= 1) {
		if (a & bit)
			prod ^= b;
		b = (b >> 1) ^ (0x82F63B78u & (0u - (b & 1))); /* b *= x */
	}
	return prod;
}

/* Tables that advance a register over n zero bytes: x^(8n) mod P first
 * (n byte steps from x^0), then each byte position's 256 multiples. */
static void crc_shift_tables(uint32_t t[4][256], int n)
{
	uint32_t xpow = 1u << 31;
	for (int i = 0; i < n; i++)
		xpow = crc_table[xpow & 0xff] ^ (xpow >> 8);
	for (int k = 0; k < 4; k++)
		for (uint32_t b = 0; b < 256; b++)
			t[k][b] = gf2_mulmod(b << (8 * k), xpow);
}

/* Runs before main, so no thread ever sees a half-built table. */
__attribute__((constructor)) static void crc32c_init(void)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_hw = __builtin_cpu_supports("sse4.2");
#endif
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
		crc_table[i] = c;
	}
	crc_shift_tables(crc_long, CRC_LONG);
	crc_shift_tables(crc_short, CRC_SHORT);
}

static uint32_t crc32c_sw(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The register c advanced over the block length of table t: CRC is linear,
 * so the register after A then B is shift(reg after A) ^ (B from zero). */
static uint32_t crc_shift(const uint32_t t[4][256], uint32_t c)
{
	return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint64_t crc_word(uint64_t c, const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return __builtin_ia32_crc32di(c, w);
}

/* Three streams over the next 3 * block bytes, combined. */
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw3(uint32_t crc, const uint8_t *p, size_t block,
			   const uint32_t t[4][256])
{
	uint64_t c0 = crc, c1 = 0, c2 = 0;
	for (size_t i = 0; i < block; i += 8) {
		c0 = crc_word(c0, p + i);
		c1 = crc_word(c1, p + block + i);
		c2 = crc_word(c2, p + 2 * block + i);
	}
	uint32_t c = crc_shift(t, (uint32_t)c0) ^ (uint32_t)c1;
	return crc_shift(t, c) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n)
{
	for (; n >= 3 * CRC_LONG; p += 3 * CRC_LONG, n -= 3 * CRC_LONG)
		crc = crc32c_hw3(crc, p, CRC_LONG, crc_long);
	for (; n >= 3 * CRC_SHORT; p += 3 * CRC_SHORT, n -= 3 * CRC_SHORT)
		crc = crc32c_hw3(crc, p, CRC_SHORT, crc_short);
	uint64_t c = crc;
	for (; n >= 8; p += 8, n -= 8)
		c = crc_word(c, p);
	uint32_t c32 = (uint32_t)c;
	while (n--)
		c32 = __builtin_ia32_crc32qi(c32, *p++);
	return c32;
}
#endif

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
