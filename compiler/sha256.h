/* sha256.h: SHA-256 (FIPS 180-4), own implementation, streaming. Uses the x86-64 SHA
 * extensions when the CPU has them, unless the environment sets MMCC_SHA256_PORTABLE=1. */
#ifndef MMCC_SHA256_H
#define MMCC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
  uint32_t h[8];
  uint64_t total;          /* bytes hashed so far */
  uint8_t buf[64];
  size_t nbuf;
  int fast;                /* SHA extensions in use (x86-64) */
} sha256_ctx;

void sha256_init(sha256_ctx *s);
void sha256_update(sha256_ctx *s, const void *data, size_t n);
void sha256_final(sha256_ctx *s, uint8_t out[32]);
/* out: 64 lowercase hex digits + NUL. */
void sha256_hex(const uint8_t digest[32], char out[65]);

#endif
