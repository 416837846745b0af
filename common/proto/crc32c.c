/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78). The SSE4.2 crc32
 * instruction does 8 bytes per step when the CPU has it (checked once at run
 * time); otherwise a byte-wise table computed on first use. */
#include "common/proto/crc32c.h"

#include <string.h>

static uint32_t crc_table[256];
static int crc_hw;

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
}

static uint32_t crc32c_sw(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n)
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
