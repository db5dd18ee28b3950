/* ip4.c — the IPv4 scrambler of the anonymize plugin and its caches.
 *
 * Crypto-PAn (Xu, Fan, Ammar, Moon, ICNP 2002): output bit i is input bit
 * i XOR one bit of AES_K (block_i), where block_i holds the address's i
 * leading bits completed by bits of a secret pad; addresses sharing a
 * k-bit prefix therefore share a k-bit prefix after scrambling, and the
 * mapping is a bijection that the key holder can invert bit by bit.
 *
 * Layout of block_i, as cryptopANT's published vectors define it (all 1000
 * IPv4 lines of tests/test-anonymize reproduce them): let P be the first
 * four pad bytes read as a little-endian word and A the address as a
 * number; the word (A with its 32-i low bits cleared) | (P >> i) is stored
 * little-endian in bytes 0..3, bytes 4..15 are pad bytes 4..15, and the
 * bit used is the lowest bit of the first output byte.  The leading bits
 * of the old address class are kept (A 1, B 2, C 3, D 4; 240.0.0.0/4 whole),
 * and pass_bits keeps more.
 *
 * All 32 blocks of one address depend only on the input, so they are
 * encrypted in one EVP call (many addresses per call: AES-NI pipelines
 * ECB).  A direct-mapped cache of whole addresses makes repeated addresses
 * (a telescope's sources, its own destinations) a lookup, and a cache of
 * the 16 leading output bits per /16 halves the work of new addresses in
 * known networks. */
#include "config.h"

#include <string.h>

#include "anonymize.h"

#define ANON_CLASS_E 32

static inline guint
anon_class_bits (guint32 a)
{
  static const guint8 bits[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, ANON_CLASS_E };
  return bits[a >> 28];
}

static inline void
anon_block (const Anon *s, guint32 a, guint i, guint8 *b)
{
  guint32 keep = i == 0 ? 0 : (guint32) (G_MAXUINT32 << (32 - i));
  guint32 w = (a & keep) | (i == 0 ? s->pad_word : s->pad_word >> i);
  memcpy (b, s->pad, 16);
  b[0] = (guint8) w;
  b[1] = (guint8) (w >> 8);
  b[2] = (guint8) (w >> 16);
  b[3] = (guint8) (w >> 24);
}

void
anon_encrypt (Anon *s, const guint8 *in, guint8 *out, guint n_blocks)
{
  int len = 0;
  /* ECB without padding on whole blocks does not fail once initialised;
   * if libcrypto says otherwise, nothing computed from it may go out:
   * the caller checks crypto_failed before it pushes (anon_failed) */
  if (n_blocks && !EVP_EncryptUpdate (s->ctx, out, &len, in, (int) (n_blocks * 16)))
    {
      s->crypto_failed = TRUE;
      memset (out, 0, (gsize) n_blocks * 16);
    }
  s->blocks_done += n_blocks;
}

/* TRUE, with @error set, once an encryption failed. */
gboolean
anon_failed (const Anon *s, GError **error)
{
  if (!s->crypto_failed)
    return FALSE;
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
               "libcrypto failed to encrypt with AES-128 (EVP_EncryptUpdate); nothing was anonymised");
  return TRUE;
}

/* Scrambles @n (<= ANON_MISS_BATCH) addresses, all their blocks in one call. */
void
anon_scramble_many (Anon *s, const guint32 *in, guint32 *res, guint n)
{
  guint first[ANON_MISS_BATCH], nb = 0;
  guint32 known[ANON_MISS_BATCH];
  for (guint k = 0; k < n; k++)
    {
      guint32 a = in[k];
      guint pb = MAX (s->pass_bits, anon_class_bits (a));
      known[k] = 0;
      if (pb < 16 && s->net16)
        {
          guint32 c = s->net16[a >> 16];
          if (c)
            {
              known[k] = c & 0xffff0000u;
              pb = 16;
            }
        }
      first[k] = pb;
      for (guint i = pb; i < 32; i++, nb++)
        anon_block (s, a, i, s->blocks + 16 * nb);
    }
  anon_encrypt (s, s->blocks, s->out, nb);
  nb = 0;
  for (guint k = 0; k < n; k++)
    {
      guint32 flip = known[k];
      for (guint i = first[k]; i < 32; i++, nb++)
        flip |= (guint32) (s->out[16 * nb] & 1) << (31 - i);
      if (s->net16 && first[k] <= 16)
        s->net16[in[k] >> 16] = (flip & 0xffff0000u) | 1;
      res[k] = in[k] ^ flip;
    }
}

/* Inverse: bit i of the original is bit i of @y XOR the bit made from the
 * original's i leading bits, which are known by then. */
static guint32
anon_unscramble (Anon *s, guint32 y)
{
  guint pb = MAX (s->pass_bits, anon_class_bits (y));   /* the class bits are kept */
  guint32 a = y;
  guint8 b[16], o[16];
  for (guint i = pb; i < 32; i++)
    {
      anon_block (s, a, i, b);
      anon_encrypt (s, b, o, 1);
      a ^= (guint32) (o[0] & 1) << (31 - i);
    }
  return a;
}

/* A keyed permutation of the @n low bits of @x (telescope host bits): an
 * alternating Feistel network over the two halves with AES as the round
 * function, the network prefix and the round in the block.  Not prefix
 * preserving, so the order and grouping of the sensor's addresses do not
 * show.  @inverse runs the rounds backwards. */
#define ANON_FEISTEL_ROUNDS 8

static guint32
anon_permute_host (Anon *s, guint32 net, guint n, guint32 x, gboolean inverse)
{
  if (n == 0)
    return 0;   /* a /32 telescope has no host bits */
  guint u = n / 2, v = n - u;
  guint32 mu = u ? (guint32) (G_MAXUINT32 >> (32 - u)) : 0;
  guint32 mv = (guint32) (G_MAXUINT32 >> (32 - v));
  guint32 hi = (x >> v) & mu, lo = x & mv;
  guint8 b[16], o[16];
  for (guint k = 0; k < ANON_FEISTEL_ROUNDS; k++)
    {
      guint r = inverse ? ANON_FEISTEL_ROUNDS - 1 - k : k;
      guint32 other = r % 2 == 0 ? lo : hi;
      /* bytes 4..15 differ from every Crypto-PAn block (those hold the pad) */
      for (guint j = 0; j < 16; j++)
        b[j] = (guint8) ~s->pad[j];
      b[4] ^= 0x5a;
      b[5] = (guint8) r;
      b[6] = (guint8) n;
      b[8] = (guint8) (net >> 24), b[9] = (guint8) (net >> 16), b[10] = (guint8) (net >> 8), b[11] = (guint8) net;
      b[12] = (guint8) (other >> 24), b[13] = (guint8) (other >> 16), b[14] = (guint8) (other >> 8), b[15] = (guint8) other;
      anon_encrypt (s, b, o, 1);
      guint32 f = (guint32) o[0] << 24 | (guint32) o[1] << 16 | (guint32) o[2] << 8 | o[3];
      if (r % 2 == 0)
        hi ^= f & mu;
      else
        lo ^= f & mv;
    }
  return (hi << v) | lo;
}

const AnonNet *
anon_telescope (const Anon *s, guint32 a)
{
  for (guint k = 0; k < s->n_nets; k++)
    if (s->nets[k].host_bits == 32 || ((a ^ s->nets[k].addr) >> s->nets[k].host_bits) == 0)
      return &s->nets[k];
  return NULL;
}

/* The telescope's own addresses: the network bits as Crypto-PAn maps them
 * (consistent with every other address in those networks), the host bits
 * remapped or zeroed.  @scrambled is Crypto-PAn of @a. */
guint32
anon_telescope_forward (Anon *s, const AnonNet *t, guint32 scrambled)
{
  guint32 host_mask = t->host_bits == 32 ? G_MAXUINT32 : ((1u << t->host_bits) - 1);
  guint32 net = scrambled & ~host_mask;
  if (s->cfg->telescope_host == ANON_HOST_ZERO)
    return net;
  return net | anon_permute_host (s, net, t->host_bits, scrambled & host_mask, FALSE);
}

/* One address, forward or back, without the cache (misses of reverse runs). */
guint32
anon_reverse_one (Anon *s, guint32 y)
{
  /* a telescope address came out as scrambled network | permuted host:
   * undo the permutation first (the network bits are the scrambled
   * prefix, so the permutation's tweak is known) */
  for (guint k = 0; k < s->n_nets && s->cfg->telescope_host == ANON_HOST_REMAP; k++)
    {
      const AnonNet *t = &s->nets[k];
      guint32 host_mask = t->host_bits == 32 ? G_MAXUINT32 : ((1u << t->host_bits) - 1);
      guint32 net = y & ~host_mask;
      guint32 cand = net | anon_permute_host (s, net, t->host_bits, y & host_mask, TRUE);
      guint32 orig = anon_unscramble (s, cand);
      if (anon_telescope (s, orig) == t)
        return orig;
    }
  return anon_unscramble (s, y);
}

#define ANON_PREFETCH 16   /* rows ahead */

static inline guint32
anon_slot (guint32 a, guint32 mask)
{
  return (guint32) ((a * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 32) & mask;
}

/* Anonymises @n addresses of @col in place (a column of a copy), but for
 * the keys of the name map (240.0.0.0 + [0, @n_keys)). */
void
anon_column (Anon *s, guint32 *col, guint n, guint n_keys)
{
  guint pending_row[ANON_MISS_BATCH];
  guint32 pending_in[ANON_MISS_BATCH], pending_out[ANON_MISS_BATCH];
  guint np = 0;
  for (guint r = 0; r <= n; r++)
    {
      if (r < n)
        {
          guint32 a = col[r];
          /* a large cache is mostly out of the CPU's caches: ask for the
           * slot of an address a few rows ahead while this one is done */
          if (s->cache && r + ANON_PREFETCH < n)
            __builtin_prefetch (&s->cache[anon_slot (col[r + ANON_PREFETCH], s->cache_mask)]);
          /* keys of the name map are anon_keys's (other class E
           * addresses pass whole, as in cryptopANT) */
          if (a - DP_NAME_BASE < n_keys)
            continue;
          if (s->cache)
            {
              const AnonSlot *sl = &s->cache[anon_slot (a, s->cache_mask)];
              if (sl->key == a)
                {
                  col[r] = sl->val;
                  continue;
                }
            }
          if (s->cfg->reverse)
            {
              guint32 v = anon_reverse_one (s, a);
              s->misses++;
              if (s->cache)
                s->cache[anon_slot (a, s->cache_mask)] = (AnonSlot) { a, v };
              col[r] = v;
              continue;
            }
          pending_row[np] = r;
          pending_in[np++] = a;
          if (np < ANON_MISS_BATCH)
            continue;
        }
      if (np == 0)
        continue;
      anon_scramble_many (s, pending_in, pending_out, np);
      s->misses += np;
      for (guint k = 0; k < np; k++)
        {
          guint32 a = pending_in[k], v = pending_out[k];
          const AnonNet *t = s->n_nets ? anon_telescope (s, a) : NULL;
          if (t && s->cfg->telescope_host != ANON_HOST_SCRAMBLE)
            {
              v = anon_telescope_forward (s, t, v);
              s->telescope_hits++;
            }
          if (s->cache)
            s->cache[anon_slot (a, s->cache_mask)] = (AnonSlot) { a, v };
          col[pending_row[k]] = v;
        }
      np = 0;
    }
  s->addresses += n;
}
