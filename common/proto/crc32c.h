/* CRC-32C (Castagnoli), as RecordBatch v2 uses it. Hardware (SSE4.2) when the
 * CPU has it, a table otherwise. crc32c(0, p, n) gives the batch checksum. */
#ifndef GREGOR_CRC32C_H
#define GREGOR_CRC32C_H
#include <stddef.h>
#include <stdint.h>
uint32_t crc32c(uint32_t crc, const void *p, size_t n);
/* The table path alone, so tests can check it on SSE4.2 machines too. */
uint32_t crc32c_portable(uint32_t crc, const void *p, size_t n);
#endif
