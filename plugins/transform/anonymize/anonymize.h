/* anonymize.h — what the parts of the anonymize plugin share. */
#pragma once

#include "darkpipe.h"

#include <openssl/evp.h>

/* Key file: one line of colon-separated hex fields c4:c6:key:pad:mac:iv
 * (cryptopANT's format; 03 = AES).  Only AES is supported, for IPv4 and
 * IPv6 alike (one key and pad serve both, as in cryptopANT). */
#define ANON_KEY_LEN 16
#define ANON_PAD_LEN 32
#define ANON_KEYFILE_MAX 4096

typedef struct {
  guint8 key[ANON_KEY_LEN];
  guint8 pad[ANON_PAD_LEN];
} AnonKey;

/* Reads and checks the key file @path into @k (the caller cleanses @k);
 * errors name the file and the byte, never key digits; a key others may
 * read is a warning through @stage. */
gboolean anon_key_read (DpStage *stage, const char *path, AnonKey *k, GError **error);

/* ------------------------------------------------------------------ */
/* The stage's state, shared by plugin.c (IPv4, batches) and ip6.c */

enum { ANON_BOTH = 0, ANON_SRC, ANON_DST };
enum { ANON_HOST_REMAP = 0, ANON_HOST_ZERO, ANON_HOST_SCRAMBLE };

typedef struct {
  char *key_file;
  int addresses;
  guint64 pass_bits;
  guint64 ipv6_pass_bits;
  char **telescope;
  int telescope_host;
  gboolean reverse;
  guint64 cache_size;
  char **columns;
  gboolean text_addresses;
} AnonConfig;

#define ANON_MISS_BATCH 64          /* IPv4 addresses per EVP call (32 blocks each) */
#define ANON6_BATCH 16              /* IPv6 addresses per EVP call (128 blocks each) */

typedef struct {
  guint32 addr, prefix, host_bits;
} AnonNet;

/* An IPv6 telescope prefix: its network bytes and host bit count. */
typedef struct {
  guint8 addr[16];
  guint host_bits;
} AnonNet6;

typedef struct {
  guint32 key, val;
} AnonSlot;

/* One slot of the IPv6 cache of the 64 leading output bits per /64. */
typedef struct {
  guint64 net, flip;
  gboolean used;
} AnonSlot6;

/* The keys of one input name map: input entry i became key to[1][i] of
 * the stage's output map anonymised, to[0][i] as it is (0: not yet). */
typedef struct {
  DpNameMap *in;          /* a reference */
  guint32 *to[2];
  guint n_to;
} AnonKeys;

typedef struct {
  const AnonConfig *cfg;
  EVP_CIPHER_CTX *ctx;
  guint8 pad[16];         /* pad bytes 0..15: bytes 4..15 complete every IPv4 block */
  guint32 pad_word;       /* pad bytes 0..3 as a little-endian word */
  guint32 pad6[4];        /* pad bytes 0..15 as four big-endian words (IPv6 blocks) */
  guint pass_bits, pass_bits6;
  AnonSlot *cache;        /* direct-mapped: slot = hash (addr) & mask */
  guint32 cache_mask;
  guint32 *net16;         /* leading 16 output bits per /16 << 16 | 1, 0 unknown */
  AnonSlot6 *net64;       /* IPv6: leading 64 flip bits per /64 (direct-mapped) */
  AnonNet *nets;          /* the telescope's IPv4 prefixes */
  guint n_nets;
  AnonNet6 *nets6;        /* its IPv6 prefixes */
  guint n_nets6;
  guint8 *blocks, *out;   /* ANON_MISS_BATCH * 32 blocks (= ANON6_BATCH * 128) */
  DpPackets *out_batch;   /* refilled in place by dp_stage_push_packets */
  DpNameMap *out_names;   /* the output batches' name map (one per stage) */
  AnonKeys *keys;         /* one per input name map met */
  guint n_keys;
  guint64 addresses, misses, blocks_done, telescope_hits, text_cells, ip6_done, names_done;
  GPtrArray *column_names;
  gboolean crypto_failed; /* libcrypto refused an encryption: no result goes out */
} Anon;

/* Encrypts @n_blocks AES blocks (ECB) of @in into @out; a failure sets
 * crypto_failed and zeroes @out. */
void anon_encrypt (Anon *s, const guint8 *in, guint8 *out, guint n_blocks);

/* ip4.c: the IPv4 Crypto-PAn of cryptopANT and its caches. */
/* FALSE with an error once libcrypto failed (nothing computed is used). */
gboolean anon_failed (const Anon *s, GError **error);
/* Scrambles @n addresses of @in into @res (no cache, no telescope rule). */
void anon_scramble_many (Anon *s, const guint32 *in, guint32 *res, guint n);
/* The telescope prefix @a is in, NULL when none. */
const AnonNet *anon_telescope (const Anon *s, guint32 a);
/* The telescope rule applied to the scrambled address of one in @t. */
guint32 anon_telescope_forward (Anon *s, const AnonNet *t, guint32 scrambled);
/* One address, forward or back (reverse mode), without the cache. */
guint32 anon_reverse_one (Anon *s, guint32 y);
/* Anonymises @n addresses of @col in place through the caches, but for
 * the keys of the name map (240.0.0.0 + [0, @n_keys)). */
void anon_column (Anon *s, guint32 *col, guint n, guint n_keys);

/* ip6.c: the IPv6 Crypto-PAn of cryptopANT (@plen 128: an address; less:
 * a prefix, whose bits past @plen stay zero), its inverse, and the
 * telescope's IPv6 host bits. */
void anon6_init (Anon *s, const AnonKey *k);
void anon6_scramble_many (Anon *s, const guint8 (*in)[16], const guint *plen, guint8 (*res)[16], guint n);
void anon6_unscramble (Anon *s, const guint8 in[16], guint plen, guint8 out[16]);
/* An IPv6 telescope prefix (a::/len, host bits clear): FALSE with a
 * config error naming @text otherwise. */
gboolean anon6_parse_net (const char *text, guint8 a[16], guint *plen, GError **error);
gboolean anon6_telescope_add (Anon *s, const char *text, GError **error);
void anon6_forward (Anon *s, const guint8 in[16], guint plen, guint8 scrambled[16]);
void anon6_reverse (Anon *s, const guint8 in[16], guint plen, guint8 out[16]);
