/* ip6.c — IPv6 for the anonymize plugin: cryptopANT's Crypto-PAn over 128
 * bits, its inverse, and the telescope's IPv6 host bits.
 *
 * Layout of block_i, as cryptopANT's published IPv6 vectors define it (all
 * 1000 lines of tests/test-anonymize reproduce them): the address and the
 * first 16 pad bytes are read as four big-endian 32-bit words A0..A3 and
 * P0..P3; with j = i / 32 and k = i % 32, word w of the block is A_w for
 * w < j, (A_j with its 32-k low bits cleared) | (P_j >> k) for w = j, and
 * P_w for w > j, stored big-endian; the bit used is the lowest bit of the
 * last output byte.  No class bits are kept (the vectors scramble bit 0);
 * ipv6_pass_bits keeps leading bits unchanged.
 *
 * As for IPv4, all blocks of one address depend only on the input, so the
 * 128 blocks of up to ANON6_BATCH addresses go to one EVP call, and a
 * direct-mapped cache of the 64 leading output bits per /64 halves the
 * work of new addresses in known networks (a scanner's many interface
 * identifiers in one /64). */
#include "config.h"

#include <string.h>

#include "anonymize.h"

#define ANON6_NET64_SLOTS (1u << 14)

static inline guint32
anon6_be32 (const guint8 *b)
{
  return (guint32) b[0] << 24 | (guint32) b[1] << 16 | (guint32) b[2] << 8 | b[3];
}

static inline void
anon6_put_be32 (guint8 *b, guint32 w)
{
  b[0] = (guint8) (w >> 24);
  b[1] = (guint8) (w >> 16);
  b[2] = (guint8) (w >> 8);
  b[3] = (guint8) w;
}

static inline guint64
anon6_be64 (const guint8 *b)
{
  return (guint64) anon6_be32 (b) << 32 | anon6_be32 (b + 4);
}

void
anon6_init (Anon *s, const AnonKey *k)
{
  for (guint w = 0; w < 4; w++)
    s->pad6[w] = anon6_be32 (k->pad + 4 * w);
  s->pass_bits6 = (guint) s->cfg->ipv6_pass_bits;
  if (!s->cfg->reverse && s->pass_bits6 < 64)
    s->net64 = g_new0 (AnonSlot6, ANON6_NET64_SLOTS);
}

/* Block i of @a (only its i leading bits are read). */
static inline void
anon6_block (const Anon *s, const guint8 a[16], guint i, guint8 b[16])
{
  guint j = i / 32, k = i % 32;
  guint32 keep = k == 0 ? 0 : (guint32) (G_MAXUINT32 << (32 - k));
  memcpy (b, a, 4 * j);
  anon6_put_be32 (b + 4 * j, (anon6_be32 (a + 4 * j) & keep) | (s->pad6[j] >> k));
  for (guint w = j + 1; w < 4; w++)
    anon6_put_be32 (b + 4 * w, s->pad6[w]);
}

static inline void
anon6_flip_bit (guint8 a[16], guint i, guint bit)
{
  a[i / 8] ^= (guint8) (bit << (7 - i % 8));
}

static inline guint
anon6_slot (guint64 net)
{
  return (guint) ((net * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 50) & (ANON6_NET64_SLOTS - 1);
}

void
anon6_scramble_many (Anon *s, const guint8 (*in)[16], const guint *plen, guint8 (*res)[16], guint n)
{
  guint first[ANON6_BATCH], nb = 0;
  guint64 known[ANON6_BATCH];
  for (guint k = 0; k < n; k++)
    {
      guint pb = MIN (s->pass_bits6, plen[k]);
      known[k] = 0;
      if (s->net64 && pb < 64 && plen[k] >= 64)
        {
          const AnonSlot6 *sl = &s->net64[anon6_slot (anon6_be64 (in[k]))];
          if (sl->used && sl->net == anon6_be64 (in[k]))
            {
              known[k] = sl->flip;
              pb = 64;
            }
        }
      first[k] = pb;
      for (guint i = pb; i < plen[k]; i++, nb++)
        anon6_block (s, in[k], i, s->blocks + 16 * nb);
    }
  anon_encrypt (s, s->blocks, s->out, nb);
  nb = 0;
  for (guint k = 0; k < n; k++)
    {
      guint8 flip[16] = { 0 };
      for (guint b = 0; b < 8; b++)
        flip[b] = (guint8) (known[k] >> (56 - 8 * b));
      for (guint i = first[k]; i < plen[k]; i++, nb++)
        anon6_flip_bit (flip, i, s->out[16 * nb + 15] & 1);
      if (s->net64 && first[k] < 64 && plen[k] >= 64)
        {
          guint64 net = anon6_be64 (in[k]);
          s->net64[anon6_slot (net)] = (AnonSlot6) { net, anon6_be64 (flip), TRUE };
        }
      for (guint b = 0; b < 16; b++)
        res[k][b] = in[k][b] ^ flip[b];
    }
}

/* Inverse: bit i of the original is bit i of @in XOR the bit made from
 * the original's i leading bits, known by then. */
void
anon6_unscramble (Anon *s, const guint8 in[16], guint plen, guint8 out[16])
{
  guint8 b[16], o[16];
  memcpy (out, in, 16);
  for (guint i = MIN (s->pass_bits6, plen); i < plen; i++)
    {
      anon6_block (s, out, i, b);
      anon_encrypt (s, b, o, 1);
      anon6_flip_bit (out, i, o[15] & 1);
    }
}

/* ------------------------------------------------------------------ */
/* The telescope's IPv6 prefixes: host bits through a keyed Feistel
 * permutation, as for IPv4 (plugin.c), over up to 128 bits: two halves of
 * at most 64 bits, the round function AES of (a tweak made from the
 * scrambled network, XOR the round, the width and the other half). */

#define ANON6_FEISTEL_ROUNDS 8

gboolean
anon6_parse_net (const char *text, guint8 a[16], guint *plen, GError **error)
{
  guint8 whole[16];
  const char *slash = strchr (text, '/');
  g_autofree char *addr = slash ? g_strndup (text, (gsize) (slash - text)) : g_strdup (text);
  if (!dp_ip6_parse_prefix (text, a, plen) || !dp_ip6_parse (addr, whole))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "'%s' is not an IPv6 prefix (a::/len)", text);
      return FALSE;
    }
  if (memcmp (whole, a, 16) != 0)
    {
      char buf[64];
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "'%s' has host bits set (the network is %s)",
                   text, dp_ip6_format (a, *plen, buf));
      return FALSE;
    }
  return TRUE;
}

gboolean
anon6_telescope_add (Anon *s, const char *text, GError **error)
{
  guint8 a[16];
  guint plen;
  if (!anon6_parse_net (text, a, &plen, error))
    return FALSE;
  s->nets6 = g_renew (AnonNet6, s->nets6, s->n_nets6 + 1);
  AnonNet6 *t = &s->nets6[s->n_nets6++];
  memcpy (t->addr, a, 16);
  t->host_bits = 128 - plen;
  return TRUE;
}

static inline guint64
anon6_mask64 (guint bits)
{
  return bits == 0 ? 0 : G_MAXUINT64 >> (64 - bits);
}

/* Bits [128 - @n, 128) of @a as two halves: @hi the upper n/2, @lo the rest. */
static void
anon6_host_split (const guint8 a[16], guint n, guint64 *hi, guint64 *lo)
{
  guint u = n / 2, v = n - u;
  guint64 h = anon6_be64 (a), l = anon6_be64 (a + 8);
  /* the n low bits of the 128-bit (h, l), shifted down by v */
  *lo = v == 64 ? l : (l & anon6_mask64 (v));
  guint64 up = v == 64 ? h : (l >> v) | (v == 0 ? 0 : h << (64 - v));
  *hi = up & anon6_mask64 (u);
}

static void
anon6_host_join (guint8 a[16], guint n, guint64 hi, guint64 lo)
{
  guint v = n - n / 2;
  guint64 h = anon6_be64 (a), l = anon6_be64 (a + 8);
  /* clear the n host bits, then set hi << v | lo there */
  if (n >= 64)
    {
      h &= ~anon6_mask64 (n - 64);
      l = 0;
    }
  else
    l &= ~anon6_mask64 (n);
  if (v == 64)
    {
      l |= lo;
      h |= hi;
    }
  else
    {
      l |= lo | (hi << v);
      h |= v == 0 ? 0 : hi >> (64 - v);
    }
  for (guint b = 0; b < 8; b++)
    {
      a[b] = (guint8) (h >> (56 - 8 * b));
      a[8 + b] = (guint8) (l >> (56 - 8 * b));
    }
}

/* Permutes the @n host bits of @a (its network bits, already scrambled,
 * are the tweak) in place; @inverse undoes it. */
static void
anon6_permute_host (Anon *s, guint8 a[16], guint n, gboolean inverse)
{
  if (n == 0)
    return;
  guint u = n / 2, v = n - u;
  guint64 hi, lo;
  anon6_host_split (a, n, &hi, &lo);
  guint8 net[16], tweak[16], b[16], o[16];
  dp_ip6_mask (a, 128 - n, net);
  /* the tweak block differs from every Crypto-PAn block (those end in pad words) */
  for (guint j = 0; j < 16; j++)
    net[j] ^= (guint8) ~s->pad[j];
  net[15] ^= 0xa6;
  anon_encrypt (s, net, tweak, 1);
  for (guint k = 0; k < ANON6_FEISTEL_ROUNDS; k++)
    {
      guint r = inverse ? ANON6_FEISTEL_ROUNDS - 1 - k : k;
      guint64 other = r % 2 == 0 ? lo : hi;
      memcpy (b, tweak, 16);
      b[0] ^= (guint8) r;
      b[1] ^= (guint8) n;
      for (guint j = 0; j < 8; j++)
        b[8 + j] ^= (guint8) (other >> (56 - 8 * j));
      anon_encrypt (s, b, o, 1);
      guint64 f = anon6_be64 (o);
      if (r % 2 == 0)
        hi ^= f & anon6_mask64 (u);
      else
        lo ^= f & anon6_mask64 (v);
    }
  anon6_host_join (a, n, hi, lo);
}

static const AnonNet6 *
anon6_telescope (const Anon *s, const guint8 a[16])
{
  for (guint k = 0; k < s->n_nets6; k++)
    {
      guint8 m[16];
      dp_ip6_mask (a, 128 - s->nets6[k].host_bits, m);
      if (memcmp (m, s->nets6[k].addr, 16) == 0)
        return &s->nets6[k];
    }
  return NULL;
}

/* The telescope's own addresses (@plen 128 only: prefixes stay as
 * Crypto-PAn made them): the host bits of @scrambled, Crypto-PAn of @in,
 * remapped or zeroed. */
void
anon6_forward (Anon *s, const guint8 in[16], guint plen, guint8 scrambled[16])
{
  if (plen != 128 || s->n_nets6 == 0 || s->cfg->telescope_host == ANON_HOST_SCRAMBLE)
    return;
  const AnonNet6 *t = anon6_telescope (s, in);
  if (t == NULL)
    return;
  s->telescope_hits++;
  if (s->cfg->telescope_host == ANON_HOST_ZERO)
    dp_ip6_mask (scrambled, 128 - t->host_bits, scrambled);
  else
    anon6_permute_host (s, scrambled, t->host_bits, FALSE);
}

/* One address or prefix back (reverse runs). */
void
anon6_reverse (Anon *s, const guint8 in[16], guint plen, guint8 out[16])
{
  for (guint k = 0; plen == 128 && k < s->n_nets6 && s->cfg->telescope_host == ANON_HOST_REMAP; k++)
    {
      const AnonNet6 *t = &s->nets6[k];
      guint8 cand[16];
      memcpy (cand, in, 16);
      anon6_permute_host (s, cand, t->host_bits, TRUE);
      anon6_unscramble (s, cand, plen, out);
      if (anon6_telescope (s, out) == t)
        return;
    }
  anon6_unscramble (s, in, plen, out);
}
