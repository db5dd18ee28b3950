/* taxonomy-cyclic.c — ZMap's address permutation: whether a source's
 * first destinations in a window walk ZMap's cyclic group (the zmap41
 * fingerprint of the versions whose IP id is random).
 *
 * ZMap visits its targets in the order of a multiplicative cyclic group
 * modulo a prime p just above the number of targets (Adrian, Durumeric,
 * Singh, Halderman, "Zippier ZMap", WOOT 2014; Mazel and Strullu 2019 use
 * it to recover a scan's generator): the element x_k (1 <= x_k < p) stands
 * for target index x_k - 1, and x_{k+1} = x_k * g mod p for the scan's
 * random primitive root g; elements past the last target are skipped.
 * Over the whole IPv4 space p = 2^32 + 15 and the index is the address;
 * a scan of one /16 (a telescope's prefix as allow-list) uses p = 2^16 + 1
 * over the low 16 bits.  A source's first destinations in a window (its
 * TCP SYN triples in packet order) walk the group when the ratio of
 * successive elements is one g^m with small m (a lost or skipped probe
 * makes m 2 or more): the chance that a random order does so by luck is
 * about (4 m_max / p) per step, and TAX_CYCLIC_MIN steps are needed.
 * Several sender threads interleave their own walks: steps at a lag of up
 * to TAX_CYCLIC_LAGS destinations are tried as well.  The test reads at
 * most TAX_CYCLIC_MAX destinations per source and window. */
#include "config.h"

#include "taxonomy.h"

#define TAX_CYCLIC_POWERS 4
#define TAX_CYCLIC_LAGS 4
#define TAX_CYCLIC_P32 G_GUINT64_CONSTANT (4294967311)   /* 2^32 + 15 */
#define TAX_CYCLIC_P16 G_GUINT64_CONSTANT (65537)        /* 2^16 + 1 */

/* a * b mod p for a, b < p, p one of the two primes: for 2^32 + 15 without
 * a division (2^32 = -15 mod p, applied twice), for 2^16 + 1 the product
 * fits 64 bits */
static inline guint64
taxonomy_mulmod (guint64 a, guint64 b, guint64 p)
{
  if (p != TAX_CYCLIC_P32)
    return a * b % p;
  unsigned __int128 t = (unsigned __int128) a * b;
  guint64 lo = (guint64) t & 0xffffffffu, hi = (guint64) (t >> 32);   /* hi < 2^33 */
  guint64 u = 15 * hi;                                                  /* < 2^37 */
  gint64 r = (gint64) lo - (gint64) (u & 0xffffffffu) + 15 * (gint64) (u >> 32);
  if (r < 0)
    r += (gint64) p;
  else if (r >= (gint64) p)
    r -= (gint64) p;
  return (guint64) r;
}

/* x^(p-2) mod p: the inverse of x (p prime, 0 < x < p). */
static guint64
taxonomy_invmod (guint64 x, guint64 p)
{
  guint64 r = 1, e = p - 2;
  for (; e; e >>= 1, x = taxonomy_mulmod (x, x, p))
    if (e & 1)
      r = taxonomy_mulmod (r, x, p);
  return r;
}

/* The inverses of @x[0..n) (each in [1, p)) into @inv, with one modular
 * inversion (the product's) and 3 (n - 1) multiplications. */
static void
taxonomy_invmod_all (const guint64 *x, guint n, guint64 p, guint64 *inv)
{
  guint64 prefix[TAX_CYCLIC_MAX];
  prefix[0] = x[0];
  for (guint k = 1; k < n; k++)
    prefix[k] = taxonomy_mulmod (prefix[k - 1], x[k], p);
  guint64 all = taxonomy_invmod (prefix[n - 1], p);   /* 1 / (x0 ... x_{n-1}) */
  for (guint k = n - 1; k > 0; k--)
    {
      inv[k] = taxonomy_mulmod (all, prefix[k - 1], p);
      all = taxonomy_mulmod (all, x[k], p);
    }
  inv[0] = all;
}

/* Whether the elements @x[0..n) (inverses @inv) step by powers g^1 ..
 * g^TAX_CYCLIC_POWERS of one g at lag @lag: at least TAX_CYCLIC_MIN steps
 * do and at most one in eight does not (a random order stops at its
 * first misses). */
static gboolean
taxonomy_cyclic_lag (const guint64 *x, const guint64 *inv, guint n, guint lag, guint64 p)
{
  if (n < lag + TAX_CYCLIC_MIN + 1)
    return FALSE;
  guint steps = n - lag, max_miss = steps / 8;
  guint64 g = 0;
  guint hit = 0, miss = 0;
  for (guint k = lag; k < n; k++)
    {
      guint64 r = taxonomy_mulmod (x[k], inv[k - lag], p);
      gboolean ok = FALSE;
      if (g == 0 && r != 1)
        {
          g = r;   /* the first step: what the others are held to */
          continue;
        }
      if (g != 0)
        {
          /* r = g^m: one of the first powers of the step seen so far */
          guint64 gm = g;
          for (guint m = 1; m <= TAX_CYCLIC_POWERS && !ok; m++, gm = taxonomy_mulmod (gm, g, p))
            ok = r == gm;
          /* or g = r^m: the first steps missed probes, r is the step */
          guint64 rm = r;
          for (guint m = 2; m <= TAX_CYCLIC_POWERS && !ok && r != 1; m++)
            {
              rm = taxonomy_mulmod (rm, r, p);
              if (rm == g)
                ok = TRUE, g = r;
            }
        }
      if (ok)
        hit++;
      else if (++miss > max_miss)
        return FALSE;
    }
  return hit >= TAX_CYCLIC_MIN;
}

/* Whether destinations @dst[0..n) walk ZMap's group, over all of IPv4 or
 * within one /16. */
gboolean
taxonomy_cyclic (const guint32 *dst, guint n)
{
  guint64 whole[TAX_CYCLIC_MAX], low[TAX_CYCLIC_MAX], inv[TAX_CYCLIC_MAX];
  gboolean one16 = TRUE;
  if (n < TAX_CYCLIC_MIN + 1 || n > TAX_CYCLIC_MAX)
    return FALSE;
  for (guint k = 0; k < n; k++)
    {
      whole[k] = (guint64) dst[k] + 1;
      low[k] = (guint64) (dst[k] & 0xffffu) + 1;
      one16 = one16 && (dst[k] >> 16) == (dst[0] >> 16);
    }
  /* destinations all in one /16 (a /16 telescope, or a scan of one) can
   * only be consecutive in the /16's group: a scan of all IPv4 reaches a
   * /16 once every 65,536 probes or so, never in small powers of g */
  if (!one16)
    {
      taxonomy_invmod_all (whole, n, TAX_CYCLIC_P32, inv);
      for (guint lag = 1; lag <= TAX_CYCLIC_LAGS; lag++)
        if (taxonomy_cyclic_lag (whole, inv, n, lag, TAX_CYCLIC_P32))
          return TRUE;
      return FALSE;
    }
  taxonomy_invmod_all (low, n, TAX_CYCLIC_P16, inv);
  for (guint lag = 1; lag <= TAX_CYCLIC_LAGS; lag++)
    if (taxonomy_cyclic_lag (low, inv, n, lag, TAX_CYCLIC_P16))
      return TRUE;
  return FALSE;
}
