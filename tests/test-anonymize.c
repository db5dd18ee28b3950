/* test-anonymize.c — the anonymize plugin: cryptopANT's 1000 IPv4 vectors
 * bit for bit and back, pass_bits, src/dst/both, the telescope's host bits,
 * key-file errors, tables, and `darkpipe anonymize --new-key`. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "dp-test.h"

static char *tmpdir;

#define N_VEC 1000

typedef struct {
  guint32 in[N_VEC], out[N_VEC];
  char *key;
} Vectors;

static void
read_addrs (const char *path, guint32 *a)
{
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i]; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (n, <, N_VEC);
      g_assert_true (dp_ipv4_parse (lines[i], &a[n]));
      n++;
    }
  g_assert_cmpuint (n, ==, N_VEC);
}

/* FALSE (test skipped) when the plugin was not built (no libcrypto). */
static gboolean
have_plugin (void)
{
#ifdef HAVE_CRYPTO
  return TRUE;
#else
  g_test_skip ("built without libcrypto: no anonymize plugin");
  return FALSE;
#endif
}

/* The vectors, or NULL (test skipped) without ../shared or the plugin. */
static Vectors *
vectors (void)
{
  if (!have_plugin ())
    return NULL;
  g_autofree char *in = dp_test_shared ("data/anon/cryptopant_ip4s");
  if (in == NULL)
    return NULL;
  g_autofree char *out = dp_test_shared ("data/anon/cryptopant_ip4s.anon.aes");
  Vectors *v = g_new0 (Vectors, 1);
  read_addrs (in, v->in);
  read_addrs (out, v->out);
  v->key = dp_test_shared ("data/anon/cryptopant_keyfile.aes");
  return v;
}

static void
vectors_free (Vectors *v)
{
  g_free (v->key);
  g_free (v);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Vectors, vectors_free)

static DpPackets *
packets_of (const guint32 *src, const guint32 *dst, guint n)
{
  DpPackets *p = dp_packets_new (n);
  for (guint i = 0; i < n; i++)
    dp_test_add_packet (p, DP_TEST_SEC (1000 + i), src[i], dst[i], 6, (guint16) (1000 + i), 23, 0x02);
  return p;
}

/* Runs anonymize with @yaml over @in; returns its packets (transfer full). */
static DpPackets *
run_packets (const char *yaml, const DpPackets *in, DpHarness **hout)
{
  GError *error = NULL;
  DpHarness *h = dp_harness_new ("anonymize", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, (gpointer) in, &error));
  g_assert_no_error (error);
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  DpPackets *out = dp_harness_packets (h, "packets");
  g_assert_nonnull (out);
  g_assert_cmpuint (out->n_rows, ==, in->n_rows);
  if (hout)
    *hout = h;
  else
    dp_harness_free (h);
  return out;
}

/* every other column passes unchanged */
static void
assert_other_columns (const DpPackets *a, const DpPackets *b)
{
  for (guint i = 0; i < a->n_rows; i++)
    {
      g_assert_cmpint (a->ts[i], ==, b->ts[i]);
      g_assert_cmpuint (a->sport[i], ==, b->sport[i]);
      g_assert_cmpuint (a->dport[i], ==, b->dport[i]);
      g_assert_cmpuint (a->proto[i], ==, b->proto[i]);
      g_assert_cmpuint (a->tcp_flags[i], ==, b->tcp_flags[i]);
      g_assert_cmpuint (a->ttl[i], ==, b->ttl[i]);
      g_assert_cmpuint (a->l4[i], ==, b->l4[i]);
    }
}

static void
test_vectors (gconstpointer data)
{
  const char *extra = data;
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  g_autoptr (DpPackets) in = packets_of (v->in, v->in, N_VEC);
  g_autofree char *yaml = g_strdup_printf ("key_file: %s\n%s", v->key, extra);
  DpHarness *h;
  g_autoptr (DpPackets) out = run_packets (yaml, in, &h);
  guint bad = 0;
  for (guint i = 0; i < N_VEC; i++)
    {
      bad += out->src[i] != v->out[i] || out->dst[i] != v->out[i];
      g_assert_cmpuint (in->src[i], ==, v->in[i]);   /* the input batch is not touched */
    }
  g_assert_cmpuint (bad, ==, 0);
  assert_other_columns (in, out);
  g_assert_cmpuint (dp_harness_counter (h, "addresses"), ==, 2 * N_VEC);
  /* dst repeats src: with a cache each address is computed once */
  guint64 computed = dp_harness_counter (h, "computed");
  if (strstr (extra, "cache_size: 0"))
    g_assert_cmpuint (computed, ==, 2 * N_VEC);
  else if (*extra == '\0')
    g_assert_cmpuint (computed, <=, N_VEC);
  else
    g_assert_cmpuint (computed, <=, 2 * N_VEC);   /* 16 slots: src evicted before dst comes */
  dp_harness_free (h);
}

/* reverse: true maps every scrambled vector back to its address */
static void
test_invert (void)
{
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  g_autoptr (DpPackets) in = packets_of (v->out, v->in, N_VEC);
  g_autofree char *yaml = g_strdup_printf ("key_file: %s\nreverse: true\naddresses: src", v->key);
  g_autoptr (DpPackets) out = run_packets (yaml, in, NULL);
  guint bad = 0;
  for (guint i = 0; i < N_VEC; i++)
    bad += out->src[i] != v->in[i] || out->dst[i] != v->in[i];
  g_assert_cmpuint (bad, ==, 0);
}

/* pass_bits p keeps p leading bits; the bits after them are those of
 * pass_bits 0 (bit i depends on the i leading input bits only) */
static void
test_pass_bits (void)
{
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  static const guint ps[] = { 8, 16, 24, 31, 32 };
  for (guint k = 0; k < G_N_ELEMENTS (ps); k++)
    {
      guint p = ps[k];
      guint32 keep = p == 0 ? 0 : (guint32) (G_MAXUINT32 << (32 - p));
      g_autoptr (DpPackets) in = packets_of (v->in, v->in, N_VEC);
      g_autofree char *yaml = g_strdup_printf ("key_file: %s\npass_bits: %u", v->key, p);
      g_autoptr (DpPackets) out = run_packets (yaml, in, NULL);
      guint changed = 0;
      for (guint i = 0; i < N_VEC; i++)
        {
          g_assert_cmphex (out->src[i], ==, (v->in[i] & keep) | (v->out[i] & ~keep));
          changed += out->src[i] != v->in[i];
        }
      if (p <= 24)
        g_assert_cmpuint (changed, >, N_VEC * 9 / 10);
      else if (p == 32)
        g_assert_cmpuint (changed, ==, 0);
      /* and back */
      g_autofree char *ry = g_strdup_printf ("key_file: %s\npass_bits: %u\nreverse: true", v->key, p);
      g_autoptr (DpPackets) back = run_packets (ry, out, NULL);
      for (guint i = 0; i < N_VEC; i++)
        g_assert_cmphex (back->src[i], ==, v->in[i]);
    }
}

static void
test_which_addresses (void)
{
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  guint32 dst[N_VEC];
  for (guint i = 0; i < N_VEC; i++)
    dst[i] = v->in[(i + 1) % N_VEC];
  g_autoptr (DpPackets) in = packets_of (v->in, dst, N_VEC);
  static const char *const which[] = { "src", "dst", "both" };
  for (guint w = 0; w < 3; w++)
    {
      g_autofree char *yaml = g_strdup_printf ("key_file: %s\naddresses: %s", v->key, which[w]);
      g_autoptr (DpPackets) out = run_packets (yaml, in, NULL);
      for (guint i = 0; i < N_VEC; i++)
        {
          g_assert_cmphex (out->src[i], ==, w == 1 ? v->in[i] : v->out[i]);
          g_assert_cmphex (out->dst[i], ==, w == 0 ? dst[i] : v->out[(i + 1) % N_VEC]);
        }
      assert_other_columns (in, out);
    }
}

/* Addresses of a /22 telescope and a few outside it. */
#define TEL_N 1024
static void
test_telescope (void)
{
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  guint32 dst[TEL_N], src[TEL_N];
  for (guint i = 0; i < TEL_N; i++)
    {
      dst[i] = DP_TEST_IP (198, 51, 100, 0) + i;   /* 198.51.100.0/22 */
      src[i] = v->in[i % N_VEC];
    }
  g_autoptr (DpPackets) in = packets_of (src, dst, TEL_N);
  g_autofree char *plain = g_strdup_printf ("key_file: %s", v->key);
  g_autoptr (DpPackets) cp = run_packets (plain, in, NULL);

  g_autofree char *remap = g_strdup_printf ("key_file: %s\ntelescope: [198.51.100.0/22]", v->key);
  DpHarness *h;
  g_autoptr (DpPackets) out = run_packets (remap, in, &h);
  g_assert_cmpuint (dp_harness_counter (h, "telescope-addresses"), ==, TEL_N);
  dp_harness_free (h);
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint same_as_cryptopan = 0, order_kept = 0;
  for (guint i = 0; i < TEL_N; i++)
    {
      g_assert_cmphex (out->src[i], ==, cp->src[i]);               /* others as Crypto-PAn */
      g_assert_cmphex (out->dst[i] >> 10, ==, cp->dst[i] >> 10);   /* the network's 22 bits too */
      g_assert_true (g_hash_table_add (seen, GUINT_TO_POINTER (out->dst[i])));   /* a bijection */
      same_as_cryptopan += out->dst[i] == cp->dst[i];
      /* Crypto-PAn keeps the /24s of the sensor together; the remap does not */
      order_kept += i > 0 && (out->dst[i] >> 8) == (out->dst[i - 1] >> 8);
    }
  g_assert_cmpuint (same_as_cryptopan, <, 16);
  g_assert_cmpuint (order_kept, <, TEL_N / 2);
  g_autofree char *back_y = g_strdup_printf ("%s\nreverse: true", remap);
  g_autoptr (DpPackets) back = run_packets (back_y, out, NULL);
  for (guint i = 0; i < TEL_N; i++)
    {
      g_assert_cmphex (back->dst[i], ==, dst[i]);
      g_assert_cmphex (back->src[i], ==, src[i]);
    }

  g_autofree char *zero = g_strdup_printf ("%s\ntelescope_host: zero", remap);
  g_autoptr (DpPackets) z = run_packets (zero, in, NULL);
  for (guint i = 0; i < TEL_N; i++)
    {
      g_assert_cmphex (z->dst[i], ==, cp->dst[i] & ~0x3ffu);
      g_assert_cmphex (z->src[i], ==, cp->src[i]);
    }
  g_autofree char *scr = g_strdup_printf ("%s\ntelescope_host: scramble", remap);
  g_autoptr (DpPackets) sc = run_packets (scr, in, NULL);
  for (guint i = 0; i < TEL_N; i++)
    g_assert_cmphex (sc->dst[i], ==, cp->dst[i]);

  /* the edges: a /32 sensor (no host bits: as Crypto-PAn), a /0 (every
   * address permuted, still a bijection that reverses) */
  g_autoptr (DpPackets) vin = packets_of (v->in, v->in, N_VEC);
  static const char *const edges[] = { "[198.51.100.7/32, 10.0.0.0/8]", "[0.0.0.0/0]" };
  for (guint e = 0; e < G_N_ELEMENTS (edges); e++)
    {
      g_autofree char *y = g_strdup_printf ("key_file: %s\ntelescope: %s", v->key, edges[e]);
      g_autoptr (DpPackets) o = run_packets (y, vin, NULL);
      g_autofree char *ry = g_strdup_printf ("%s\nreverse: true", y);
      g_autoptr (DpPackets) b = run_packets (ry, o, NULL);
      g_autoptr (GHashTable) ins = g_hash_table_new (NULL, NULL);
      g_autoptr (GHashTable) outs = g_hash_table_new (NULL, NULL);
      guint as_cp = 0;
      for (guint i = 0; i < N_VEC; i++)
        {
          g_assert_cmphex (b->src[i], ==, v->in[i]);
          g_hash_table_add (ins, GUINT_TO_POINTER (v->in[i]));
          g_hash_table_add (outs, GUINT_TO_POINTER (o->src[i]));
          as_cp += o->src[i] == v->out[i];
        }
      g_assert_cmpuint (g_hash_table_size (outs), ==, g_hash_table_size (ins));   /* one to one */
      if (e == 0)
        g_assert_cmpuint (as_cp, >, N_VEC - 20);   /* only 10/8 members differ */
      else
        g_assert_cmpuint (as_cp, <, 20);
    }
}

/* a key of our own, cache on and off, many repeats: the same results */
static void
test_cache_consistent (void)
{
  if (!have_plugin ())
    return;
  g_autofree char *key = g_build_filename (tmpdir, "k.aes", NULL);
  g_assert_true (g_file_set_contents (key, "03:03:000102030405060708090a0b0c0d0e0f:"
                                      "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f::\n", -1, NULL));
  g_chmod (key, 0600);
  enum { N = 20000 };
  guint32 *a = g_new (guint32, N), *b = g_new (guint32, N);
  guint32 x = 12345;
  for (guint i = 0; i < N; i++)
    {
      x = x * 1103515245u + 12345u;
      a[i] = i % 3 == 0 ? (x & 0xffff00ffu) : (i % 3 == 1 ? DP_TEST_IP (10, 1, 0, 0) + (x % 50) : x);
    }
  for (guint i = 0; i < N; i++)
    b[i] = a[(i * 7) % N];
  g_autoptr (DpPackets) in = packets_of (a, b, N);
  g_autofree char *y1 = g_strdup_printf ("key_file: %s\ncache_size: 0", key);
  g_autofree char *y2 = g_strdup_printf ("key_file: %s\ncache_size: 64", key);
  g_autofree char *y3 = g_strdup_printf ("key_file: %s", key);
  g_autoptr (DpPackets) o1 = run_packets (y1, in, NULL);
  g_autoptr (DpPackets) o2 = run_packets (y2, in, NULL);
  DpHarness *h;
  g_autoptr (DpPackets) o3 = run_packets (y3, in, &h);
  g_assert_cmpuint (dp_harness_counter (h, "computed"), <, N);
  dp_harness_free (h);
  guint changed = 0;
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmphex (o1->src[i], ==, o2->src[i]);
      g_assert_cmphex (o1->src[i], ==, o3->src[i]);
      g_assert_cmphex (o1->dst[i], ==, o3->dst[i]);
      changed += o1->src[i] != a[i];
      /* prefix preservation against the next row */
      guint j = (i + 1) % N;
      guint p_in = a[i] == a[j] ? 32 : (guint) __builtin_clz (a[i] ^ a[j]);
      guint p_out = o1->src[i] == o1->src[j] ? 32 : (guint) __builtin_clz (o1->src[i] ^ o1->src[j]);
      g_assert_cmpuint (p_in, ==, p_out);
    }
  g_assert_cmpuint (changed, >, N * 9 / 10);
  g_free (a);
  g_free (b);
}

/* ------------------------------------------------------------------ */
/* IPv6: addresses as keys of the name map */

typedef struct {
  guint8 in[N_VEC][16], out[N_VEC][16];
  char *key;
} Vectors6;

static void
read_addrs6 (const char *path, guint8 (*a)[16])
{
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i]; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (n, <, N_VEC);
      g_assert_true (dp_ip6_parse (lines[i], a[n]));
      n++;
    }
  g_assert_cmpuint (n, ==, N_VEC);
}

/* cryptopANT's IPv6 vectors, or NULL (test skipped) */
static Vectors6 *
vectors6 (void)
{
  if (!have_plugin ())
    return NULL;
  g_autofree char *in = dp_test_shared ("data/anon/cryptopant_ip6s");
  if (in == NULL)
    return NULL;
  g_autofree char *out = dp_test_shared ("data/anon/cryptopant_ip6s.anon.aes");
  Vectors6 *v = g_new0 (Vectors6, 1);
  read_addrs6 (in, v->in);
  read_addrs6 (out, v->out);
  v->key = dp_test_shared ("data/anon/cryptopant_keyfile.aes");
  return v;
}

static void
vectors6_free (Vectors6 *v)
{
  g_free (v->key);
  g_free (v);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Vectors6, vectors6_free)

static guint32
key6 (DpNameMap *m, const guint8 a[16], guint plen)
{
  guint32 k = 0;
  g_assert_true (dp_name_map_intern_ip6 (m, a, plen, &k));
  return k;
}

/* The 16 bytes behind @key in @m, which must be an IPv6 entry of @plen. */
static const guint8 *
bytes6 (const DpNameMap *m, guint32 key, guint plen)
{
  guint pl = 0;
  const guint8 *b = dp_name_map_lookup_ip6 (m, key, &pl);
  g_assert_nonnull (b);
  g_assert_cmpuint (pl, ==, plen);
  return b;
}

static void
assert_ip6 (const guint8 *got, const guint8 *want)
{
  char a[64], b[64];
  if (memcmp (got, want, 16) != 0)
    g_assert_cmpstr (dp_ip6_format (got, 128, a), ==, dp_ip6_format (want, 128, b));
}

/* Packets from in[i] to in[(i + 1) % n] (IPv6 keys of @m), in @n_batches. */
static GPtrArray *
packets6 (DpNameMap *m, guint8 (*a)[16], guint n, guint n_batches)
{
  guint32 *k = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    k[i] = key6 (m, a[i], 128);
  GPtrArray *batches = g_ptr_array_new_with_free_func (dp_batch_unref);
  for (guint b = 0; b < n_batches; b++)
    {
      DpPackets *p = dp_packets_new (n);
      for (guint i = b * n / n_batches; i < (b + 1) * n / n_batches; i++)
        {
          guint r = dp_test_add_packet (p, DP_TEST_SEC (1000 + i), k[i], k[(i + 1) % n], 6, 1000, 23, 0x02);
          p->ttl[r] = (guint8) i;
        }
      dp_packets_set_names (p, m);
      g_ptr_array_add (batches, p);
    }
  g_free (k);
  return batches;
}

/* Runs anonymize with @yaml over @batches; returns its output batches. */
static GPtrArray *
run_batches (const char *yaml, GPtrArray *batches, DpHarness **hout)
{
  GError *error = NULL;
  DpHarness *h = dp_harness_new ("anonymize", yaml, &error);
  g_assert_no_error (error);
  for (guint b = 0; b < batches->len; b++)
    {
      g_assert_true (dp_harness_push (h, 0, batches->pdata[b], &error));
      g_assert_no_error (error);
    }
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  GPtrArray *out = g_ptr_array_ref (dp_harness_outputs (h, 0));
  g_assert_cmpuint (out->len, ==, batches->len);
  *hout = h;
  return out;
}

/* Every IPv6 vector bit for bit, as src and dst, over several batches
 * (one output map: a key becomes the same key in every batch), with and
 * without ipv6_pass_bits, and back with reverse. */
static void
test_ip6_vectors (void)
{
  g_autoptr (Vectors6) v = vectors6 ();
  if (v == NULL)
    return;
  static const guint ps[] = { 0, 20, 64, 127, 128 };
  for (guint k = 0; k < G_N_ELEMENTS (ps); k++)
    {
      guint p = ps[k];
      g_autoptr (DpNameMap) m = dp_name_map_new ();
      g_autoptr (GPtrArray) in = packets6 (m, v->in, N_VEC, 3);
      guint in_size = dp_name_map_size (m);
      g_autofree char *yaml = g_strdup_printf ("key_file: %s\nipv6_pass_bits: %u", v->key, p);
      DpHarness *h;
      g_autoptr (GPtrArray) out = run_batches (yaml, in, &h);
      g_assert_cmpuint (dp_name_map_size (m), ==, in_size);   /* the input's map is not written */
      DpNameMap *om = ((DpPackets *) out->pdata[0])->names;
      g_assert_nonnull (om);
      g_assert_true (om != m);
      g_autoptr (GHashTable) key_of = g_hash_table_new (NULL, NULL);
      guint i = 0, changed = 0;
      for (guint b = 0; b < out->len; b++)
        {
          const DpPackets *o = out->pdata[b], *ib = in->pdata[b];
          g_assert_true (o->names == om);
          for (guint r = 0; r < o->n_rows; r++, i++)
            {
              guint8 want[16], want2[16];
              for (guint j = 0; j < 16; j++)
                {
                  guint8 keep = (guint8) (p >= 8 * (j + 1) ? 0xff : p <= 8 * j ? 0 : 0xff00u >> (p - 8 * j));
                  want[j] = (guint8) ((v->in[i][j] & keep) | (v->out[i][j] & ~keep));
                  want2[j] = (guint8) ((v->in[(i + 1) % N_VEC][j] & keep) | (v->out[(i + 1) % N_VEC][j] & ~keep));
                }
              assert_ip6 (bytes6 (om, o->src[r], 128), want);
              assert_ip6 (bytes6 (om, o->dst[r], 128), want2);
              changed += memcmp (want, v->in[i], 16) != 0;
              g_assert_cmpuint (o->ttl[r], ==, ib->ttl[r]);
              /* the same address, the same key, whatever the batch */
              const guint32 pairs[2][2] = { { ib->src[r], o->src[r] }, { ib->dst[r], o->dst[r] } };
              for (guint q = 0; q < 2; q++)
                {
                  gpointer prev;
                  if (g_hash_table_lookup_extended (key_of, GUINT_TO_POINTER (pairs[q][0]), NULL, &prev))
                    g_assert_cmphex (GPOINTER_TO_UINT (prev), ==, pairs[q][1]);
                  g_hash_table_insert (key_of, GUINT_TO_POINTER (pairs[q][0]), GUINT_TO_POINTER (pairs[q][1]));
                }
            }
        }
      g_assert_cmpuint (i, ==, N_VEC);
      if (p < 64)
        g_assert_cmpuint (changed, ==, N_VEC);
      if (p == 128)
        g_assert_cmpuint (changed, ==, 0);
      /* each distinct address computed once, though it comes as src and dst */
      g_assert_cmpuint (dp_harness_counter (h, "ipv6-computed"), ==, in_size);
      /* and back */
      g_autofree char *ry = g_strdup_printf ("%s\nreverse: true", yaml);
      DpHarness *hr;
      g_autoptr (GPtrArray) back = run_batches (ry, out, &hr);
      i = 0;
      for (guint b = 0; b < back->len; b++)
        {
          const DpPackets *o = back->pdata[b];
          for (guint r = 0; r < o->n_rows; r++, i++)
            {
              assert_ip6 (bytes6 (o->names, o->src[r], 128), v->in[i]);
              assert_ip6 (bytes6 (o->names, o->dst[r], 128), v->in[(i + 1) % N_VEC]);
            }
        }
      dp_harness_free (hr);
      dp_harness_free (h);
    }
}

/* A key of our own, random addresses in shared prefixes and prefix
 * entries: prefix lengths kept, a bijection, prefixes as addresses cut,
 * pseudonyms and IPv4 untouched, `addresses: src` leaves dst in clear,
 * and back again. */
static guint
common_bits6 (const guint8 *a, const guint8 *b)
{
  for (guint i = 0; i < 128; i++)
    if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
      return i;
  return 128;
}

static void
test_ip6_prefixes (void)
{
  if (!have_plugin ())
    return;
  g_autofree char *key = g_build_filename (tmpdir, "k6.aes", NULL);
  g_assert_true (g_file_set_contents (key, "03:03:000102030405060708090a0b0c0d0e0f:"
                                      "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f::\n", -1, NULL));
  g_chmod (key, 0600);
  enum { N = 3000 };
  g_autoptr (GRand) rnd = g_rand_new_with_seed (17);
  guint8 (*a)[16] = g_malloc ((gsize) N * 16);
  guint *plen = g_new (guint, N);
  for (guint i = 0; i < N; i++)
    {
      for (guint j = 0; j < 16; j++)
        a[i][j] = (guint8) g_rand_int (rnd);
      /* most share a random prefix with the one before */
      if (i > 0 && i % 7 != 0)
        {
          guint keep = g_rand_int_range (rnd, 0, 129);
          guint8 m[16];
          dp_ip6_mask (a[i - 1], keep, m);
          for (guint j = 0; j < 16; j++)
            {
              guint8 km = (guint8) (keep >= 8 * (j + 1) ? 0xff : keep <= 8 * j ? 0 : 0xff00u >> (keep - 8 * j));
              a[i][j] = (guint8) (m[j] | (a[i][j] & ~km));
            }
        }
      plen[i] = i % 5 == 0 ? (guint) g_rand_int_range (rnd, 0, 128) : 128;
      if (plen[i] < 128)
        dp_ip6_mask (a[i], plen[i], a[i]);
    }
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (DpPackets) in = dp_packets_new (N);
  for (guint i = 0; i < N; i++)
    {
      /* dst: the address, an IPv4 address or a pseudonym in turn */
      guint32 d = i % 3 == 0 ? DP_TEST_IP (20, i % 256, 3, 4) : i % 3 == 1 ? key6 (m, a[i], plen[i])
                : dp_name_map_intern (m, i % 2 ? "src_ipaddr12" : "dst_ipaddr7");
      dp_test_add_packet (in, DP_TEST_SEC (i), key6 (m, a[i], plen[i]), d, 17, 53, 53, 0);
    }
  /* a class E address that the map never gave out */
  in->dst[N - 1] = 0xfffffff0u;
  dp_packets_set_names (in, m);
  g_autofree char *yaml = g_strdup_printf ("key_file: %s", key);
  g_autoptr (DpPackets) o = run_packets (yaml, in, NULL);
  g_autofree char *ysrc = g_strdup_printf ("key_file: %s\naddresses: src", key);
  g_autoptr (DpPackets) os = run_packets (ysrc, in, NULL);
  g_autoptr (GHashTable) outs = g_hash_table_new (g_str_hash, g_str_equal);
  guint changed = 0, empty = 0;
  for (guint i = 0; i < N; i++)
    {
      const guint8 *x = bytes6 (o->names, o->src[i], plen[i]);
      changed += plen[i] > 0 && memcmp (x, a[i], 16) != 0;
      empty += plen[i] == 0;
      if (plen[i] == 0)
        assert_ip6 (x, a[i]);   /* ::/0 has no bits to scramble */
      g_hash_table_add (outs, (gpointer) dp_name_map_lookup (o->names, o->src[i]));
      if (i > 0 && plen[i] == 128 && plen[i - 1] == 128)
        g_assert_cmpuint (common_bits6 (x, bytes6 (o->names, o->src[i - 1], 128)), ==, common_bits6 (a[i], a[i - 1]));
      /* a prefix is the address cut: its bits are those of any address in it */
      if (i > 0 && plen[i] < 128 && plen[i - 1] == 128 && common_bits6 (a[i], a[i - 1]) >= plen[i])
        {
          guint8 cut[16];
          dp_ip6_mask (bytes6 (o->names, o->src[i - 1], 128), plen[i], cut);
          assert_ip6 (x, cut);
        }
      if (i % 3 == 1)
        g_assert_cmphex (o->dst[i], ==, o->src[i]);
      else if (i % 3 == 2 && i != N - 1)
        g_assert_cmpstr (dp_name_map_lookup (o->names, o->dst[i]), ==, i % 2 ? "src_ipaddr12" : "dst_ipaddr7");
      /* addresses: src: the same src as both, dst as it came */
      g_assert_cmpstr (dp_name_map_lookup (os->names, os->src[i]), ==, dp_name_map_lookup (o->names, o->src[i]));
      if (i % 3 == 1)
        assert_ip6 (bytes6 (os->names, os->dst[i], plen[i]), a[i]);
      else if (i % 3 == 0)
        g_assert_cmphex (os->dst[i], ==, in->dst[i]);
    }
  g_assert_cmphex (o->dst[N - 1], ==, 0xfffffff0u);
  g_assert_cmpuint (changed, >=, N - empty - N / 100);
  /* distinct in, distinct out */
  g_autoptr (GHashTable) ins = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < N; i++)
    g_hash_table_add (ins, GUINT_TO_POINTER (in->src[i]));
  g_assert_cmpuint (g_hash_table_size (outs), ==, g_hash_table_size (ins));
  /* the IPv4 addresses as without any IPv6 */
  g_autoptr (DpPackets) v4 = packets_of (in->dst, in->dst, N);
  g_autoptr (DpPackets) o4 = run_packets (yaml, v4, NULL);
  for (guint i = 0; i < N; i += 3)
    if (i != N - 1)
      g_assert_cmphex (o->dst[i], ==, o4->dst[i]);
  /* and back */
  g_autofree char *ry = g_strdup_printf ("key_file: %s\nreverse: true", key);
  g_autoptr (DpPackets) back = run_packets (ry, o, NULL);
  for (guint i = 0; i < N; i++)
    {
      assert_ip6 (bytes6 (back->names, back->src[i], plen[i]), a[i]);
      if (i % 3 == 0)
        g_assert_cmphex (back->dst[i], ==, in->dst[i]);
      else
        g_assert_cmpstr (dp_name_map_lookup (back->names, back->dst[i]), ==, dp_name_map_lookup (m, in->dst[i]));
    }
  g_free (a);
  g_free (plen);
}

/* A /64 IPv6 telescope: the network as Crypto-PAn, host bits remapped
 * (a bijection that reverses, not Crypto-PAn's), or zeroed. */
static void
test_ip6_telescope (void)
{
  g_autoptr (Vectors6) v = vectors6 ();
  if (v == NULL)
    return;
  enum { T = 512 };
  guint8 (*a)[16] = g_malloc ((gsize) (T + N_VEC) * 16);
  g_autoptr (GRand) rnd = g_rand_new_with_seed (5);
  for (guint i = 0; i < T; i++)
    {
      g_assert_true (dp_ip6_parse ("2001:db8:1:2::", a[i]));
      for (guint j = 8; j < 16; j++)
        a[i][j] = (guint8) (j < 14 && i % 2 ? 0 : g_rand_int (rnd));   /* half of them near ::0 */
    }
  memcpy (a[T], v->in, sizeof v->in);
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (GPtrArray) in = packets6 (m, a, T + N_VEC, 1);
  g_autofree char *plain = g_strdup_printf ("key_file: %s", v->key);
  g_autofree char *remap = g_strdup_printf ("key_file: %s\ntelescope: [2001:db8:1:2::/64, 198.51.100.0/24]", v->key);
  DpHarness *h;
  g_autoptr (GPtrArray) cp = run_batches (plain, in, &h);
  dp_harness_free (h);
  g_autoptr (GPtrArray) out = run_batches (remap, in, &h);
  g_assert_cmpuint (dp_harness_counter (h, "telescope-addresses"), ==, T);
  dp_harness_free (h);
  const DpPackets *c = cp->pdata[0], *o = out->pdata[0];
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint same = 0;
  for (guint i = 0; i < T + N_VEC; i++)
    {
      const guint8 *x = bytes6 (o->names, o->src[i], 128), *y = bytes6 (c->names, c->src[i], 128);
      if (i >= T)
        {
          assert_ip6 (x, v->out[i - T]);   /* outside the telescope: Crypto-PAn */
          continue;
        }
      g_assert_cmpint (memcmp (x, y, 8), ==, 0);   /* the network's 64 bits as Crypto-PAn */
      g_assert_true (g_hash_table_add (seen, (gpointer) dp_name_map_lookup (o->names, o->src[i])));
      same += memcmp (x, y, 16) == 0;
    }
  g_assert_cmpuint (same, <, 4);
  g_autofree char *ry = g_strdup_printf ("%s\nreverse: true", remap);
  g_autoptr (GPtrArray) back = run_batches (ry, out, &h);
  dp_harness_free (h);
  const DpPackets *b = back->pdata[0];
  for (guint i = 0; i < T + N_VEC; i++)
    assert_ip6 (bytes6 (b->names, b->src[i], 128), a[i]);
  g_autofree char *zero = g_strdup_printf ("%s\ntelescope_host: zero", remap);
  g_autoptr (GPtrArray) z = run_batches (zero, in, &h);
  dp_harness_free (h);
  const DpPackets *zp = z->pdata[0];
  for (guint i = 0; i < T; i++)
    {
      guint8 want[16];
      dp_ip6_mask (bytes6 (c->names, c->src[i], 128), 64, want);
      assert_ip6 (bytes6 (zp->names, zp->src[i], 128), want);
    }
  g_autofree char *bad = g_strdup_printf ("key_file: %s\ntelescope: ['2001:db8::1/64']", v->key);
  dp_test_bad_option ("anonymize", bad, DP_CONFIG_ERROR_TYPE);
  g_autofree char *bad2 = g_strdup_printf ("key_file: %s\ntelescope: ['2001:db8::/129']", v->key);
  dp_test_bad_option ("anonymize", bad2, DP_CONFIG_ERROR_TYPE);
  dp_test_bad_option ("anonymize", "key_file: x\nipv6_pass_bits: 129", DP_CONFIG_ERROR_RANGE);
  g_free (a);
}

/* Tables: IPv6 keys of address columns and IPv6 text cells. */
static void
test_ip6_table (void)
{
  g_autoptr (Vectors6) v = vectors6 ();
  if (v == NULL)
    return;
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (DpTable) t = dp_table_new ("labels");
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4);
  guint cl = dp_table_add_column (t, "label", DP_COL_STRING);
  guint cp = dp_table_add_column (t, "prefix", DP_COL_INT64);
  guint co = dp_table_add_column (t, "other", DP_COL_IPV4);
  for (guint i = 0; i < 200; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, ci, r, key6 (m, v->in[i], 128));
      char buf[64];
      dp_table_set_str (t, cl, r, i % 2 ? dp_ip6_format (v->in[i], 128, buf) : "scanner");
      dp_table_set_i64 (t, cp, r, 24);   /* no mask for keys: their entry has its length */
      dp_table_set_ip (t, co, r, i % 4 ? key6 (m, v->in[i], 128) : dp_name_map_intern (m, "p1"));
    }
  dp_table_set_names (t, m);
  for (guint pass = 0; pass < 2; pass++)
    {
      GError *error = NULL;
      g_autofree char *yaml = g_strdup_printf ("key_file: %s%s", v->key, pass ? "\ncolumns: [ip]" : "");
      g_autoptr (DpHarness) h = dp_harness_new ("anonymize", yaml, &error);
      g_assert_no_error (error);
      g_assert_true (dp_harness_push (h, 0, t, &error));
      g_assert_true (dp_harness_finish (h, &error));
      g_assert_no_error (error);
      const DpTable *o = dp_harness_output (h, "tables");
      g_assert_nonnull (o->names);
      for (guint i = 0; i < 200; i++)
        {
          char buf[64];
          assert_ip6 (bytes6 (o->names, o->cols[ci].ip[i], 128), v->out[i]);
          g_assert_cmpstr (o->cols[cl].str[i], ==, i % 2 == 0 ? "scanner"
                           : dp_ip6_format (pass ? v->in[i] : v->out[i], 128, buf));
          if (i % 4)
            assert_ip6 (bytes6 (o->names, o->cols[co].ip[i], 128), pass ? v->in[i] : v->out[i]);
          else
            g_assert_cmpstr (dp_name_map_lookup (o->names, o->cols[co].ip[i]), ==, "p1");
        }
    }
}

/* ------------------------------------------------------------------ */
/* key files */

static void
bad_key (const char *text, gssize len, const char *expect)
{
  g_autofree char *path = g_build_filename (tmpdir, "bad.key", NULL);
  g_assert_true (g_file_set_contents (path, text, len, NULL));
  g_autofree char *yaml = g_strdup_printf ("key_file: %s", path);
  GError *error = NULL;
  g_test_message ("key file '%s'", text);
  DpHarness *h = dp_harness_new ("anonymize", yaml, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_test_message ("-> %s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, expect));
  /* no key digits in the message: never a run of 16 hex digits */
  guint run = 0;
  for (const char *p = error->message; *p; p++)
    {
      run = g_ascii_isxdigit (*p) ? run + 1 : 0;
      g_assert_cmpuint (run, <, 16);
    }
  g_error_free (error);
}

#define K32 "86bdbaa5d5a46ef72354297d42eb4e66"
#define P64 "48ffc62219372bbf05a28f65d25ccacb1c697e8fd0b108f3fd216ecd765647d1"

static void
test_key_errors (void)
{
  if (!have_plugin ())
    return;
  bad_key ("", 0, "offset 0: empty key file");
  bad_key ("\n", 1, "offset 0: empty key file");
  bad_key ("03:03:" K32 "00:" P64 "::\n", -1, "offset 6: the key field has 34 hex digits; an AES-128 key has 32");
  bad_key ("03:03:86bd:" P64 "::\n", -1, "offset 6: the key field has 4 hex digits");
  bad_key ("03:03:" K32 ":" P64 "0::\n", -1, "offset 39: the pad field has 65 hex digits; expected 64");
  bad_key ("03:03:86bdbaa5d5a46ef72354297d42eb4eXX:" P64 "::\n", -1, "offset 36: not a hex digit (key field)");
  bad_key ("03:03:" K32 ":" P64 ":zz:\n", -1, "offset 104: not a hex digit (mac field)");
  bad_key ("02:02:" K32 ":" P64 "::\n", -1, "offset 0: IPv4 cipher 02 (Blowfish) is not supported");
  bad_key ("3:03:" K32 ":" P64 "::\n", -1, "offset 0: the IPv4 cipher field has 1 hex digits; expected 2");
  bad_key ("03:03:" K32 "\n", -1, "only 3 colon-separated fields");
  bad_key ("03:03:" K32 ":" P64 "::" K32 ":00\n", -1, "more than 6 colon-separated fields");
  bad_key ("03:03:" K32 ":" P64 "::" K32 "\n03", -1, "offset 137: a second line");
  bad_key ("03:03:" K32 ":" P64 "::1234\n", -1, "the iv field has 4 hex digits; expected 0 or 32");
  bad_key ("03:03:" K32 "\0:" P64 "::\n", 6 + 32 + 1 + 1 + 64 + 3, "offset 38: not a hex digit");
  /* longer than any key file */
  g_autofree char *big = g_strnfill (5000, 'a');
  bad_key (big, -1, "offset 4096: longer than 4096 bytes");
  /* missing file */
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("key_file: %s/none.key", tmpdir);
  g_assert_null (dp_harness_new ("anonymize", yaml, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "none.key: cannot open key file"));
  g_clear_error (&error);
  /* a good key with CRLF, no mac/iv, upper case */
  g_autofree char *good = g_build_filename (tmpdir, "good.key", NULL);
  g_autofree char *upper = g_ascii_strup ("03:03:" K32 ":" P64 ":\r\n", -1);
  g_assert_true (g_file_set_contents (good, upper, -1, NULL));
  g_autofree char *gy = g_strdup_printf ("key_file: %s", good);
  g_autoptr (DpHarness) h = dp_harness_new ("anonymize", gy, &error);
  g_assert_no_error (error);
  dp_test_bad_option ("anonymize", "key_file: x\npass_bits: 33", DP_CONFIG_ERROR_RANGE);
  dp_test_bad_option ("anonymize", "key_file: x\naddresses: source", DP_CONFIG_ERROR_CHOICE);
  g_autofree char *bt = g_strdup_printf ("key_file: %s\ntelescope: [198.51.100.1/24]", good);
  dp_test_bad_option ("anonymize", bt, DP_CONFIG_ERROR_TYPE);
  g_autofree char *bz = g_strdup_printf ("key_file: %s\ntelescope: [198.51.100.0/24]\ntelescope_host: zero\n"
                                         "reverse: true", good);
  dp_test_bad_option ("anonymize", bz, DP_CONFIG_ERROR_CHOICE);
  /* a directory is not a key file */
  g_autofree char *dy = g_strdup_printf ("key_file: %s", tmpdir);
  g_assert_null (dp_harness_new ("anonymize", dy, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
}

/* ------------------------------------------------------------------ */
/* tables */

static void
test_table (void)
{
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  g_autoptr (DpTable) t = dp_table_new ("labels");
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4);
  guint cl = dp_table_add_column (t, "label", DP_COL_STRING);
  guint cp = dp_table_add_column (t, "prefix", DP_COL_INT64);
  guint co = dp_table_add_column (t, "other", DP_COL_IPV4);
  guint cd = dp_table_add_column (t, "score", DP_COL_DOUBLE);
  for (guint i = 0; i < N_VEC; i++)
    {
      guint r = dp_table_append_row (t);
      gint64 prefix = i % 3 == 0 ? 24 : 32;
      guint32 net = prefix == 24 ? v->in[i] & 0xffffff00u : v->in[i];
      dp_table_set_ip (t, ci, r, net);
      /* some labels are addresses, as in Maltrail's lists */
      char abuf[64];
      g_autofree char *label = i % 5 == 0 ? g_strdup (dp_ipv4_format (v->in[i], NULL, abuf))
                                          : g_strdup_printf ("l%u", i);
      dp_table_set_str (t, cl, r, label);
      dp_table_set_i64 (t, cp, r, prefix);
      dp_table_set_ip (t, co, r, v->in[i]);
      dp_table_set_f64 (t, cd, r, i * 0.5);
    }
  for (guint pass = 0; pass < 3; pass++)
    {
      GError *error = NULL;
      /* 0: everything; 1: only the ip column; 2: addresses but not text */
      g_autofree char *yaml = g_strdup_printf ("key_file: %s%s", v->key, pass == 1 ? "\ncolumns: [ip]"
                                               : pass == 2 ? "\ntext_addresses: false" : "");
      g_autoptr (DpHarness) h = dp_harness_new ("anonymize", yaml, &error);
      g_assert_no_error (error);
      g_assert_true (dp_harness_push (h, 0, t, &error));
      g_assert_no_error (error);
      g_assert_true (dp_harness_finish (h, &error));
      const DpTable *o = dp_harness_output (h, "tables");
      g_assert_nonnull (o);
      g_assert_cmpstr (o->name, ==, "labels");
      g_assert_cmpuint (o->n_rows, ==, N_VEC);
      g_assert_cmpuint (o->n_cols, ==, 5);
      for (guint i = 0; i < N_VEC; i++)
        {
          if (i % 3 == 0)
            g_assert_cmphex (o->cols[ci].ip[i], ==, v->out[i] & 0xffffff00u);
          else
            g_assert_cmphex (o->cols[ci].ip[i], ==, v->out[i]);
          g_assert_cmphex (o->cols[co].ip[i], ==, pass == 1 ? v->in[i] : v->out[i]);
          g_assert_cmphex (t->cols[ci].ip[i], ==, i % 3 == 0 ? v->in[i] & 0xffffff00u : v->in[i]);
          char abuf[64];
          g_autofree char *label = i % 5 != 0 ? g_strdup_printf ("l%u", i)
                                   : g_strdup (dp_ipv4_format (pass == 0 ? v->out[i] : v->in[i], NULL, abuf));
          g_assert_cmpstr (o->cols[cl].str[i], ==, label);
          g_assert_cmpint (o->cols[cp].i64[i], ==, i % 3 == 0 ? 24 : 32);
          g_assert_cmpfloat (o->cols[cd].f64[i], ==, i * 0.5);
        }
      g_assert_cmpuint (dp_harness_counter (h, "text-addresses"), ==, pass == 0 ? N_VEC / 5 : 0);
    }
  /* a column that is not there */
  GError *error = NULL;
  g_autofree char *yaml = g_strdup_printf ("key_file: %s\ncolumns: [src]", v->key);
  g_autoptr (DpHarness) h = dp_harness_new ("anonymize", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_push (h, 0, t, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "no address column 'src'"));
  g_error_free (error);
}

/* ------------------------------------------------------------------ */
/* anonymised packets through pcap_out: tshark finds every IPv4, TCP, UDP
 * and ICMP checksum good, and the anonymised addresses */

static void
test_pcap_out_checksums (void)
{
  g_autoptr (Vectors) v = vectors ();
  if (v == NULL)
    return;
  const char *tshark = g_getenv ("TSHARK");
  if (tshark == NULL || *tshark == '\0')
    {
      g_test_skip ("tshark not installed");
      return;
    }
  enum { N = 300 };
  g_autoptr (DpPackets) in = dp_packets_new (N);
  for (guint i = 0; i < N; i++)
    {
      guint8 proto = i % 3 == 0 ? 6 : i % 3 == 1 ? 17 : 1;
      guint r = dp_test_add_packet (in, DP_TEST_SEC (1600000000) + i, v->in[i], v->in[N_VEC - 1 - i], proto,
                                    (guint16) (40000 + i), (guint16) (i * 7), 0x12);
      /* lengths that end at the headers written, so every checksum can be verified;
       * every tenth packet longer (its segment cut by the snap length: unverified) */
      in->ip_len[r] = proto == 6 ? 40 : 28;
      if (i % 10 == 9)
        in->ip_len[r] += 20;
      in->tcp_seq[r] = 0x01020304u * i;
      in->ip_id[r] = (guint16) (i * 31);
      in->ttl[r] = (guint8) (30 + i % 200);
      if (proto == 1)
        in->icmp_type[r] = 8, in->icmp_code[r] = 0;
    }
  g_autofree char *yaml = g_strdup_printf ("key_file: %s", v->key);
  g_autoptr (DpPackets) anon = run_packets (yaml, in, NULL);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("pcap_out", "path: anon.pcap", &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, 0, anon, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *pcap = g_build_filename (dp_harness_output_dir (h), "anon.pcap", NULL);
  const char *argv[] = { tshark, "-n", "-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                         "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=|",
                         "-e", "ip.src", "-e", "ip.dst", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
                         "-e", "udp.checksum.status", "-e", "icmp.checksum.status", NULL };
  g_autofree char *out = NULL;
  int status = 0;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint good_l4 = 0;
  for (guint i = 0; i < N; i++)
    {
      g_assert_nonnull (lines[i]);
      g_auto (GStrv) f = g_strsplit (lines[i], "|", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 6);
      char a[64], b[64];
      g_assert_cmpstr (f[0], ==, dp_ipv4_format (v->out[i], NULL, a));
      g_assert_cmpstr (f[1], ==, dp_ipv4_format (v->out[N_VEC - 1 - i], NULL, b));
      g_assert_cmpstr (f[2], ==, "1");   /* 1: good, 0: bad, 2: unverified */
      const char *l4 = in->proto[i] == 6 ? f[3] : in->proto[i] == 17 ? f[4] : f[5];
      g_assert_cmpstr (l4, ==, i % 10 == 9 ? "2" : "1");
      good_l4 += strcmp (l4, "1") == 0;
    }
  g_assert_cmpuint (good_l4, ==, N - N / 10);
  g_assert_cmpstr (lines[N], ==, "");
}

/* ------------------------------------------------------------------ */
/* darkpipe anonymize --new-key */

static void
spawn_darkpipe (const char *const *args, int *status, char **out, char **err)
{
  const char *top = g_getenv ("DP_TOP_BUILDDIR");
  g_autofree char *exe = g_build_filename (top ? top : DP_BUILD_DIR, "darkpipe", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, exe);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  GError *error = NULL;
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, status, &error);
  g_assert_no_error (error);
}

static void
test_new_key (void)
{
  if (!have_plugin ())
    return;
  g_autofree char *k1 = g_build_filename (tmpdir, "new1.key", NULL);
  g_autofree char *k2 = g_build_filename (tmpdir, "new2.key", NULL);
  const char *a1[] = { "anonymize", "--new-key", k1, NULL };
  const char *a2[] = { "anonymize", "--new-key", k2, NULL };
  int status;
  g_autofree char *out = NULL, *err = NULL;
  spawn_darkpipe (a1, &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  struct stat st;
  g_assert_cmpint (g_stat (k1, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_autofree char *text = dp_test_read_file (k1, NULL);
  g_assert_cmpuint (strlen (text), ==, 138);
  g_autofree char *line = g_strchomp (g_strdup (text));
  g_auto (GStrv) f = g_strsplit (line, ":", -1);
  g_assert_cmpuint (g_strv_length (f), ==, 6);
  g_assert_cmpstr (f[0], ==, "03");
  g_assert_cmpuint (strlen (f[2]), ==, 32);
  g_assert_cmpuint (strlen (f[3]), ==, 64);
  /* not four bytes of the key or pad on stdout or stderr (pieces of 8 hex
   * digits: with 4, the message's "0600" matched a key now and then) */
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "new key"));
  for (guint i = 0; i + 8 <= 32; i++)
    {
      g_autofree char *piece = g_strndup (f[2] + i, 8);
      g_assert_null (strstr (err, piece));
    }
  for (guint i = 0; i + 8 <= 64; i++)
    {
      g_autofree char *piece = g_strndup (f[3] + i, 8);
      g_assert_null (strstr (err, piece));
    }
  /* never replaces a key */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  spawn_darkpipe (a1, &status, &out, &err);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "exists; not replaced"));
  g_autofree char *again = dp_test_read_file (k1, NULL);
  g_assert_cmpstr (again, ==, text);
  /* a second key differs, and both work (and invert) */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  spawn_darkpipe (a2, &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_autofree char *text2 = dp_test_read_file (k2, NULL);
  g_assert_cmpstr (text, !=, text2);
  guint32 a[64];
  for (guint i = 0; i < 64; i++)
    a[i] = DP_TEST_IP (20 + i, i, 7, i * 3);
  g_autoptr (DpPackets) in = packets_of (a, a, 64);
  g_autofree char *y1 = g_strdup_printf ("key_file: %s", k1);
  g_autofree char *y2 = g_strdup_printf ("key_file: %s", k2);
  g_autofree char *y1r = g_strdup_printf ("key_file: %s\nreverse: true", k1);
  g_autoptr (DpPackets) o1 = run_packets (y1, in, NULL);
  g_autoptr (DpPackets) o2 = run_packets (y2, in, NULL);
  g_autoptr (DpPackets) b1 = run_packets (y1r, o1, NULL);
  guint differ = 0;
  for (guint i = 0; i < 64; i++)
    {
      differ += o1->src[i] != o2->src[i];
      g_assert_cmphex (b1->src[i], ==, a[i]);
    }
  g_assert_cmpuint (differ, >, 48);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = dp_test_tmpdir ();
  g_test_add_data_func ("/anonymize/vectors", "", test_vectors);
  g_test_add_data_func ("/anonymize/vectors-no-cache", "cache_size: 0", test_vectors);
  g_test_add_data_func ("/anonymize/vectors-small-cache", "cache_size: 16", test_vectors);
  g_test_add_func ("/plugin/anonymize/invert", test_invert);
  g_test_add_func ("/plugin/anonymize/pass-bits", test_pass_bits);
  g_test_add_func ("/plugin/anonymize/which-addresses", test_which_addresses);
  g_test_add_func ("/plugin/anonymize/telescope", test_telescope);
  g_test_add_func ("/plugin/anonymize/cache-consistent", test_cache_consistent);
  g_test_add_func ("/plugin/anonymize/ip6-vectors", test_ip6_vectors);
  g_test_add_func ("/plugin/anonymize/ip6-prefixes", test_ip6_prefixes);
  g_test_add_func ("/plugin/anonymize/ip6-telescope", test_ip6_telescope);
  g_test_add_func ("/plugin/anonymize/ip6-table", test_ip6_table);
  g_test_add_func ("/plugin/anonymize/key-errors", test_key_errors);
  g_test_add_func ("/plugin/anonymize/table", test_table);
  g_test_add_func ("/plugin/anonymize/new-key", test_new_key);
  g_test_add_func ("/plugin/anonymize/pcap-out-checksums", test_pcap_out_checksums);
  int rc = g_test_run ();
  dp_test_rmtree (tmpdir);
  g_free (tmpdir);
  return rc;
}
