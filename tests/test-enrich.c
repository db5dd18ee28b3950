/* test-enrich.c — the enrich plugin: longest-prefix match over CAIDA pfx2as
 * files (nested prefixes, /0, /32, multi-origin and AS-set fields) against
 * a linear scan of the same prefixes; lookups in MaxMind DB files built
 * here with Debian's libmaxmind-db-writer-perl (tests/enrich-mmdb.pl)
 * against mmdblookup's answers; pseudonyms; the added columns and the
 * per-source table of packets; errors at check time and corrupt files. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "dp-test.h"

static char *tmpdir;

/* ------------------------------------------------------------------ */
/* helpers */

static char *
write_file (const char *name, const char *data, gsize len)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  GError *error = NULL;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
  return path;
}

static char *
write_text (const char *name, const char *text)
{
  return write_file (name, text, strlen (text));
}

/* A table "t" with an ipv4 column @col holding @n addresses, and a string
 * column that must pass unchanged. */
static DpTable *
address_table (const char *col, const guint32 *addrs, guint n)
{
  DpTable *t = dp_table_new ("t");
  guint c = dp_table_add_column (t, col, DP_COL_IPV4);
  guint k = dp_table_add_column (t, "note", DP_COL_STRING);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, c, r, addrs[i]);
      g_autofree char *note = g_strdup_printf ("row %u", i);
      dp_table_set_str (t, k, r, note);
    }
  return t;
}

/* enrich on one table; the output table (a new reference) and, when
 * @out_h, the harness. */
static DpTable *
enrich_one (const char *yaml, DpTable *in, DpHarness **out_h)
{
  DpHarness *h = dp_test_harness ("enrich", yaml);
  dp_test_push (h, 0, in);
  dp_test_finish (h);
  DpTable *out = dp_harness_output (h, "tables");
  g_assert_nonnull (out);
  dp_batch_ref (out);
  if (out_h)
    *out_h = h;
  else
    dp_harness_free (h);
  return out;
}

static gint64
cell_i64 (const DpTable *t, const char *col, guint row)
{
  gint c = dp_table_find_column (t, col);
  g_assert_cmpint (c, >=, 0);
  g_assert_cmpint (t->cols[c].type, ==, DP_COL_INT64);
  return t->cols[c].i64[row];
}

static const char *
cell_str (const DpTable *t, const char *col, guint row)
{
  gint c = dp_table_find_column (t, col);
  g_assert_cmpint (c, >=, 0);
  g_assert_cmpint (t->cols[c].type, ==, DP_COL_STRING);
  return t->cols[c].str[row];
}

/* dp_harness_new fails; returns the message (asserting it names @must). */
static char *
enrich_fails (const char *yaml, const char *must)
{
  GError *error = NULL;
  DpHarness *h = dp_harness_new ("enrich", yaml, &error);
  if (h)
    dp_harness_free (h);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_test_message ("%s -> %s", yaml, error->message);
  if (must)
    g_assert_nonnull (strstr (error->message, must));
  char *msg = g_strdup (error->message);
  g_error_free (error);
  return msg;
}

/* ------------------------------------------------------------------ */
/* pfx2as: longest-prefix match against a linear scan */

typedef struct {
  const char *net;
  guint len;
  const char *origins;
} Pfx;

static const Pfx pfx_nested[] = {
  { "0.0.0.0", 0, "64496" },
  { "10.0.0.0", 8, "64500" },
  { "10.1.0.0", 16, "64501" },
  { "10.1.2.0", 24, "64502_64503" },          /* MOAS */
  { "10.1.2.128", 25, "64505,64506" },         /* AS set */
  { "10.1.2.3", 32, "64504" },
  { "10.1.2.255", 32, "64507_64508,64509" },   /* both */
  { "192.0.2.0", 24, "4200000000" },           /* a 32-bit AS */
  { "198.51.100.0", 23, "64510" },
  { "128.0.0.0", 1, "64511" },
  { "255.255.255.255", 32, "64512" },
};

/* The file: the prefixes in reverse (no order is assumed), an IPv6 line,
 * blank and comment lines, spaces as well as tabs. */
static char *
pfx_file (const char *name, const Pfx *p, guint n)
{
  GString *s = g_string_new ("# routeviews-rv2-test.pfx2as\n\n");
  for (guint i = n; i-- > 0;)
    {
      g_string_append_printf (s, i % 3 == 1 ? "%s %u  %s\n" : "%s\t%u\t%s\n", p[i].net, p[i].len, p[i].origins);
      if (i == n / 2)
        g_string_append (s, "2001:db8::\t32\t64496_64497\n");
    }
  char *path = write_text (name, s->str);
  g_string_free (s, TRUE);
  return path;
}

/* The reference: the longest of @p holding @a, by a linear scan; -1 none. */
static gint
pfx_scan (const Pfx *p, guint n, guint32 a)
{
  gint best = -1;
  for (guint i = 0; i < n; i++)
    {
      guint32 net;
      g_assert_true (dp_ipv4_parse (p[i].net, &net));
      guint32 mask = p[i].len == 0 ? 0 : G_MAXUINT32 << (32 - p[i].len);
      if ((a & mask) == net && (best < 0 || p[i].len > p[best].len))
        best = (gint) i;
    }
  return best;
}

/* Addresses at and around every prefix's edges, and random ones that fall
 * in them (a random bit of one net, then random host bits). */
static GArray *
pfx_probe_addresses (const Pfx *p, guint n)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < n; i++)
    {
      guint32 net;
      g_assert_true (dp_ipv4_parse (p[i].net, &net));
      guint32 mask = p[i].len == 0 ? 0 : G_MAXUINT32 << (32 - p[i].len);
      guint32 edge[] = { net, net | ~mask, net - 1, (net | ~mask) + 1, net + 1, net + 3 };
      g_array_append_vals (a, edge, G_N_ELEMENTS (edge));
    }
  for (guint k = 0; k < 3000; k++)
    {
      const Pfx *q = &p[g_test_rand_int_range (0, (gint32) n)];
      guint32 net;
      g_assert_true (dp_ipv4_parse (q->net, &net));
      guint keep = (guint) g_test_rand_int_range ((gint32) q->len, 33);
      guint32 mask = keep == 0 ? 0 : G_MAXUINT32 << (32 - keep);
      guint32 x = (net & mask) | ((guint32) g_test_rand_int () & ~mask);
      g_array_append_val (a, x);
    }
  return a;
}

static void
check_against_scan (const Pfx *p, guint n, const char *extra)
{
  g_autofree char *path = pfx_file ("scan.pfx2as", p, n);
  g_autoptr (GArray) addrs = pfx_probe_addresses (p, n);
  /* 240.0.0.0/4 is never looked up: leave it to the pseudonym test */
  guint kept = 0;
  for (guint i = 0; i < addrs->len; i++)
    if ((g_array_index (addrs, guint32, i) >> 28) != 0xf)
      g_array_index (addrs, guint32, kept++) = g_array_index (addrs, guint32, i);
  g_array_set_size (addrs, kept);
  g_autoptr (DpTable) in = address_table ("src", (const guint32 *) (gpointer) addrs->data, addrs->len);
  g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'\n%s", path, extra);
  DpHarness *h = NULL;
  g_autoptr (DpTable) out = enrich_one (yaml, in, &h);
  g_assert_cmpuint (out->n_rows, ==, addrs->len);
  guint matched = 0;
  for (guint i = 0; i < addrs->len; i++)
    {
      guint32 a = g_array_index (addrs, guint32, i);
      gint best = pfx_scan (p, n, a);
      const char *origins = cell_str (out, "as_origins", i);
      char buf[64];
      if (best < 0)
        {
          g_assert_cmpint (cell_i64 (out, "asn", i), ==, 0);
          g_assert_null (origins);
          continue;
        }
      matched++;
      if (g_strcmp0 (origins, p[best].origins) != 0)
        g_error ("%s: as_origins %s, expected %s/%u's %s", dp_ipv4_format (a, NULL, buf), origins,
                 p[best].net, p[best].len, p[best].origins);
      /* asn: the first AS written */
      gint64 first = g_ascii_strtoll (p[best].origins, NULL, 10);
      g_assert_cmpint (cell_i64 (out, "asn", i), ==, first);
      g_assert_null (cell_str (out, "as_org", i));
      g_assert_null (cell_str (out, "country", i));
      g_autofree char *note = g_strdup_printf ("row %u", i);
      g_assert_cmpstr (cell_str (out, "note", i), ==, note);
      g_assert_cmpuint (out->cols[0].ip[i], ==, a);
    }
  g_assert_cmpuint (matched, >, addrs->len / 2);
  g_assert_cmpuint (dp_harness_counter (h, "addresses"), ==, addrs->len);
  g_assert_cmpuint (dp_harness_counter (h, "with-asn"), ==, matched);
  dp_harness_free (h);
}

static void
test_pfx2as_longest (void)
{
  check_against_scan (pfx_nested, G_N_ELEMENTS (pfx_nested), "");
  /* without the cache, the same answers */
  check_against_scan (pfx_nested, G_N_ELEMENTS (pfx_nested), "cache_size: 0\n");
  /* without /0 some addresses match nothing */
  check_against_scan (pfx_nested + 1, G_N_ELEMENTS (pfx_nested) - 1, "");
}

/* Spot checks written out, so that the scan itself is checked too. */
static void
test_pfx2as_cases (void)
{
  g_autofree char *path = pfx_file ("cases.pfx2as", pfx_nested, G_N_ELEMENTS (pfx_nested));
  static const struct {
    guint32 a;
    gint64 asn;
    const char *origins;
  } cases[] = {
    { DP_TEST_IP (10, 1, 2, 3), 64504, "64504" },                 /* /32 inside /24 inside /16 … */
    { DP_TEST_IP (10, 1, 2, 2), 64502, "64502_64503" },
    { DP_TEST_IP (10, 1, 2, 4), 64502, "64502_64503" },
    { DP_TEST_IP (10, 1, 2, 128), 64505, "64505,64506" },
    { DP_TEST_IP (10, 1, 2, 254), 64505, "64505,64506" },
    { DP_TEST_IP (10, 1, 2, 255), 64507, "64507_64508,64509" },
    { DP_TEST_IP (10, 1, 3, 0), 64501, "64501" },
    { DP_TEST_IP (10, 2, 0, 0), 64500, "64500" },
    { DP_TEST_IP (11, 0, 0, 0), 64496, "64496" },                  /* only /0 */
    { DP_TEST_IP (0, 0, 0, 0), 64496, "64496" },
    { DP_TEST_IP (127, 255, 255, 255), 64496, "64496" },
    { DP_TEST_IP (128, 0, 0, 0), 64511, "64511" },                 /* /1 */
    { DP_TEST_IP (192, 0, 2, 9), 4200000000, "4200000000" },
    { DP_TEST_IP (198, 51, 101, 255), 64510, "64510" },            /* /23 */
    { DP_TEST_IP (198, 51, 102, 0), 64511, "64511" },
  };
  guint32 addrs[G_N_ELEMENTS (cases)];
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    addrs[i] = cases[i].a;
  g_autoptr (DpTable) in = address_table ("ip", addrs, G_N_ELEMENTS (cases));
  g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", path);
  g_autoptr (DpTable) out = enrich_one (yaml, in, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (cell_i64 (out, "asn", i), ==, cases[i].asn);
      g_assert_cmpstr (cell_str (out, "as_origins", i), ==, cases[i].origins);
    }
  /* the added columns come after the table's own, typed */
  g_assert_cmpuint (out->n_cols, ==, 6);
  g_assert_cmpstr (out->cols[2].name, ==, "asn");
  g_assert_cmpstr (out->cols[3].name, ==, "as_org");
  g_assert_cmpstr (out->cols[4].name, ==, "country");
  g_assert_cmpstr (out->cols[5].name, ==, "as_origins");
}

/* Pseudonyms (240.0.0.0/4) get nothing, even under a /0 that holds them;
 * the name map follows the table. */
static void
test_pseudonyms (void)
{
  g_autofree char *path = pfx_file ("pseudo.pfx2as", pfx_nested, G_N_ELEMENTS (pfx_nested));
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  guint32 addrs[] = { dp_name_map_intern (names, "src_ipaddr1"), DP_TEST_IP (10, 0, 0, 1),
                      dp_name_map_intern (names, "src_ipaddr2"), DP_TEST_IP (240, 0, 0, 9) };
  g_autoptr (DpTable) in = address_table ("src", addrs, G_N_ELEMENTS (addrs));
  dp_table_set_names (in, names);
  g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", path);
  DpHarness *h = NULL;
  g_autoptr (DpTable) out = enrich_one (yaml, in, &h);
  g_assert_true (out->names == names);
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    {
      gboolean pseudo = i != 1;
      g_assert_cmpint (cell_i64 (out, "asn", i), ==, pseudo ? 0 : 64500);
      g_assert_cmpstr (cell_str (out, "as_origins", i), ==, pseudo ? NULL : "64500");
    }
  g_assert_cmpuint (dp_harness_counter (h, "pseudonyms"), ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "addresses"), ==, 1);
  g_autofree char *cell = dp_test_cell_named (out, "src", 0);
  g_assert_cmpstr (cell, ==, "src_ipaddr1");
  dp_harness_free (h);
}

/* columns: several address columns get prefixed names; a missing one, a
 * table without src/ip and a second enrichment are errors. */
static void
test_columns (void)
{
  g_autofree char *path = pfx_file ("cols.pfx2as", pfx_nested + 1, G_N_ELEMENTS (pfx_nested) - 1);
  DpTable *in = dp_table_new ("events");
  guint cs = dp_table_add_column (in, "src", DP_COL_IPV4);
  guint cd = dp_table_add_column (in, "dst", DP_COL_IPV4);
  guint cn = dp_table_add_column (in, "dport", DP_COL_INT64);
  guint cx = dp_table_add_column (in, "score", DP_COL_DOUBLE);
  guint r = dp_table_append_row (in);
  dp_table_set_ip (in, cs, r, DP_TEST_IP (10, 1, 2, 3));
  dp_table_set_ip (in, cd, r, DP_TEST_IP (192, 0, 2, 1));
  dp_table_set_i64 (in, cn, r, 23);
  dp_table_set_f64 (in, cx, r, 0.25);
  g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'\ncolumns: [src, dst]", path);
  g_autoptr (DpTable) out = enrich_one (yaml, in, NULL);
  g_assert_cmpuint (out->n_cols, ==, 4 + 8);
  g_assert_cmpint (cell_i64 (out, "src_asn", 0), ==, 64504);
  g_assert_cmpint (cell_i64 (out, "dst_asn", 0), ==, 4200000000);
  g_assert_cmpstr (cell_str (out, "dst_as_origins", 0), ==, "4200000000");
  g_assert_cmpint (cell_i64 (out, "dport", 0), ==, 23);
  g_assert_cmpfloat (out->cols[cx].f64[0], ==, 0.25);
  g_assert_cmpint (dp_table_find_column (out, "asn"), <, 0);

  /* column_prefix with one column */
  g_autofree char *yaml2 = g_strdup_printf ("pfx2as: '%s'\ncolumns: [dst]\ncolumn_prefix: true", path);
  g_autoptr (DpTable) out2 = enrich_one (yaml2, in, NULL);
  g_assert_cmpuint (out2->n_cols, ==, 4 + 4);
  g_assert_cmpint (cell_i64 (out2, "dst_asn", 0), ==, 4200000000);

  /* errors at run time, naming table and column */
  static const struct {
    const char *extra;
    const char *must;
  } bad[] = {
    { "columns: [dport]", "no address (ipv4) column 'dport'" },
    { "columns: [nope]", "no address (ipv4) column 'nope'" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *y = g_strdup_printf ("pfx2as: '%s'\n%s", path, bad[i].extra);
      g_autoptr (DpHarness) h = dp_test_harness ("enrich", y);
      GError *error = NULL;
      g_assert_false (dp_harness_push (h, 0, in, &error));
      g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, bad[i].must));
      g_assert_nonnull (strstr (error->message, "'events'"));
      g_error_free (error);
    }
  /* enriched twice */
  {
    g_autofree char *y = g_strdup_printf ("pfx2as: '%s'", path);
    g_autoptr (DpHarness) h = dp_test_harness ("enrich", y);
    g_autoptr (DpTable) once = enrich_one (y, in, NULL);
    GError *error = NULL;
    g_assert_false (dp_harness_push (h, 0, once, &error));
    g_assert_nonnull (strstr (error->message, "already has a column 'asn'"));
    g_clear_error (&error);
    /* a table with neither src nor ip */
    DpTable *plain = dp_table_new ("plain");
    dp_table_add_column (plain, "dst", DP_COL_IPV4);
    g_assert_false (dp_harness_push (h, 0, plain, &error));
    g_assert_nonnull (strstr (error->message, "no address (ipv4) column src or ip"));
    g_error_free (error);
    dp_batch_unref (plain);
  }
  /* listed twice: a check error */
  g_autofree char *y3 = g_strdup_printf ("pfx2as: '%s'\ncolumns: [src, src]", path);
  g_free (enrich_fails (y3, "listed twice"));
  dp_batch_unref (in);
}

/* Packets: one row per source with its packets, most first, then by
 * address; the same enrichment. */
static void
test_packets_sources (void)
{
  g_autofree char *path = pfx_file ("pk.pfx2as", pfx_nested + 1, G_N_ELEMENTS (pfx_nested) - 1);
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  guint32 named = dp_name_map_intern (names, "src_ipaddr7");
  const guint32 srcs[] = { DP_TEST_IP (10, 1, 2, 3), DP_TEST_IP (8, 8, 8, 8), named, DP_TEST_IP (192, 0, 2, 7),
                           DP_TEST_IP (10, 9, 9, 9) };
  const guint counts[] = { 5, 2, 3, 5, 1 };
  DpHarness *h = NULL;
  {
    g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", path);
    h = dp_test_harness ("enrich", yaml);
  }
  /* two batches, sources interleaved */
  for (guint b = 0; b < 2; b++)
    {
      g_autoptr (DpPackets) p = dp_packets_new (16);
      dp_packets_set_names (p, names);
      for (guint i = 0; i < G_N_ELEMENTS (srcs); i++)
        for (guint k = 0; k < counts[i]; k++)
          if (k % 2 == b)
            dp_test_add_packet (p, DP_TEST_SEC (k), srcs[i], DP_TEST_IP (203, 0, 113, 1), 6, 40000, 23, 0x02);
      dp_test_push (h, 0, p);
    }
  dp_test_finish (h);
  DpTable *t = dp_harness_output (h, "sources");
  g_assert_nonnull (t);
  g_assert_cmpstr (t->name, ==, "sources");
  g_assert_cmpuint (t->n_rows, ==, G_N_ELEMENTS (srcs));
  /* expected order: 5 packets (10.1.2.3 < 192.0.2.7), 3 (the pseudonym), 2, 1 */
  const guint order[] = { 0, 3, 2, 1, 4 };
  const gint64 asn[] = { 64504, 0, 0, 4200000000, 64500 };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      guint k = order[i];
      g_assert_cmpuint (t->cols[dp_table_find_column (t, "src")].ip[i], ==, srcs[k]);
      g_assert_cmpint (cell_i64 (t, "packets", i), ==, counts[k]);
      g_assert_cmpint (cell_i64 (t, "asn", i), ==, asn[k]);
    }
  g_autofree char *cell = dp_test_cell_named (t, "src", 2);
  g_assert_cmpstr (cell, ==, "src_ipaddr7");
  /* nothing on tables */
  g_assert_cmpuint (dp_harness_outputs (h, 0)->len, ==, 0);
  dp_harness_free (h);
}

/* Repeated addresses are looked up once; the cache never changes an
 * answer (test_pfx2as_longest runs with and without it). */
static void
test_cache (void)
{
  g_autofree char *path = pfx_file ("cache.pfx2as", pfx_nested, G_N_ELEMENTS (pfx_nested));
  guint32 addrs[600];
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    addrs[i] = DP_TEST_IP (10, 1, 2, i % 3);
  g_autoptr (DpTable) in = address_table ("src", addrs, G_N_ELEMENTS (addrs));
  g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", path);
  DpHarness *h = NULL;
  g_autoptr (DpTable) out = enrich_one (yaml, in, &h);
  g_assert_cmpuint (dp_harness_counter (h, "addresses"), ==, 600);
  g_assert_cmpuint (dp_harness_counter (h, "lookups"), ==, 3);
  dp_harness_free (h);
  g_autofree char *yaml0 = g_strdup_printf ("pfx2as: '%s'\ncache_size: 0", path);
  g_autoptr (DpTable) out0 = enrich_one (yaml0, in, &h);
  g_assert_cmpuint (dp_harness_counter (h, "lookups"), ==, 600);
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    g_assert_cmpint (cell_i64 (out, "asn", i), ==, cell_i64 (out0, "asn", i));
  dp_harness_free (h);
}

/* ------------------------------------------------------------------ */
/* pfx2as: bad files */

static void
test_pfx2as_bad_lines (void)
{
  static const struct {
    const char *text;
    guint line;
    const char *why;
  } bad[] = {
    { "10.0.0.0\t8\n", 1, "fewer than three fields" },
    { "10.0.0.0\t8\t64500\textra\n", 1, "more than three fields" },
    { "1.0.0.0\t24\t1\n10.0.0.1\t8\t64500\n", 2, "bits set past its length" },
    { "10.0.0.0\t33\t64500\n", 1, "from 0 to 32" },
    { "10.0.0.0\t-8\t64500\n", 1, "from 0 to 32" },
    { "10.0.0.0\t0008\t64500\n", 1, "from 0 to 32" },
    { "10.0.0.0\t8\tAS64500\n", 1, "not an AS number" },
    { "10.0.0.0\t8\t4294967296\n", 1, "not an AS number" },
    { "10.0.0.0\t8\t12345678901\n", 1, "not an AS number" },
    { "10.0.0.0\t8\t64500_\n", 1, "not an AS number" },
    { "10.0.0.0\t8\t_64500\n", 1, "not an AS number" },
    { "10.0.0.0\t8\t64500,,1\n", 1, "not an AS number" },
    { "10.0.0.0\t8\t{64500}\n", 1, "not an AS number" },
    { "300.0.0.0\t8\t1\n", 1, "not an IPv4 address" },
    { "10.0.0\t8\t1\n", 1, "not an IPv4 address" },
    { "2001:db8::zz\t32\t1\n10.0.0.0\t8\t1\n", 1, "not an IPv6 address" },
    { "10.0.0.0\t8\t1\n2001:db8::\t129\t1\n", 2, "from 0 to 128" },
    { "# comment\n\n10.0.0.0\t8\t1\n10.1.0.0\t16\n", 4, "fewer than three fields" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = write_text ("bad.pfx2as", bad[i].text);
      g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", path);
      g_autofree char *want = g_strdup_printf ("%s: line %u: not a pfx2as line (", path, bad[i].line);
      g_autofree char *msg = enrich_fails (yaml, want);
      g_assert_nonnull (strstr (msg, bad[i].why));
    }
  /* a NUL byte, and bytes that are no text at all */
  static const char nul[] = "10.0.0.0\t8\t64500\n10.1.0.0\t16\t6\0" "4501\n";
  g_autofree char *p1 = write_file ("nul.pfx2as", nul, sizeof nul - 1);
  g_autofree char *y1 = g_strdup_printf ("pfx2as: '%s'", p1);
  g_autofree char *m1 = enrich_fails (y1, ": line 2: ");
  g_assert_nonnull (strstr (m1, "NUL byte"));
  guint8 junk[4096];
  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_test_rand_int_range (0, 256);
  junk[0] = 0x80;   /* not gzip's magic */
  g_autofree char *p2 = write_file ("junk.pfx2as", (const char *) junk, sizeof junk);
  g_autofree char *y2 = g_strdup_printf ("pfx2as: '%s'", p2);
  g_autofree char *m2 = enrich_fails (y2, p2);
  g_assert_nonnull (strstr (m2, ": line "));
}

static DpTable *text_address_table (const GPtrArray *text);

/* IPv6 prefixes (routeviews-rv6) serve IPv6 addresses of the table's name
 * map, longest first; a file of IPv6 prefixes only is fine; a prefix entry
 * stands for its network. */
static void
test_pfx2as_ipv6 (void)
{
  static const struct { const char *net; guint len; const char *origins; } v6[] = {
    { "2001:db8::", 32, "64496" }, { "2001:db8:1::", 48, "64497_64498" }, { "2001:db8:1:2::", 64, "64499" },
    { "2600::", 12, "64500,64501" },
  };
  GString *f = g_string_new ("# rv6\n");
  for (guint i = G_N_ELEMENTS (v6); i-- > 0;)
    g_string_append_printf (f, "%s\t%u\t%s\n", v6[i].net, v6[i].len, v6[i].origins);
  g_autofree char *path = write_text ("rv6.pfx2as", f->str);
  g_string_free (f, TRUE);
  static const char *const q[] = {
    "2001:db8::1", "2001:db8:1::5", "2001:db8:1:2::9", "2001:db8:1:3::", "2001:db8:ffff::1", "2001:db9::1",
    "2600::1", "260f:ffff::1", "2610::1", "::", "2001:db8:1:2::/64", "2001:db8:1::/40", "198.51.100.1",
  };
  g_autoptr (GPtrArray) text = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (q); i++)
    g_ptr_array_add (text, (gpointer) q[i]);
  g_autoptr (DpTable) in = text_address_table (text);
  g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", path);
  g_autoptr (DpTable) out = enrich_one (yaml, in, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (q); i++)
    {
      /* the reference: the longest prefix holding the address (a prefix's
       * network), by a linear scan */
      guint8 a[16];
      guint alen = 128;
      gint best = -1;
      if (dp_ip6_parse_prefix (q[i], a, &alen))
        for (guint k = 0; k < G_N_ELEMENTS (v6); k++)
          {
            guint8 net[16], cut[16];
            g_assert_true (dp_ip6_parse (v6[k].net, net));
            dp_ip6_mask (a, v6[k].len, cut);
            if (memcmp (cut, net, 16) == 0 && (best < 0 || v6[k].len > v6[best].len))
              best = (gint) k;
          }
      g_test_message ("%s", q[i]);
      g_assert_cmpstr (cell_str (out, "as_origins", i), ==, best < 0 ? NULL : v6[best].origins);
      g_assert_cmpint (cell_i64 (out, "asn", i), ==,
                       best < 0 ? 0 : g_ascii_strtoll (v6[best].origins, NULL, 10));
    }
  g_assert_cmpstr (cell_str (out, "as_origins", 2), ==, "64499");
  g_assert_cmpstr (cell_str (out, "as_origins", 10), ==, "64499");
}

static void
test_pfx2as_bad_files (void)
{
  /* empty, comments only */
  g_autofree char *p0 = write_text ("empty.pfx2as", "");
  g_autofree char *y0 = g_strdup_printf ("pfx2as: '%s'", p0);
  g_free (enrich_fails (y0, "no prefix in 0 lines"));
  g_autofree char *p1 = write_text ("comments.pfx2as", "# nothing\n\n");
  g_autofree char *y1 = g_strdup_printf ("pfx2as: '%s'", p1);
  g_free (enrich_fails (y1, "no prefix in 2 lines"));
  /* missing, a directory */
  g_autofree char *p3 = g_build_filename (tmpdir, "missing.pfx2as", NULL);
  g_autofree char *y3 = g_strdup_printf ("pfx2as: '%s'", p3);
  g_free (enrich_fails (y3, p3));
  g_autofree char *y4 = g_strdup_printf ("pfx2as: '%s'", tmpdir);
  g_free (enrich_fails (y4, tmpdir));
  /* a gzip file whole, then cut short */
  g_autofree char *plain = pfx_file ("gz.pfx2as", pfx_nested, G_N_ELEMENTS (pfx_nested));
  g_autofree char *cmd = g_strdup_printf ("gzip -9 -k -f '%s'", plain);
  g_assert_cmpint (system (cmd), ==, 0);
  g_autofree char *gz = g_strdup_printf ("%s.gz", plain);
  {
    guint32 a[] = { DP_TEST_IP (10, 1, 2, 200) };
    g_autoptr (DpTable) in = address_table ("src", a, 1);
    g_autofree char *yaml = g_strdup_printf ("pfx2as: '%s'", gz);
    g_autoptr (DpTable) out = enrich_one (yaml, in, NULL);
    g_assert_cmpint (cell_i64 (out, "asn", 0), ==, 64505);
  }
  gsize len = 0;
  g_autofree char *data = dp_test_read_file (gz, &len);
  g_assert_cmpuint (len, >, 40);
  g_autofree char *cut = write_file ("cut.pfx2as.gz", data, len - 12);
  g_autofree char *y5 = g_strdup_printf ("pfx2as: '%s'", cut);
  g_autofree char *m5 = enrich_fails (y5, cut);
  g_assert_nonnull (strstr (m5, "truncated gzip stream"));
  /* no database; pfx2as and asn_db together */
  GError *error = NULL;
  g_assert_null (dp_harness_new ("enrich", "cache_size: 8", &error));
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED);
  g_assert_nonnull (strstr (error->message, "needs a database"));
  g_clear_error (&error);
  g_autofree char *y6 = g_strdup_printf ("pfx2as: '%s'\nasn_db: '%s'", plain, plain);
  g_assert_null (dp_harness_new ("enrich", y6, &error));
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_CHOICE);
  g_clear_error (&error);
  /* a duplicate prefix keeps its first line, counted */
  g_autofree char *p7 = write_text ("dup.pfx2as", "10.0.0.0\t8\t64500\n10.0.0.0\t8\t64999\n");
  g_autofree char *y7 = g_strdup_printf ("pfx2as: '%s'", p7);
  guint32 a7[] = { DP_TEST_IP (10, 2, 3, 4) };
  g_autoptr (DpTable) in7 = address_table ("src", a7, 1);
  DpHarness *h = NULL;
  g_autoptr (DpTable) out7 = enrich_one (y7, in7, &h);
  g_assert_cmpint (cell_i64 (out7, "asn", 0), ==, 64500);
  g_assert_cmpuint (dp_harness_counter (h, "pfx2as-duplicates"), ==, 1);
  dp_harness_free (h);
}

/* ------------------------------------------------------------------ */
/* MaxMind DB files, built by tests/enrich-mmdb.pl, against mmdblookup */

/* The directory of the test databases, or NULL (test skipped). */
static const char *
mmdb_dir (void)
{
  static char *dir;
  static gboolean tried;
#ifndef HAVE_MAXMINDDB
  g_test_skip ("built without libmaxminddb (configure --with-maxminddb)");
  return NULL;
#endif
  if (!tried)
    {
      tried = TRUE;
      int status = 0;
      if (!g_spawn_command_line_sync ("perl -MMaxMind::DB::Writer::Tree -e 1", NULL, NULL, &status, NULL)
          || !g_spawn_check_wait_status (status, NULL))
        goto out;
      g_autofree char *d = g_build_filename (tmpdir, "mmdb", NULL);
      g_assert_cmpint (g_mkdir (d, 0700), ==, 0);
      const char *src = g_getenv ("DP_TOP_SRCDIR");
      g_autofree char *script = g_build_filename (src ? src : DP_SRC_DIR, "tests", "enrich-mmdb.pl", NULL);
      const char *argv[] = { "perl", script, d, NULL };
      g_autofree char *err = NULL;
      GError *error = NULL;
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                                   &status, &error));
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("tests/enrich-mmdb.pl failed: %s", err);
      dir = g_steal_pointer (&d);
    }
out:
  if (dir == NULL)
    g_test_skip ("the Perl MaxMind DB writer is missing (apt-get install libmaxmind-db-writer-perl, "
                 "or scripts/setup --test-deps)");
  return dir;
}

/* What mmdblookup says of @field (a path of words) at address @a (text)
 * in @db: the value as text (a string without its quotes), or NULL when
 * there is no record or no such field. */
static char *
mmdblookup (const char *db, const char *a, const char *const *field)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "mmdblookup");
  g_ptr_array_add (argv, (gpointer) "--file");
  g_ptr_array_add (argv, (gpointer) db);
  g_ptr_array_add (argv, (gpointer) "--ip");
  g_ptr_array_add (argv, (gpointer) a);
  for (guint i = 0; field[i]; i++)
    g_ptr_array_add (argv, (gpointer) field[i]);
  g_ptr_array_add (argv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  GError *error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_ptr_array_free (argv, TRUE);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      /* not found, or the path does not match the record */
      g_assert_true (strstr (err, "Could not find") || strstr (out, "Could not find")
                     || strstr (err, "does not match the data"));
      return NULL;
    }
  char *v = g_strstrip (out);
  char *type = strrchr (v, '<');
  g_assert_nonnull (type);
  if (g_str_has_prefix (type, "<utf8_string>"))
    {
      char *q1 = strchr (v, '"'), *q2 = strrchr (v, '"');
      g_assert_true (q1 && q2 > q1);
      return g_strndup (q1 + 1, (gsize) (q2 - q1 - 1));
    }
  g_assert_true (g_str_has_prefix (type, "<uint32>"));
  *type = '\0';
  return g_strdup (g_strstrip (v));
}

/* The addresses looked up, as text: every network's edges and insides,
 * neighbours, the extremes, random addresses of the networks, and IPv6
 * addresses in, between and outside the IPv6 networks. */
static GPtrArray *
mmdb_addresses (void)
{
  static const char *const text[] = {
    "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0", "10.77.1.2",
    "198.51.99.255", "198.51.100.0", "198.51.100.1", "198.51.100.127", "198.51.100.128", "198.51.100.199",
    "198.51.100.200", "198.51.100.201", "198.51.100.255", "198.51.101.0",
    "203.0.113.0", "203.0.113.77", "203.0.113.255", "192.0.2.0", "192.0.2.130", "192.0.3.0",
    "8.8.8.8", "0.0.0.0", "1.1.1.1", "239.255.255.255",
    "2001:db8::1", "2001:db8:1::", "2001:db8:1:2::9", "2001:db8:1:3::1", "2001:db8:ffff:ffff::1",
    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "2600::1",
  };
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (text); i++)
    g_ptr_array_add (a, g_strdup (text[i]));
  static const guint32 nets[] = { 0x0a000000u, 0xc6336400u, 0xcb007100u, 0xc0000200u };
  for (guint k = 0; k < 20; k++)
    {
      char buf[64];
      g_ptr_array_add (a, g_strdup (dp_ipv4_format (nets[k % G_N_ELEMENTS (nets)]
                                                    | (guint32) g_test_rand_int_range (0, 256), NULL, buf)));
    }
  return a;
}

/* A table of the addresses @text: IPv4 as they are, IPv6 as keys of the
 * table's name map. */
static DpTable *
text_address_table (const GPtrArray *text)
{
  g_autoptr (DpNameMap) m = dp_name_map_new ();
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < text->len; i++)
    {
      guint32 k;
      if (!dp_ipv4_parse (text->pdata[i], &k))
        k = dp_name_map_intern (m, text->pdata[i]);
      g_array_append_val (keys, k);
    }
  DpTable *t = address_table ("src", (const guint32 *) (gpointer) keys->data, keys->len);
  dp_table_set_names (t, m);
  return t;
}

static const char *const f_number[] = { "autonomous_system_number", NULL };
static const char *const f_org[] = { "autonomous_system_organization", NULL };
static const char *const f_country[] = { "country", "iso_code", NULL };
static const char *const f_registered[] = { "registered_country", "iso_code", NULL };

static gboolean
have_mmdblookup (void)
{
  g_autofree char *p = g_find_program_in_path ("mmdblookup");
  if (p == NULL)
    g_test_skip ("mmdblookup is missing (apt-get install mmdb-bin, or scripts/setup --test-deps)");
  return p != NULL;
}

static void
check_mmdb (const char *asn_file, const char *country_file)
{
  const char *dir = mmdb_dir ();
  if (dir == NULL || !have_mmdblookup ())
    return;
  g_autofree char *asn_db = asn_file ? g_build_filename (dir, asn_file, NULL) : NULL;
  g_autofree char *country_db = country_file ? g_build_filename (dir, country_file, NULL) : NULL;
  g_autoptr (GPtrArray) addrs = mmdb_addresses ();
  g_autoptr (DpTable) in = text_address_table (addrs);
  GString *yaml = g_string_new (NULL);
  if (asn_db)
    g_string_append_printf (yaml, "asn_db: '%s'\n", asn_db);
  if (country_db)
    g_string_append_printf (yaml, "country_db: '%s'\n", country_db);
  g_autoptr (DpTable) out = enrich_one (yaml->str, in, NULL);
  g_string_free (yaml, TRUE);
  /* an IPv4 database has no IPv6 networks: nothing to compare with */
  gboolean asn_v6 = asn_file && strstr (asn_file, "6") != NULL;
  guint with_asn = 0, with_org = 0, with_country = 0, v6_found = 0;
  for (guint i = 0; i < addrs->len; i++)
    {
      const char *a = addrs->pdata[i];
      gboolean v6 = strchr (a, ':') != NULL;
      g_test_message ("%s", a);
      if (asn_db && (!v6 || asn_v6))
        {
          g_autofree char *num = mmdblookup (asn_db, a, f_number);
          g_autofree char *org = mmdblookup (asn_db, a, f_org);
          g_assert_cmpint (cell_i64 (out, "asn", i), ==, num ? g_ascii_strtoll (num, NULL, 10) : 0);
          g_assert_cmpstr (cell_str (out, "as_org", i), ==, org);
          with_asn += num != NULL;
          with_org += org != NULL;
          v6_found += v6 && num != NULL;
        }
      else
        {
          g_assert_cmpint (cell_i64 (out, "asn", i), ==, 0);
          g_assert_null (cell_str (out, "as_org", i));
        }
      if (country_db)
        {
          g_autofree char *c = mmdblookup (country_db, a, f_country);
          if (c == NULL)
            c = mmdblookup (country_db, a, f_registered);
          g_assert_cmpstr (cell_str (out, "country", i), ==, c);
          with_country += c != NULL;
          v6_found += v6 && c != NULL;
        }
      else
        g_assert_null (cell_str (out, "country", i));
      g_assert_null (cell_str (out, "as_origins", i));
    }
  if (asn_v6 || country_db)
    g_assert_cmpuint (v6_found, >=, 4);
  /* the comparison saw every kind of answer */
  if (asn_db)
    g_assert_true (with_asn > 4 && with_asn < addrs->len && with_org > with_asn / 2);
  if (country_db)
    g_assert_true (with_country > 4 && with_country < addrs->len);
}

static void
test_mmdb_asn4 (void)
{
  check_mmdb ("asn4.mmdb", NULL);
}

static void
test_mmdb_asn6_country (void)
{
  check_mmdb ("asn6.mmdb", "country.mmdb");
}

static void
test_mmdb_country (void)
{
  check_mmdb (NULL, "country.mmdb");
}

/* Spot checks of what the comparison relies on: the nesting, the UTF-8
 * organisation, registered_country, and 240.0.0.0/4 left alone although
 * the database has a record there. */
static void
test_mmdb_cases (void)
{
  const char *dir = mmdb_dir ();
  if (dir == NULL)
    return;
  g_autofree char *asn_db = g_build_filename (dir, "asn6.mmdb", NULL);
  g_autofree char *country_db = g_build_filename (dir, "country.mmdb", NULL);
  guint32 a[] = { DP_TEST_IP (198, 51, 100, 200), DP_TEST_IP (198, 51, 100, 201), DP_TEST_IP (198, 51, 100, 5),
                  DP_TEST_IP (203, 0, 113, 1), DP_TEST_IP (240, 0, 0, 1), DP_TEST_IP (8, 8, 8, 8) };
  g_autoptr (DpTable) in = address_table ("ip", a, G_N_ELEMENTS (a));
  g_autofree char *yaml = g_strdup_printf ("asn_db: '%s'\ncountry_db: '%s'", asn_db, country_db);
  DpHarness *h = NULL;
  g_autoptr (DpTable) out = enrich_one (yaml, in, &h);
  const gint64 asn[] = { 64502, 64501, 64500, 4200000000, 0, 0 };
  const char *const org[] = { "Host C", "Soci\xc3\xa9t\xc3\xa9 B, \xc3\x9cn\xc3\xaf" "code", "Example Org A", NULL, NULL, NULL };
  const char *const country[] = { "FR", "FR", "DE", "JP", NULL, NULL };
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    {
      g_assert_cmpint (cell_i64 (out, "asn", i), ==, asn[i]);
      g_assert_cmpstr (cell_str (out, "as_org", i), ==, org[i]);
      g_assert_cmpstr (cell_str (out, "country", i), ==, country[i]);
    }
  g_assert_cmpuint (dp_harness_counter (h, "pseudonyms"), ==, 1);
  dp_harness_free (h);
  if (have_mmdblookup ())
    {
      g_autofree char *there = mmdblookup (asn_db, "240.0.0.1", f_number);
      g_assert_cmpstr (there, ==, "64999");
    }
}

/* Files that are no database, cut short, corrupt, or without IPv4. */
static void
test_mmdb_bad (void)
{
#ifndef HAVE_MAXMINDDB
  /* this build refuses the options at check time, saying why */
  g_autofree char *any = write_text ("any.mmdb", "x");
  g_autofree char *y = g_strdup_printf ("country_db: '%s'", any);
  g_free (enrich_fails (y, "built without libmaxminddb"));
  return;
#endif
  const char *dir = mmdb_dir ();
  if (dir == NULL)
    return;
  g_autofree char *good = g_build_filename (dir, "asn4.mmdb", NULL);
  gsize len = 0;
  g_autofree char *data = dp_test_read_file (good, &len);
  /* cut: the metadata at the end is gone */
  for (gsize keep = 0; keep < len; keep += len / 5 + 1)
    {
      g_autofree char *cut = write_file ("cut.mmdb", data, keep);
      g_autofree char *y = g_strdup_printf ("asn_db: '%s'", cut);
      g_autofree char *m = enrich_fails (y, cut);
      g_assert_nonnull (strstr (m, keep ? "not a MaxMind DB, or a truncated or corrupt one" : "empty file"));
    }
  /* a text file given as database */
  g_autofree char *text = write_text ("text.mmdb", "10.0.0.0\t8\t64500\n");
  g_autofree char *y1 = g_strdup_printf ("country_db: '%s'", text);
  g_free (enrich_fails (y1, text));
  /* an IPv6 database without IPv4 networks */
  g_autofree char *v6 = g_build_filename (dir, "v6only.mmdb", NULL);
  g_autofree char *y2 = g_strdup_printf ("asn_db: '%s'", v6);
  g_autofree char *m2 = enrich_fails (y2, v6);
  g_assert_nonnull (strstr (m2, "no IPv4 networks"));
  /* missing */
  g_autofree char *gone = g_build_filename (dir, "gone.mmdb", NULL);
  g_autofree char *y3 = g_strdup_printf ("asn_db: '%s'", gone);
  g_free (enrich_fails (y3, gone));
  /* a search tree pointing past the data: opens, and the first lookup
   * stops the run naming the file and the address */
  g_autofree char *bent = g_memdup2 (data, len);
  memset (bent, 0xff, 6);   /* node 0: both records far past the tree */
  g_autofree char *p4 = write_file ("bent.mmdb", bent, len);
  g_autofree char *y4 = g_strdup_printf ("asn_db: '%s'", p4);
  g_autoptr (DpHarness) h = dp_test_harness ("enrich", y4);
  guint32 a[] = { DP_TEST_IP (10, 0, 0, 1) };
  g_autoptr (DpTable) in = address_table ("src", a, 1);
  GError *error = NULL;
  g_assert_false (dp_harness_push (h, 0, in, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, p4));
  g_assert_nonnull (strstr (error->message, "corrupt MaxMind DB: looking up 10.0.0.1"));
  g_error_free (error);
  /* every single byte of the data and the tree changed in turn: an
   * answer, or an error naming the file; never a crash */
  guint errors = 0;
  for (gsize off = 0; off < len; off += 7)
    {
      g_autofree char *d = g_memdup2 (data, len);
      d[off] ^= 0x5a;
      g_autofree char *p = write_file ("flip.mmdb", d, len);
      g_autofree char *y = g_strdup_printf ("asn_db: '%s'", p);
      GError *e = NULL;
      DpHarness *hh = dp_harness_new ("enrich", y, &e);
      if (hh == NULL)
        {
          g_assert_nonnull (strstr (e->message, p));
          g_error_free (e);
          errors++;
          continue;
        }
      g_autoptr (GPtrArray) addrs = mmdb_addresses ();
      g_autoptr (DpTable) t = text_address_table (addrs);
      if (!dp_harness_push (hh, 0, t, &e))
        {
          g_assert_nonnull (strstr (e->message, p));
          g_error_free (e);
          errors++;
        }
      dp_harness_free (hh);
    }
  g_test_message ("%u of %" G_GSIZE_FORMAT " changed files refused", errors, (len + 6) / 7);
  g_assert_cmpuint (errors, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = dp_test_tmpdir ();
  g_test_add_func ("/enrich/pfx2as/longest", test_pfx2as_longest);
  g_test_add_func ("/enrich/pfx2as/cases", test_pfx2as_cases);
  g_test_add_func ("/enrich/pfx2as/bad-lines", test_pfx2as_bad_lines);
  g_test_add_func ("/enrich/pfx2as/bad-files", test_pfx2as_bad_files);
  g_test_add_func ("/enrich/pfx2as/ipv6", test_pfx2as_ipv6);
  g_test_add_func ("/enrich/pseudonyms", test_pseudonyms);
  g_test_add_func ("/enrich/columns", test_columns);
  g_test_add_func ("/enrich/packets", test_packets_sources);
  g_test_add_func ("/enrich/cache", test_cache);
  g_test_add_func ("/enrich/mmdb/asn4", test_mmdb_asn4);
  g_test_add_func ("/enrich/mmdb/asn6-country", test_mmdb_asn6_country);
  g_test_add_func ("/enrich/mmdb/country", test_mmdb_country);
  g_test_add_func ("/enrich/mmdb/cases", test_mmdb_cases);
  g_test_add_func ("/enrich/mmdb/bad", test_mmdb_bad);
  int rc = g_test_run ();
  dp_test_rmtree (tmpdir);
  g_free (tmpdir);
  return rc;
}
