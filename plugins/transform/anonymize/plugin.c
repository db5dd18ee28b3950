/* plugin.c — the anonymize plugin: prefix-preserving anonymisation of IPv4 addresses
 * (Crypto-PAn with AES-128, compatible with cryptopANT's key files and
 * output), for packets and for tables with address columns.
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
 * known networks.
 *
 * The process callbacks are thin wrappers over anon_packets/anon_table;
 * the key file is read in keyfile.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "anonymize.h"

/* ------------------------------------------------------------------ */
/* Options */

enum { ANON_BOTH = 0, ANON_SRC, ANON_DST };
enum { ANON_HOST_REMAP = 0, ANON_HOST_ZERO, ANON_HOST_SCRAMBLE };

typedef struct {
  char *key_file;
  int addresses;
  guint64 pass_bits;
  char **telescope;
  int telescope_host;
  gboolean reverse;
  guint64 cache_size;
  char **columns;
  gboolean text_addresses;
} AnonConfig;

/* ------------------------------------------------------------------ */
/* The scrambler */

#define ANON_MISS_BATCH 64          /* addresses per EVP call */
#define ANON_CLASS_E 32

typedef struct {
  guint32 addr, prefix, host_bits;
} AnonNet;

typedef struct {
  guint32 key, val;
} AnonSlot;

typedef struct {
  const AnonConfig *cfg;
  EVP_CIPHER_CTX *ctx;
  guint8 pad[16];         /* pad bytes 0..15: bytes 4..15 complete every block */
  guint32 pad_word;       /* pad bytes 0..3 as a little-endian word */
  guint pass_bits;
  AnonSlot *cache;        /* direct-mapped: slot = hash (addr) & mask */
  guint32 cache_mask;
  guint32 *net16;         /* leading 16 output bits per /16 << 16 | 1, 0 unknown */
  AnonNet *nets;          /* the telescope's prefixes */
  guint n_nets;
  guint8 *blocks, *out;   /* ANON_MISS_BATCH * 32 blocks */
  DpPackets *out_batch;   /* refilled in place by dp_stage_push_packets */
  guint64 addresses, misses, blocks_done, telescope_hits, text_cells;
  GPtrArray *column_names;
  gboolean crypto_failed; /* libcrypto refused an encryption: no result goes out */
} Anon;

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

static void
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
static gboolean
anon_failed (const Anon *s, GError **error)
{
  if (!s->crypto_failed)
    return FALSE;
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
               "libcrypto failed to encrypt with AES-128 (EVP_EncryptUpdate); nothing was anonymised");
  return TRUE;
}

/* Scrambles @n (<= ANON_MISS_BATCH) addresses, all their blocks in one call. */
static void
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

static const AnonNet *
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
static guint32
anon_telescope_forward (Anon *s, const AnonNet *t, guint32 scrambled)
{
  guint32 host_mask = t->host_bits == 32 ? G_MAXUINT32 : ((1u << t->host_bits) - 1);
  guint32 net = scrambled & ~host_mask;
  if (s->cfg->telescope_host == ANON_HOST_ZERO)
    return net;
  return net | anon_permute_host (s, net, t->host_bits, scrambled & host_mask, FALSE);
}

/* One address, forward or back, without the cache (misses of reverse runs). */
static guint32
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

static inline guint32
anon_slot (guint32 a, guint32 mask)
{
  return (guint32) ((a * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> 32) & mask;
}

/* Anonymises @n addresses of @col in place (a column of a copy). */
static void
anon_column (Anon *s, guint32 *col, guint n)
{
  guint pending_row[ANON_MISS_BATCH];
  guint32 pending_in[ANON_MISS_BATCH], pending_out[ANON_MISS_BATCH];
  guint np = 0;
  for (guint r = 0; r <= n; r++)
    {
      if (r < n)
        {
          guint32 a = col[r];
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

/* ------------------------------------------------------------------ */
/* Batches */

/* Copies @in into the stage's output batch (reused when no consumer kept
 * it: a fresh batch per push costs page faults) and rewrites its
 * addresses there; the input is never written. */
static DpFlow
anon_packets (DpStage *stage, Anon *s, const DpPackets *in, GError **error)
{
  guint n = in->n_rows;
  if (s->out_batch == NULL || s->out_batch->capacity < n)
    {
      g_clear_pointer (&s->out_batch, dp_batch_unref);
      s->out_batch = dp_packets_new (MAX (n, DP_PACKETS_DEFAULT_ROWS));
    }
  DpPackets *out = s->out_batch;
#define ANON_COPY(col) if (n) memcpy (out->col, in->col, n * sizeof *in->col);
  DP_PACKET_COLUMNS (ANON_COPY)
#undef ANON_COPY
  out->n_rows = n;
  dp_packets_set_names (out, in->names);
  if (s->cfg->addresses != ANON_DST)
    anon_column (s, out->src, n);
  if (s->cfg->addresses != ANON_SRC)
    anon_column (s, out->dst, n);
  if (anon_failed (s, error))
    return DP_FLOW_ERROR;
  return dp_stage_push_packets (stage, 0, &s->out_batch);
}

static gboolean
anon_table_wants (const Anon *s, const DpColumn *c)
{
  if (c->type != DP_COL_IPV4 && !(c->type == DP_COL_STRING && s->cfg->text_addresses))
    return FALSE;
  if (s->column_names == NULL)
    return TRUE;
  for (guint i = 0; i < s->column_names->len; i++)
    if (strcmp (g_ptr_array_index (s->column_names, i), c->name) == 0)
      return TRUE;
  return FALSE;
}

/* A copy of @in with its address columns anonymised.  A table of networks
 * (an int64 `prefix` column beside the `ip` column, as labels writes for
 * CIDR entries) keeps network addresses there: the host bits past the
 * prefix are cleared again after scrambling. */
static DpTable *
anon_table (Anon *s, DpStage *stage, const DpTable *in, GError **error)
{
  for (guint i = 0; s->column_names && i < s->column_names->len; i++)
    {
      const char *name = g_ptr_array_index (s->column_names, i);
      gint c = dp_table_find_column (in, name);
      if (c < 0 || (in->cols[c].type != DP_COL_IPV4 && in->cols[c].type != DP_COL_STRING))
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                       "table '%s' has no address column '%s' (option 'columns')", in->name, name);
          return NULL;
        }
    }
  DpTable *out = dp_table_new (in->name);
  for (guint c = 0; c < in->n_cols; c++)
    dp_table_add_column (out, in->cols[c].name, in->cols[c].type);
  for (guint r = 0; r < in->n_rows; r++)
    dp_table_append_row (out);
  if (in->names)
    dp_table_set_names (out, in->names);
  gint pc = dp_table_find_column (in, "prefix");
  if (pc >= 0 && in->cols[pc].type != DP_COL_INT64)
    pc = -1;
  for (guint c = 0; c < in->n_cols; c++)
    {
      const DpColumn *ic = &in->cols[c];
      DpColumn *oc = &out->cols[c];
      switch (ic->type)
        {
        case DP_COL_STRING:
          for (guint r = 0; r < in->n_rows; r++)
            {
              /* a cell that is an address (Maltrail labels some ranges by
               * one) would publish it in clear */
              guint32 a;
              char buf[64];
              if (ic->str[r] && anon_table_wants (s, ic) && dp_ipv4_parse (ic->str[r], &a))
                {
                  anon_column (s, &a, 1);
                  dp_table_set_str (out, c, r, dp_ipv4_format (a, NULL, buf));
                  s->text_cells++;
                }
              else
                dp_table_set_str (out, c, r, ic->str[r]);
            }
          break;
        case DP_COL_INT64:
          if (in->n_rows)
            memcpy (oc->i64, ic->i64, in->n_rows * sizeof (gint64));
          break;
        case DP_COL_DOUBLE:
          if (in->n_rows)
            memcpy (oc->f64, ic->f64, in->n_rows * sizeof (double));
          break;
        case DP_COL_IPV4:
          if (in->n_rows)
            memcpy (oc->ip, ic->ip, in->n_rows * sizeof (guint32));
          if (!anon_table_wants (s, ic))
            break;
          /* pseudonyms (names in 240.0.0.0/4) pass unchanged: class E is kept whole */
          anon_column (s, oc->ip, in->n_rows);
          for (guint r = 0; pc >= 0 && strcmp (ic->name, "ip") == 0 && r < in->n_rows; r++)
            {
              gint64 p = in->cols[pc].i64[r];
              if (p >= 0 && p < 32)
                oc->ip[r] &= p == 0 ? 0 : (guint32) (G_MAXUINT32 << (32 - p));
            }
          break;
        }
    }
  return out;
}

/* The flow of the push: a filter wants what its consumers want. */
static DpFlow
anon_batch (DpStage *stage, Anon *s, DpBatch *batch, GError **error)
{
  if (batch->type == DP_TYPE_PACKETS)
    return anon_packets (stage, s, (const DpPackets *) batch, error);
  if (batch->type == DP_TYPE_TABLE)
    {
      DpTable *t = anon_table (s, stage, (const DpTable *) batch, error);
      if (t == NULL)
        return DP_FLOW_ERROR;
      if (anon_failed (s, error))
        {
          dp_batch_unref (t);
          return DP_FLOW_ERROR;
        }
      return dp_stage_push (stage, 1, t);
    }
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "anonymize takes packets and tables, not %s",
               dp_batch_type_name (batch->type));
  return DP_FLOW_ERROR;
}

/* ------------------------------------------------------------------ */
/* Life cycle */

static DpFlow
anon_process (DpStage *stage, void *state, guint in_port, const char *upstream, DpBatch *batch,
              GError **error)
{
  return anon_batch (stage, state, batch, error);
}

/* Before any data: the sensor's prefixes, a reversible setting, and a key
 * file that reads (its errors name the file and byte, never key digits). */
static gboolean
anon_check (DpStage *stage, const void *config, GError **error)
{
  const AnonConfig *cfg = config;
  for (char **t = cfg->telescope; t && *t; t++)
    {
      DpCidr c;
      g_autoptr (GError) e = NULL;
      if (!dp_parse_cidr (*t, &c, &e))
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "telescope", "option 'telescope': %s",
                                      e->message);
    }
  if (cfg->reverse && cfg->telescope && cfg->telescope[0] && cfg->telescope_host == ANON_HOST_ZERO)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_CHOICE, "telescope_host",
                                  "option 'telescope_host': zero cannot be reversed (the telescope's host "
                                  "bits are gone); reverse data made with remap or scramble");
  AnonKey k;
  gboolean ok = anon_key_read (stage, cfg->key_file, &k, error);
  OPENSSL_cleanse (&k, sizeof k);
  if (!ok)
    dp_stage_check_option (stage, "key_file");
  return ok;
}

static gboolean
anon_finish (DpStage *stage, void *state, GError **error)
{
  Anon *s = state;
  dp_stage_count (stage, "addresses", s->addresses);
  dp_stage_count (stage, "computed", s->misses);
  dp_stage_count (stage, "aes-blocks", s->blocks_done);
  if (s->n_nets)
    dp_stage_count (stage, "telescope-addresses", s->telescope_hits);
  if (s->text_cells)
    dp_stage_count (stage, "text-addresses", s->text_cells);
  return TRUE;
}

static void
anon_finalize (void *state)
{
  Anon *s = state;
  if (s->ctx)
    EVP_CIPHER_CTX_free (s->ctx);
  OPENSSL_cleanse (s->pad, sizeof s->pad);
  s->pad_word = 0;
  g_free (s->cache);
  g_free (s->net16);
  g_free (s->nets);
  g_free (s->blocks);
  g_free (s->out);
  g_clear_pointer (&s->out_batch, dp_batch_unref);
  g_clear_pointer (&s->column_names, g_ptr_array_unref);
  g_free (s);
}

static gboolean
anon_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const AnonConfig *cfg = config;
  Anon *s = g_new0 (Anon, 1);
  *state = s;
  s->cfg = cfg;
  s->pass_bits = (guint) cfg->pass_bits;
  for (char **t = cfg->telescope; t && *t; t++)
    {
      DpCidr c;
      GError *e = NULL;
      if (!dp_parse_cidr (*t, &c, &e))
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "option 'telescope': %s", e->message);
          g_error_free (e);
          return FALSE;
        }
      s->nets = g_renew (AnonNet, s->nets, s->n_nets + 1);
      s->nets[s->n_nets++] = (AnonNet) { c.addr, c.prefix, 32u - c.prefix };
    }
  if (cfg->reverse && s->n_nets && cfg->telescope_host == ANON_HOST_ZERO)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_CHOICE, "option 'telescope_host': zero cannot be "
                   "reversed (the telescope's host bits are gone); reverse data made with remap or scramble");
      return FALSE;
    }
  if (cfg->columns)
    {
      s->column_names = g_ptr_array_new ();
      for (char **c = cfg->columns; *c; c++)
        g_ptr_array_add (s->column_names, *c);
    }

  AnonKey k;
  if (!anon_key_read (stage, cfg->key_file, &k, error))
    {
      OPENSSL_cleanse (&k, sizeof k);
      return FALSE;
    }
  memcpy (s->pad, k.pad, 16);
  s->pad_word = (guint32) k.pad[0] | (guint32) k.pad[1] << 8 | (guint32) k.pad[2] << 16 | (guint32) k.pad[3] << 24;
  s->ctx = EVP_CIPHER_CTX_new ();
  gboolean ok = s->ctx && EVP_EncryptInit_ex (s->ctx, EVP_aes_128_ecb (), NULL, k.key, NULL)
                && EVP_CIPHER_CTX_set_padding (s->ctx, 0);
  OPENSSL_cleanse (&k, sizeof k);
  if (!ok)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "libcrypto could not set up AES-128");
      return FALSE;
    }
  s->blocks = g_malloc (ANON_MISS_BATCH * 32 * 16);
  s->out = g_malloc (ANON_MISS_BATCH * 32 * 16);
  if (cfg->cache_size > 0)
    {
      guint32 n = 1;
      while (n < cfg->cache_size)
        n <<= 1;
      s->cache = g_new (AnonSlot, n);
      s->cache_mask = n - 1;
      /* every slot valid from the start: key 0 with the image of 0.0.0.0 */
      guint32 zero = 0, v;
      if (cfg->reverse)
        v = anon_reverse_one (s, 0);
      else
        {
          anon_scramble_many (s, &zero, &v, 1);
          const AnonNet *t = anon_telescope (s, 0);
          if (t && cfg->telescope_host != ANON_HOST_SCRAMBLE)
            v = anon_telescope_forward (s, t, v);
        }
      for (guint32 i = 0; i < n; i++)
        s->cache[i] = (AnonSlot) { 0, v };
      if (anon_failed (s, error))
        return FALSE;
    }
  if (!cfg->reverse && s->pass_bits < 16)
    s->net16 = g_new0 (guint32, 65536);
  return TRUE;
}

static const char *const anon_addresses[] = { "both", "src", "dst", NULL };
static const char *const anon_hosts[] = { "remap", "zero", "scramble", NULL };

static const DpOptionDesc anon_options[] = {
  DP_OPTION_FLAGS ("key_file", DP_OPT_PATH, NULL, AnonConfig, key_file, DP_OPT_REQUIRED | DP_OPT_INPUT,
                   "cryptopANT key file (AES, c4:c6:key:pad:mac:iv in hex); make one with 'darkpipe anonymize --new-key FILE'."),
  DP_OPTION_ENUM ("addresses", "both", AnonConfig, addresses, anon_addresses,
                  "Which addresses of packets to anonymise."),
  DP_OPTION_RANGE ("pass_bits", DP_OPT_UINT, "0", AnonConfig, pass_bits, 0, 32,
                   "Leading bits passed unchanged (the old class bits, 1 to 4, are always kept; 240.0.0.0/4 is kept whole)."),
  DP_OPTION ("telescope", DP_OPT_STRLIST, NULL, AnonConfig, telescope,
             "The sensor's own prefixes (CIDR): their host bits are remapped or zeroed, per telescope_host."),
  DP_OPTION_ENUM ("telescope_host", "remap", AnonConfig, telescope_host, anon_hosts,
                  "Host bits of telescope addresses: remap (keyed permutation, not prefix-preserving), zero, or scramble like any address."),
  DP_OPTION ("reverse", DP_OPT_BOOL, "false", AnonConfig, reverse,
             "Undo the anonymisation (needs the same key, pass_bits and telescope options)."),
  DP_OPTION_RANGE ("cache_size", DP_OPT_UINT, "1048576", AnonConfig, cache_size, 0, 1 << 28,
                   "Entries of the address cache (8 bytes each, rounded up to a power of two; 0: no cache)."),
  DP_OPTION ("columns", DP_OPT_STRLIST, NULL, AnonConfig, columns,
             "Columns of tables to anonymise (default: every address column, and text columns per text_addresses)."),
  DP_OPTION ("text_addresses", DP_OPT_BOOL, "true", AnonConfig, text_addresses,
             "Also anonymise text cells of tables that are a whole dotted-quad address (labels named by an address)."),
};

static const DpPortDesc anon_inputs[] = {
  { "input", DP_TYPE_ANY, DP_PORT_MULTI, "Packets, or tables with address (ipv4) columns." },
};

static const DpPortDesc anon_outputs[] = {
  { "packets", DP_TYPE_PACKETS, 0, "The packets with src/dst anonymised (a copy; other columns unchanged)." },
  { "tables", DP_TYPE_TABLE, 0, "Each input table with its address columns anonymised." },
};

DP_PLUGIN_DEFINE (anonymize,
  .kind = DP_KIND_TRANSFORM,
  .summary = "Prefix-preserving anonymisation of IPv4 addresses (Crypto-PAn, AES-128, cryptopANT-compatible)",
  .version = "1.0",
  .doc = "Scrambles addresses with Crypto-PAn (Xu et al., ICNP 2002) using AES-128 from OpenSSL's "
         "libcrypto (AES-NI through EVP). Two addresses that share a k-bit prefix share a k-bit prefix "
         "afterwards; the key holder can invert the mapping (`reverse: true`). The key file and the "
         "output are those of cryptopANT (`scramble_ips`) with an AES key file: the plugin reproduces "
         "its 1000 IPv4 test vectors bit for bit. As there, the leading bits of the old address class "
         "(A 1, B 2, C 3, D 4) are kept and 240.0.0.0/4 passes unchanged (the DarkVec pseudonyms live "
         "there). Make a key with `darkpipe anonymize --new-key FILE` (mode 0600, never printed).\n\n"
         "`telescope` names the sensor's own prefixes. Their network bits are scrambled like any "
         "address, but their host bits are, with `telescope_host: remap`, replaced by a keyed "
         "permutation that is not prefix-preserving (distinct destinations stay distinct; the "
         "sensor's layout, which a probe sent to a known address would reveal, does not show), or "
         "zeroed (`zero`).\n\n"
         "Packets come out on `packets` as a copy with `src`/`dst` replaced (per `addresses`); tables "
         "on `tables` with their address columns replaced (all, or `columns`). A table with an int64 "
         "`prefix` column (CIDR entries of `labels`) keeps network addresses in its `ip` column: bits "
         "past the prefix are cleared again. Text cells that are a whole address (Maltrail labels "
         "some ranges by an address, `13.249.87.125`) are anonymised too (`text_addresses`, counted "
         "as `text-addresses`); an address inside longer text is not. Counters: `addresses` (anonymised), `computed` (cache misses, "
         "each address computed), `aes-blocks` (AES blocks encrypted), `telescope-addresses` (of the "
         "computed ones, those in `telescope`).\n\n"
         "What this does not hide: timing, packet sizes, TTLs, ports, TCP sequence numbers, IP ids "
         "and flags pass unchanged, and they fingerprint senders and tools; prefix preservation "
         "leaks the structure of the address space (how many senders share a /24), which "
         "known-plaintext attacks exploit (a party that knows some real addresses of the trace "
         "learns the mapping of their prefixes); the sensor's prefixes keep their size. See the "
         "README's section on publishing anonymised data.",
  .inputs = anon_inputs, .n_inputs = DP_N_ELEMENTS (anon_inputs),
  .outputs = anon_outputs, .n_outputs = DP_N_ELEMENTS (anon_outputs),
  .options = anon_options, .n_options = DP_N_ELEMENTS (anon_options),
  .config_size = sizeof (AnonConfig),
  .check = anon_check,
  .init = anon_init,
  .process = anon_process,
  .finish = anon_finish,
  .finalize = anon_finalize)
