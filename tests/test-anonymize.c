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
  /* not a byte of the key or pad on stdout or stderr */
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "new key"));
  for (guint i = 0; i + 4 <= 32; i++)
    {
      g_autofree char *piece = g_strndup (f[2] + i, 4);
      g_assert_null (strstr (err, piece));
    }
  for (guint i = 0; i + 4 <= 64; i++)
    {
      g_autofree char *piece = g_strndup (f[3] + i, 4);
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
  g_test_add_func ("/plugin/anonymize/key-errors", test_key_errors);
  g_test_add_func ("/plugin/anonymize/table", test_table);
  g_test_add_func ("/plugin/anonymize/new-key", test_new_key);
  g_test_add_func ("/plugin/anonymize/pcap-out-checksums", test_pcap_out_checksums);
  int rc = g_test_run ();
  dp_test_rmtree (tmpdir);
  g_free (tmpdir);
  return rc;
}
