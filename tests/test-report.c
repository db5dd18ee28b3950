/* Tests of the report sink: the page and the standalone SVGs parse as
 * strict XML (GMarkup), the charts' numbers are those of hand-made input
 * tables, a chart appears only when its input is wired, empty and odd
 * inputs do not crash, bad options give their exact codes. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"
#include "report.h"   /* the axis helpers, compiled into this test */

enum { P_SUMMARY, P_EVENTS, P_SOURCES, P_REPORT, P_PRED, P_COMPARISON, P_CLUSTERS, P_PROFILE, P_SIL, P_EMB, P_LABELS, P_PACKETS,
       P_ENRICHED, P_CAMPAIGNS };

/* ------------------------------------------------------------------ */
/* A parsed document: every element with its attributes and the text of
 * its <title> child (the tooltip). */

typedef struct {
  char *name;
  GHashTable *attrs;
  GString *text;
  char *title;
} Elem;

typedef struct {
  GPtrArray *all;     /* Elem* */
  GPtrArray *stack;
} Doc;

static void
elem_free (gpointer p)
{
  Elem *e = p;
  g_free (e->name);
  g_hash_table_unref (e->attrs);
  g_string_free (e->text, TRUE);
  g_free (e->title);
  g_free (e);
}

static void
doc_start (GMarkupParseContext *ctx, const char *name, const char **an, const char **av, gpointer data, GError **error)
{
  (void) ctx;
  (void) error;
  Doc *d = data;
  Elem *e = g_new0 (Elem, 1);
  e->name = g_strdup (name);
  e->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  e->text = g_string_new (NULL);
  for (guint i = 0; an[i]; i++)
    g_hash_table_insert (e->attrs, g_strdup (an[i]), g_strdup (av[i]));
  g_ptr_array_add (d->all, e);
  g_ptr_array_add (d->stack, e);
}

static void
doc_end (GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
  (void) ctx;
  (void) error;
  Doc *d = data;
  Elem *e = g_ptr_array_steal_index (d->stack, d->stack->len - 1);
  if (strcmp (name, "title") == 0 && d->stack->len > 0)
    {
      Elem *parent = g_ptr_array_index (d->stack, d->stack->len - 1);
      g_free (parent->title);
      parent->title = g_strdup (e->text->str);
    }
}

static void
doc_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
  (void) ctx;
  (void) error;
  Doc *d = data;
  for (guint i = 0; i < d->stack->len; i++)
    g_string_append_len (((Elem *) g_ptr_array_index (d->stack, i))->text, text, (gssize) len);
}

static void
doc_free (Doc *d)
{
  g_ptr_array_unref (d->all);
  g_ptr_array_unref (d->stack);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Doc, doc_free)

/* Parses @path strictly; fails the test when it is not well-formed. */
static Doc *
doc_parse (const char *path)
{
  static const GMarkupParser parser = { doc_start, doc_end, doc_text, NULL, NULL };
  gsize len;
  g_autofree char *text = dp_test_read_file (path, &len);
  Doc *d = g_new0 (Doc, 1);
  d->all = g_ptr_array_new_with_free_func (elem_free);
  d->stack = g_ptr_array_new ();
  g_autoptr (GMarkupParseContext) ctx = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, d, NULL);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_markup_parse_context_parse (ctx, text, (gssize) len, &error)
                && g_markup_parse_context_end_parse (ctx, &error);
  if (!ok)
    g_test_message ("%s: %s", path, error->message);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (d->stack->len, ==, 0);
  return d;
}

static Elem *
doc_find_title (Doc *d, const char *name, const char *title)
{
  for (guint i = 0; i < d->all->len; i++)
    {
      Elem *e = g_ptr_array_index (d->all, i);
      if (strcmp (e->name, name) == 0 && g_strcmp0 (e->title, title) == 0)
        return e;
    }
  return NULL;
}

static Elem *
doc_find_id (Doc *d, const char *id)
{
  for (guint i = 0; i < d->all->len; i++)
    {
      Elem *e = g_ptr_array_index (d->all, i);
      if (g_strcmp0 (g_hash_table_lookup (e->attrs, "id"), id) == 0)
        return e;
    }
  return NULL;
}

static guint
doc_count (Doc *d, const char *name)
{
  guint n = 0;
  for (guint i = 0; i < d->all->len; i++)
    n += strcmp (((Elem *) g_ptr_array_index (d->all, i))->name, name) == 0;
  return n;
}

static double
attr_num (Elem *e, const char *name)
{
  g_assert_nonnull (e);
  const char *v = g_hash_table_lookup (e->attrs, name);
  g_assert_nonnull (v);
  return g_ascii_strtod (v, NULL);
}

/* ------------------------------------------------------------------ */

static DpHarness *
report_new (const char *yaml)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new ("report", yaml, &error);
  g_assert_no_error (error);
  return h;
}

static void
push_ok (DpHarness *h, guint port, gpointer batch)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_push (h, port, batch, &error));
  g_assert_no_error (error);
  dp_batch_unref (batch);
}

/* As push_ok, from the stage named @from. */
static void
push_from (DpHarness *h, guint port, const char *from, gpointer batch)
{
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (dp_harness_push_from (h, port, from, batch, &error), ==, DP_FLOW_OK);
  g_assert_no_error (error);
  dp_batch_unref (batch);
}

static Doc *
finish_parse (DpHarness *h, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), name, NULL);
  return doc_parse (path);
}

static const char *const all_ids[] = {
  "taxonomy-sources", "taxonomy-heat", "taxonomy-packets", "taxonomy-protocols", "taxonomy-top-sources",
  "taxonomy-ports", "methods-comparison", "methods-f1", "methods-confusion-1", "embedding-pca",
  "clusters-sizes", "clusters-silhouette", "clusters-ports", "clusters-table",
};

/* Exactly the figures @ids (NULL-terminated) are on the page. */
static void
assert_figures (Doc *d, const char *const *ids)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_ids); i++)
    {
      gboolean want = g_strv_contains (ids, all_ids[i]);
      Elem *e = doc_find_id (d, all_ids[i]);
      if (want != (e != NULL))
        g_test_message ("figure %s: expected %s", all_ids[i], want ? "present" : "absent");
      g_assert_true (want == (e != NULL));
      if (e)
        g_assert_cmpstr (e->name, ==, "figure");
    }
}

static void
test_defaults (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  const char *const none[] = { NULL };
  assert_figures (d, none);
  g_assert_cmpuint (doc_count (d, "figure"), ==, 0);
  g_assert_cmpuint (doc_count (d, "script"), ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "charts"), ==, 0);
  Elem *title = NULL;
  for (guint i = 0; i < d->all->len && !title; i++)
    if (strcmp (((Elem *) g_ptr_array_index (d->all, i))->name, "h1") == 0)
      title = g_ptr_array_index (d->all, i);
  g_assert_nonnull (title);
  g_assert_cmpstr (title->text->str, ==, "darkpipe report");
}

static void
bad_option (const char *yaml, gint code)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new ("report", yaml, &error);
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, code);
}

static void
test_bad_options (void)
{
  bad_option ("", DP_CONFIG_ERROR_REQUIRED);
  bad_option ("path: r.html\ntop_n: 0", DP_CONFIG_ERROR_RANGE);
  bad_option ("path: r.html\ntop_clusters: 0", DP_CONFIG_ERROR_RANGE);
  bad_option ("path: r.html\nmax_points: 5", DP_CONFIG_ERROR_RANGE);
  bad_option ("path: r.html\nmax_clusters: many", DP_CONFIG_ERROR_TYPE);
  bad_option ("path: r.html\nbin: 0s", DP_CONFIG_ERROR_RANGE);
  bad_option ("path: r.html\nbin: soon", DP_CONFIG_ERROR_TYPE);
  bad_option ("path: r.html\ntitel: x", DP_CONFIG_ERROR_UNKNOWN_KEY);
}

/* ------------------------------------------------------------------ */
/* taxonomy */

#define T0 G_GINT64_CONSTANT (1614556800)   /* 2021-03-01 00:00 UTC */

typedef struct { gint64 w; const char *pat; gint64 src, keys, pkt; } SumRow;

static DpTable *
summary_table (const SumRow *rows, guint n)
{
  DpTable *t = dp_table_new ("summary");
  guint cw = dp_table_add_column (t, "window_start", DP_COL_INT64), cp = dp_table_add_column (t, "pattern", DP_COL_STRING);
  guint cs = dp_table_add_column (t, "sources", DP_COL_INT64), ck = dp_table_add_column (t, "keys", DP_COL_INT64);
  guint cn = dp_table_add_column (t, "packets", DP_COL_INT64);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, cw, r, rows[i].w);
      dp_table_set_str (t, cp, r, rows[i].pat);
      dp_table_set_i64 (t, cs, r, rows[i].src);
      dp_table_set_i64 (t, ck, r, rows[i].keys);
      dp_table_set_i64 (t, cn, r, rows[i].pkt);
    }
  return t;
}

static DpTable *
make_summary (void)
{
  static const SumRow rows[] = {
    { T0, "net_scan_tcp_light", 630, 696, 11989 }, { T0, "small_syn", 530, 530, 1161 },
    { T0, "port_scan_tcp_light", 0, 0, 0 }, { T0, "all", 1160, 1226, 15335 },
    { T0 + 3600, "net_scan_tcp_light", 12, 12, 100 }, { T0 + 3600, "small_syn", 7, 7, 9 },
    { T0 + 3600, "port_scan_tcp_light", 0, 0, 0 }, { T0 + 3600, "all", 19, 19, 109 },
  };
  return summary_table (rows, G_N_ELEMENTS (rows));
}

static void
test_taxonomy_summary (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  push_ok (h, P_SUMMARY, make_summary ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  const char *const ids[] = { "taxonomy-sources", "taxonomy-heat", "taxonomy-packets", NULL };
  assert_figures (d, ids);
  /* stacked bars: the tallest stack is 1160 -> axis in steps of 500 to 1500 over 260 px */
  Elem *bar = doc_find_title (d, "rect", "2021-03-01 00:00 UTC — network scans: 630 sources");
  g_assert_cmpfloat_with_epsilon (attr_num (bar, "height"), 260.0 * 630 / 1500, 0.01);
  bar = doc_find_title (d, "rect", "2021-03-01 01:00 UTC — small events: 7 sources");
  g_assert_cmpfloat_with_epsilon (attr_num (bar, "height"), 260.0 * 7 / 1500, 0.01);
  /* a pattern no source matched gets no bar and no heat-map row */
  g_assert_null (doc_find_title (d, "rect", "2021-03-01 00:00 UTC — port scans: 0 sources"));
  g_assert_nonnull (doc_find_title (d, "rect", "net_scan_tcp_light → 2021-03-01 00:00 UTC: 630 sources"));
  g_assert_nonnull (doc_find_title (d, "rect", "small_syn → 2021-03-01 01:00 UTC: 7 sources"));
  g_assert_null (doc_find_title (d, "rect", "port_scan_tcp_light → 2021-03-01 00:00 UTC: 0 sources"));
  /* without the packet stream: packets per window from the "all" rows */
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 00:00 UTC: 15,335 packets"));
  g_assert_cmpuint (dp_harness_counter (h, "charts"), ==, 3);
  /* the header: packets of the "all" rows, two one-hour windows */
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_true (strstr (html, "<div class=\"v\">15k</div><div class=\"l\">packets</div>") != NULL);
  g_assert_true (strstr (html, "<div class=\"v\">2.0 h</div><div class=\"l\">observed</div>") != NULL);
  /* at a glance: (630 + 12) / 2 sources per window; the first window's 15,335 packets */
  g_assert_true (strstr (html, "<li>Busiest pattern: net_scan_tcp_light, with 321 sources per window on average.</li>") != NULL);
  g_assert_true (strstr (html, "<li>Packets peaked at 15k in the window of 2021-03-01 00:00 UTC.</li>") != NULL);
}

/* 200 hourly windows: columns of 2 windows, sources averaged, packets summed */
static void
test_taxonomy_long (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpTable *t = dp_table_new ("summary");
  guint cw = dp_table_add_column (t, "window_start", DP_COL_INT64), cp = dp_table_add_column (t, "pattern", DP_COL_STRING);
  guint cs = dp_table_add_column (t, "sources", DP_COL_INT64), cn = dp_table_add_column (t, "packets", DP_COL_INT64);
  for (guint w = 0; w < 200; w++)
    for (guint k = 0; k < 2; k++)
      {
        guint r = dp_table_append_row (t);
        dp_table_set_i64 (t, cw, r, T0 + 3600 * (gint64) w);
        dp_table_set_str (t, cp, r, k ? "all" : "small_syn");
        dp_table_set_i64 (t, cs, r, 2 * w);
        dp_table_set_i64 (t, cn, r, 10);
      }
  push_ok (h, P_SUMMARY, t);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  /* windows 20 and 21 (40 and 42 sources) make one column starting at 20:00 */
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 20:00 UTC — small events: 41 sources"));
  g_assert_null (doc_find_title (d, "rect", "2021-03-01 21:00 UTC — small events: 42 sources"));
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 20:00 UTC: 20 packets"));
  g_assert_nonnull (doc_find_title (d, "rect", "small_syn → 2021-03-09 06:00 UTC: 397 sources"));
}

static DpTable *
make_sources (void)
{
  DpTable *t = dp_table_new ("sources");
  guint cw = dp_table_add_column (t, "window_start", DP_COL_INT64), cs = dp_table_add_column (t, "src", DP_COL_IPV4);
  guint cn = dp_table_add_column (t, "packets", DP_COL_INT64);
  guint c1 = dp_table_add_column (t, "net_scan_tcp_light", DP_COL_INT64), c2 = dp_table_add_column (t, "small_syn", DP_COL_INT64);
  dp_table_add_column (t, "probes", DP_COL_INT64);
  dp_table_add_column (t, "mirai", DP_COL_INT64);
  guint ct = dp_table_add_column (t, "tool", DP_COL_STRING);
  /* 10.0.0.1: 3 + 4 keys over two windows; 10.0.0.2: 5 keys once; 10.0.0.3 only small_syn */
  const struct { gint64 w; guint32 ip; gint64 pkt, k1, k2; const char *tool; } rows[] = {
    { T0, DP_TEST_IP (10, 0, 0, 1), 30, 3, 0, "" }, { T0 + 3600, DP_TEST_IP (10, 0, 0, 1), 40, 4, 0, "zmap" },
    { T0, DP_TEST_IP (10, 0, 0, 2), 50, 5, 0, "" }, { T0, DP_TEST_IP (10, 0, 0, 3), 2, 0, 1, "mirai" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, cw, r, rows[i].w);
      dp_table_set_ip (t, cs, r, rows[i].ip);
      dp_table_set_i64 (t, cn, r, rows[i].pkt);
      dp_table_set_i64 (t, c1, r, rows[i].k1);
      dp_table_set_i64 (t, c2, r, rows[i].k2);
      dp_table_set_str (t, ct, r, rows[i].tool);
    }
  return t;
}

static DpTable *
make_events (void)
{
  DpTable *t = dp_table_new ("events");
  guint cp = dp_table_add_column (t, "pattern", DP_COL_STRING), cpr = dp_table_add_column (t, "proto", DP_COL_INT64);
  guint cd = dp_table_add_column (t, "dport", DP_COL_INT64);
  const struct { const char *pat; gint64 proto, dport; } rows[] = {
    { "net_scan_tcp_light", 6, 23 }, { "net_scan_tcp_light", 6, 23 }, { "net_scan_tcp_light", 6, 445 },
    { "net_scan_icmp_light", 1, -1 }, { "small_syn", 6, -1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, cp, r, rows[i].pat);
      dp_table_set_i64 (t, cpr, r, rows[i].proto);
      dp_table_set_i64 (t, cd, r, rows[i].dport);
    }
  return t;
}

static gboolean
html_has (const char *html, const char *needle)
{
  return strstr (html, needle) != NULL;
}

static void
test_taxonomy_sources_events (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\ntop_n: 1");
  push_ok (h, P_SOURCES, make_sources ());
  push_ok (h, P_EVENTS, make_events ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  const char *const ids[] = { "taxonomy-top-sources", "taxonomy-ports", NULL };
  assert_figures (d, ids);
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  /* 10.0.0.1 has 7 keys over 2 windows and 70 packets: the top of net_scan_tcp_light;
   * top_n: 1 leaves 10.0.0.2 out */
  g_assert_true (html_has (html, "<td>10.0.0.1 <span class=\"tag\">zmap</span></td><td class=\"num\">7</td>"
                                 "<td class=\"num\">2</td><td class=\"num\">70</td>"));
  g_assert_false (html_has (html, "<td>10.0.0.2"));
  g_assert_true (html_has (html, "2 sources · 12 keys"));
  g_assert_true (html_has (html, "<div class=\"v\">3</div><div class=\"l\">sources seen</div>"));
  g_assert_true (html_has (html, "<td>10.0.0.3 <span class=\"tag\">mirai</span></td><td class=\"num\">1</td>"));
  /* events: 2 keys to 23/tcp, ICMP as one column, the port-less small_syn key left out */
  g_assert_nonnull (doc_find_title (d, "rect", "net_scan_tcp_light → 23/tcp: 2 keys"));
  g_assert_nonnull (doc_find_title (d, "rect", "net_scan_tcp_light → 445/tcp: 1 keys"));
  g_assert_nonnull (doc_find_title (d, "rect", "net_scan_icmp_light → icmp: 1 keys"));
  g_assert_false (html_has (html, "65535"));
  g_assert_false (html_has (html, ">small_syn</text>"));
}

static DpPackets *
make_packets (void)
{
  DpPackets *p = dp_packets_new (16);
  gint64 t0 = T0 * G_GINT64_CONSTANT (1000000000);
  dp_test_add_packet (p, t0 + DP_TEST_SEC (10), DP_TEST_IP (10, 0, 0, 1), DP_TEST_IP (192, 0, 2, 1), 6, 1000, 23, 2);
  dp_test_add_packet (p, t0 + DP_TEST_SEC (20), DP_TEST_IP (10, 0, 0, 1), DP_TEST_IP (192, 0, 2, 2), 6, 1000, 23, 2);
  dp_test_add_packet (p, t0 + DP_TEST_SEC (30), DP_TEST_IP (10, 0, 0, 2), DP_TEST_IP (192, 0, 2, 2), 17, 1000, 53, 0);
  dp_test_add_packet (p, t0 + DP_TEST_SEC (3700), DP_TEST_IP (10, 0, 0, 3), DP_TEST_IP (192, 0, 2, 2), 1, 8, 0, 0);
  dp_test_add_packet (p, t0 + DP_TEST_SEC (3800), DP_TEST_IP (10, 0, 0, 3), DP_TEST_IP (192, 0, 2, 2), 47, 0, 0, 0);
  return p;
}

static void
test_packets (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  push_ok (h, P_PACKETS, make_packets ());
  push_ok (h, P_SUMMARY, make_summary ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  /* the stream replaces the summary's packets-per-window chart */
  const char *const ids[] = { "taxonomy-sources", "taxonomy-heat", "taxonomy-protocols", NULL };
  assert_figures (d, ids);
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 00:00 UTC — TCP: 2 packets"));
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 00:00 UTC — UDP: 1 packets"));
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 01:00 UTC — ICMP: 1 packets"));
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 01:00 UTC — other: 1 packets"));
  g_assert_null (doc_find_title (d, "rect", "2021-03-01 00:00 UTC — ICMP: 0 packets"));
}

/* a bin that is not a whole number of seconds still starts at its time */
static void
test_packets_fractional_bin (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\nbin: 1500ms");
  push_ok (h, P_PACKETS, make_packets ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 00:00 UTC — UDP: 1 packets"));
  g_assert_nonnull (doc_find_title (d, "rect", "2021-03-01 01:01 UTC — ICMP: 1 packets"));
}

/* ------------------------------------------------------------------ */
/* methods */

static DpTable *
make_report (double f1_a)
{
  DpTable *t = dp_table_new ("report");
  guint cc = dp_table_add_column (t, "class", DP_COL_STRING);
  dp_table_add_column (t, "precision", DP_COL_DOUBLE);
  dp_table_add_column (t, "recall", DP_COL_DOUBLE);
  guint cf = dp_table_add_column (t, "f1", DP_COL_DOUBLE), cs = dp_table_add_column (t, "support", DP_COL_INT64);
  const struct { const char *cls; double f1; gint64 sup; } rows[] = {
    { "a", f1_a, 4 }, { "b", 0.8, 2 }, { "unknown", 0, 0 }, { "accuracy", 0.8333, 6 }, { "macro avg", 0.7, 6 },
    { "weighted avg", 0.75, 6 }, { "macro avg (ground-truth classes)", 0.9, 6 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, cc, r, rows[i].cls);
      dp_table_set_f64 (t, cf, r, rows[i].f1);
      dp_table_set_i64 (t, cs, r, rows[i].sup);
    }
  return t;
}

static DpTable *
make_predictions (void)
{
  DpTable *t = dp_table_new ("predictions");
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4);
  guint cl = dp_table_add_column (t, "label", DP_COL_STRING), cp = dp_table_add_column (t, "predicted", DP_COL_STRING);
  const char *rows[][2] = { { "a", "a" }, { "a", "a" }, { "a", "a" }, { "a", "b" }, { "b", "b" }, { "b", "n.a." } };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, ci, r, DP_TEST_IP (10, 0, 0, i + 1));
      dp_table_set_str (t, cl, r, rows[i][0]);
      dp_table_set_str (t, cp, r, rows[i][1]);
    }
  return t;
}

static DpTable *
make_comparison (void)
{
  DpTable *t = dp_table_new ("comparison");
  guint cm = dp_table_add_column (t, "method", DP_COL_STRING), cs = dp_table_add_column (t, "sources", DP_COL_INT64);
  guint ca = dp_table_add_column (t, "accuracy", DP_COL_DOUBLE), cf = dp_table_add_column (t, "macro_f1", DP_COL_DOUBLE);
  guint cg = dp_table_add_column (t, "macro_f1_truth", DP_COL_DOUBLE);
  const struct { const char *m; double acc, f1, f1_truth; } rows[] = {
    { "DarkVec", 0.961, 0.741, 0.883 }, { "IP2VEC <v2>", 0.5, 0.25, 0.375 } };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, cm, r, rows[i].m);
      dp_table_set_i64 (t, cs, r, 3243);
      dp_table_set_f64 (t, ca, r, rows[i].acc);
      dp_table_set_f64 (t, cf, r, rows[i].f1);
      dp_table_set_f64 (t, cg, r, rows[i].f1_truth);
    }
  return t;
}

static void
test_methods (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\ntitle: 'A & B <test>'");
  /* the methods are named by the stages that sent them */
  push_from (h, P_REPORT, "input 1", make_report (0.857));
  push_from (h, P_REPORT, "input 2", make_report (0.25));
  push_ok (h, P_PRED, make_predictions ());
  push_ok (h, P_COMPARISON, make_comparison ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  const char *const ids[] = { "methods-comparison", "methods-f1", "methods-confusion-1", NULL };
  assert_figures (d, ids);
  g_assert_nonnull (doc_find_title (d, "rect", "a — input 1: 0.857"));
  g_assert_nonnull (doc_find_title (d, "rect", "a — input 2: 0.250"));
  g_assert_nonnull (doc_find_title (d, "rect", "b — input 2: 0.800"));
  /* summary rows and classes without support get no bar */
  g_assert_null (doc_find_title (d, "rect", "accuracy — input 1: 0.833"));
  g_assert_null (doc_find_title (d, "rect", "unknown — input 1: 0.000"));
  /* F1 bars: 0..1 over the plot width, so 0.857 is 0.857/0.25 of the second bar */
  double w1 = attr_num (doc_find_title (d, "rect", "a — input 1: 0.857"), "width");
  double w2 = attr_num (doc_find_title (d, "rect", "a — input 2: 0.250"), "width");
  g_assert_cmpfloat_with_epsilon (w1 / w2, 0.857 / 0.25, 1e-3);
  /* confusion: label vs predicted, counts */
  g_assert_nonnull (doc_find_title (d, "rect", "a → a: 3 senders"));
  g_assert_nonnull (doc_find_title (d, "rect", "a → b: 1 senders"));
  g_assert_nonnull (doc_find_title (d, "rect", "b → n.a.: 1 senders"));
  g_assert_null (doc_find_title (d, "rect", "n.a. → n.a.: 0 senders"));
  /* comparison: bars and the table, escaped */
  g_assert_nonnull (doc_find_title (d, "rect", "DarkVec — accuracy: 0.961"));
  g_assert_nonnull (doc_find_title (d, "rect", "IP2VEC <v2> — macro F1, scikit-learn (all classes): 0.250"));
  g_assert_nonnull (doc_find_title (d, "rect", "IP2VEC <v2> — macro F1, ground-truth classes: 0.375"));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_true (html_has (html, "<td class=\"name\">IP2VEC &lt;v2&gt;</td><td class=\"num\">3,243</td>"));
  g_assert_true (html_has (html, "<tr class=\"best\"><td class=\"name\">DarkVec</td>"));
  g_assert_true (html_has (html, "<h1>A &amp; B &lt;test&gt;</h1>"));
  /* no class has the 5 senders a "hardest class" needs */
  /* both macro F1s, each named by what it averages (3 classes with unknown, 2 without) */
  g_assert_true (html_has (html, "<li>input 1: accuracy 0.833; macro F1 0.700 over all 3 classes (scikit-learn&#39;s, "
                                 "the paper&#39;s: predicted unknown and n.a. count as classes); macro F1 0.900 over "
                                 "the 2 ground-truth classes.</li>"));
  g_assert_null (doc_find_title (d, "rect", "macro avg (ground-truth classes) — input 1: 0.900"));
}

/* a comparison row without a method name draws a bar with an empty name */
static void
test_comparison_null_method (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpTable *t = make_comparison ();
  dp_table_set_str (t, (guint) dp_table_find_column (t, "method"), 1, NULL);
  push_ok (h, P_COMPARISON, t);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_title (d, "rect", "DarkVec — accuracy: 0.961"));
  g_assert_nonnull (doc_find_title (d, "rect", " — accuracy: 0.500"));
}

/* 35 classes: the 29 largest keep their row and column, the rest share one */
static void
test_confusion_cap (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpTable *t = dp_table_new ("predictions");
  guint cl = dp_table_add_column (t, "label", DP_COL_STRING), cp = dp_table_add_column (t, "predicted", DP_COL_STRING);
  for (guint c = 0; c < 35; c++)
    for (guint k = 0; k <= (c < 29 ? 1u : 0u); k++)
      {
        g_autofree char *name = g_strdup_printf ("class%02u", c);
        guint r = dp_table_append_row (t);
        dp_table_set_str (t, cl, r, name);
        dp_table_set_str (t, cp, r, name);
      }
  push_ok (h, P_PRED, t);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_title (d, "rect", "class28 → class28: 2 senders"));
  g_assert_null (doc_find_title (d, "rect", "class29 → class29: 1 senders"));
  g_assert_nonnull (doc_find_title (d, "rect", "(other classes) → (other classes): 6 senders"));
}

/* Labels are bytes from files: invalid UTF-8 (one cut short at the very
 * end) still gives a well-formed page, with U+FFFD in its place. */
static void
test_invalid_utf8 (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpTable *t = dp_table_new ("predictions");
  guint cl = dp_table_add_column (t, "label", DP_COL_STRING), cp = dp_table_add_column (t, "predicted", DP_COL_STRING);
  const char *labels[] = { "caf\xc3", "x\xff<y" };
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, cl, r, labels[i]);
      dp_table_set_str (t, cp, r, labels[i]);
    }
  push_ok (h, P_PRED, t);
  push_ok (h, P_COMPARISON, make_comparison ());
  DpTable *rep = make_report (0.5);
  dp_table_set_str (rep, 0, 0, "\xe2\x82");
  push_from (h, P_REPORT, "input 1", rep);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_title (d, "rect", "caf\xef\xbf\xbd → caf\xef\xbf\xbd: 1 senders"));
  g_assert_nonnull (doc_find_title (d, "rect", "x\xef\xbf\xbd<y → x\xef\xbf\xbd<y: 1 senders"));
  g_assert_nonnull (doc_find_title (d, "rect", "\xef\xbf\xbd\xef\xbf\xbd: 0.500"));
}

/* ------------------------------------------------------------------ */
/* embedding */

static DpEmbedding *
make_embedding (void)
{
  /* variance 8 along x, 0.5 along y: PC1 is x with 8 / 8.5 = 94% */
  static const float v[][2] = { { -4, 0 }, { 4, 0 }, { 0, -1 }, { 0, 1 } };
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, DP_TEST_IP (10, 0, 0, i + 1)));
  dp_vocab_add (vocab, DP_TOKEN (DP_TOK_PORT, (6u << 16) | 23));
  DpEmbedding *e = dp_embedding_new (vocab, G_N_ELEMENTS (v) + 1, 2);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    memcpy (e->vectors + 2 * i, v[i], sizeof v[i]);
  e->vectors[8] = 100;   /* the port token: not an address, not projected */
  e->vectors[9] = 100;
  return e;
}

static DpTable *
make_labels (void)
{
  DpTable *t = dp_table_new ("ground_truth");
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4), cl = dp_table_add_column (t, "label", DP_COL_STRING);
  const char *labels[] = { "mirai", "mirai", "censys", "unknown" };
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, ci, r, DP_TEST_IP (10, 0, 0, i + 1));
      dp_table_set_str (t, cl, r, labels[i]);
    }
  return t;
}

static void
test_embedding (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  push_ok (h, P_EMB, make_embedding ());
  push_ok (h, P_LABELS, make_labels ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  const char *const ids[] = { "embedding-pca", NULL };
  assert_figures (d, ids);
  Elem *a = doc_find_title (d, "circle", "10.0.0.1 — mirai");
  Elem *b = doc_find_title (d, "circle", "10.0.0.2 — mirai");
  Elem *c = doc_find_title (d, "circle", "10.0.0.3 — censys");
  Elem *u = doc_find_title (d, "circle", "10.0.0.4 — unknown");
  g_assert_nonnull (u);
  g_assert_cmpstr (g_hash_table_lookup (u->attrs, "fill"), ==, "#b8b8b8");
  g_assert_cmpstr (g_hash_table_lookup (a->attrs, "fill"), ==, g_hash_table_lookup (b->attrs, "fill"));
  g_assert_cmpstr (g_hash_table_lookup (a->attrs, "fill"), !=, g_hash_table_lookup (c->attrs, "fill"));
  /* PC1 is the x axis of the vectors: the two mirai points sit apart
   * horizontally, on one height; the port token is not drawn */
  g_assert_cmpfloat_with_epsilon (attr_num (a, "cy"), attr_num (b, "cy"), 0.11);
  g_assert_cmpfloat (fabs (attr_num (a, "cx") - attr_num (b, "cx")), >, 500);
  g_assert_cmpuint (doc_count (d, "circle"), ==, 4);
  gboolean pc1 = FALSE;
  for (guint i = 0; i < d->all->len; i++)
    pc1 |= strcmp (((Elem *) g_ptr_array_index (d->all, i))->text->str, "PC1 (94% of the variance)") == 0;
  g_assert_true (pc1);
}

/* word tokens join the labels by their text; one dimension is enough */
static void
test_embedding_words (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  const char *words[] = { "alpha", "beta", "gamma" };
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    dp_vocab_add (vocab, dp_vocab_word_key (vocab, words[i]));
  DpEmbedding *e = dp_embedding_new (vocab, 3, 1);
  e->vectors[0] = -1, e->vectors[1] = 0, e->vectors[2] = 1;
  push_ok (h, P_EMB, e);
  DpTable *t = dp_table_new ("labels");
  guint ck = dp_table_add_column (t, "token", DP_COL_STRING), cl = dp_table_add_column (t, "label", DP_COL_STRING);
  for (guint i = 0; i < 2; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_str (t, ck, r, words[i]);
      dp_table_set_str (t, cl, r, i == 0 ? "greek & co" : "second");
    }
  push_ok (h, P_LABELS, t);
  DpTable *c = dp_table_new ("clusters");
  guint cc = dp_table_add_column (c, "token", DP_COL_STRING), cn = dp_table_add_column (c, "cluster", DP_COL_INT64);
  for (guint i = 0; i < 3; i++)
    {
      guint r = dp_table_append_row (c);
      dp_table_set_str (c, cc, r, words[i]);
      dp_table_set_i64 (c, cn, r, 7);
    }
  push_ok (h, P_CLUSTERS, c);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_title (d, "circle", "alpha — greek & co"));
  g_assert_nonnull (doc_find_title (d, "circle", "gamma — unknown"));
  g_assert_nonnull (doc_find_title (d, "rect", "#7 — greek & co: 1 sources"));
  g_assert_nonnull (doc_find_title (d, "rect", "#7 — unknown: 1 sources"));
}

/* pseudonyms join by name even when two inputs gave them different stand-in addresses */
static void
test_embedding_pseudonyms (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  g_autoptr (DpNameMap) m1 = dp_name_map_new (), m2 = dp_name_map_new ();
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  dp_vocab_set_names (vocab, m1);
  const char *names[] = { "src_ipaddr1", "src_ipaddr2" };
  for (guint i = 0; i < 2; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, dp_name_map_intern (m1, names[i])));
  DpEmbedding *e = dp_embedding_new (vocab, 2, 2);
  e->vectors[0] = 1, e->vectors[3] = 1;
  push_ok (h, P_EMB, e);
  dp_name_map_intern (m2, "src_ipaddr2");   /* m2 numbers them the other way round */
  DpTable *t = dp_table_new ("labels");
  dp_table_set_names (t, m2);
  guint ck = dp_table_add_column (t, "ip", DP_COL_IPV4), cl = dp_table_add_column (t, "label", DP_COL_STRING);
  guint r = dp_table_append_row (t);
  dp_table_set_ip (t, ck, r, dp_name_map_intern (m2, "src_ipaddr1"));
  dp_table_set_str (t, cl, r, "mirai");
  push_ok (h, P_LABELS, t);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_title (d, "circle", "src_ipaddr1 — mirai"));
  g_assert_nonnull (doc_find_title (d, "circle", "src_ipaddr2 — unknown"));
}

/* ------------------------------------------------------------------ */
/* clusters */

static DpTable *
make_clusters (void)
{
  DpTable *t = dp_table_new ("clusters");
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4), cc = dp_table_add_column (t, "cluster", DP_COL_INT64);
  const gint64 cl[] = { 0, 0, 0, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (cl); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, ci, r, DP_TEST_IP (10, 0, 0, i + 1));
      dp_table_set_i64 (t, cc, r, cl[i]);
    }
  return t;
}

static DpTable *
make_silhouette (void)
{
  DpTable *t = dp_table_new ("clusters");
  guint cc = dp_table_add_column (t, "cluster", DP_COL_INT64), cs = dp_table_add_column (t, "size", DP_COL_INT64);
  guint cv = dp_table_add_column (t, "silhouette", DP_COL_DOUBLE);
  const struct { gint64 c, size; double s; } rows[] = { { 1, 1, 0.8 }, { 0, 3, -0.25 } };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, cc, r, rows[i].c);
      dp_table_set_i64 (t, cs, r, rows[i].size);
      dp_table_set_f64 (t, cv, r, rows[i].s);
    }
  return t;
}

static DpTable *
make_profile (void)
{
  DpTable *t = dp_table_new ("profile");
  guint cc = dp_table_add_column (t, "cluster", DP_COL_INT64), cm = dp_table_add_column (t, "members", DP_COL_INT64);
  guint cp = dp_table_add_column (t, "packets", DP_COL_INT64), ct = dp_table_add_column (t, "top_ports", DP_COL_STRING);
  const struct { gint64 c, m, p; const char *top; } rows[] = {
    { 0, 3, 1200, "23/tcp:0.61;2323/tcp:0.2" }, { 1, 1, 40, "445/tcp:1;bogus;:0.5" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, cc, r, rows[i].c);
      dp_table_set_i64 (t, cm, r, rows[i].m);
      dp_table_set_i64 (t, cp, r, rows[i].p);
      dp_table_set_str (t, ct, r, rows[i].top);
    }
  return t;
}

static void
test_clusters (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  push_ok (h, P_CLUSTERS, make_clusters ());
  push_ok (h, P_SIL, make_silhouette ());
  push_ok (h, P_PROFILE, make_profile ());
  push_ok (h, P_LABELS, make_labels ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  const char *const ids[] = { "clusters-sizes", "clusters-silhouette", "clusters-ports", "clusters-table", NULL };
  assert_figures (d, ids);
  /* sizes split by label: cluster 0 holds 2 mirai and 1 censys */
  g_assert_nonnull (doc_find_title (d, "rect", "#0 — mirai: 2 sources"));
  g_assert_nonnull (doc_find_title (d, "rect", "#0 — censys: 1 sources"));
  g_assert_nonnull (doc_find_title (d, "rect", "#1 — unknown: 1 sources"));
  /* silhouettes with their sign */
  Elem *neg = doc_find_title (d, "rect", "#0: -0.25"), *pos = doc_find_title (d, "rect", "#1: 0.80");
  g_assert_cmpstr (g_hash_table_lookup (neg->attrs, "fill"), ==, "#D55E00");
  g_assert_cmpfloat_with_epsilon (attr_num (pos, "width") / attr_num (neg, "width"), 0.8 / 0.25, 1e-2);
  /* the port heat map: shares from top_ports; bad items skipped */
  g_assert_nonnull (doc_find_title (d, "rect", "#0 (3) → 23/tcp: 0.61 of the cluster's packets"));
  g_assert_nonnull (doc_find_title (d, "rect", "#1 (1) → 445/tcp: 1.00 of the cluster's packets"));
  g_assert_null (doc_find_title (d, "rect", "#0 (3) → 445/tcp: 0.00 of the cluster's packets"));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  /* the cohesive table: best silhouette first, main label and ports */
  const char *row1 = strstr (html, "<td class=\"name\">#1</td>"), *row0 = strstr (html, "<td class=\"name\">#0</td>");
  g_assert_nonnull (row1);
  g_assert_nonnull (row0);
  g_assert_true (row1 < row0);
  g_assert_true (html_has (html, "<td>mirai (67%)</td><td>23/tcp 61% · 2323/tcp 20%</td>"));
  g_assert_false (html_has (html, "Most cohesive cluster"));   /* none has 10 sources */
  /* the header: 2 clusters, 3 of the 4 senders labelled */
  g_assert_true (html_has (html, "<div class=\"v\">2</div><div class=\"l\">clusters</div>"));
  g_assert_true (html_has (html, "<div class=\"v\">3</div><div class=\"l\">labelled senders</div>"));
}

/* ------------------------------------------------------------------ */

static void
test_empty_inputs (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\nsvg_dir: figs");
  for (guint port = P_SUMMARY; port <= P_LABELS; port++)
    if (port != P_EMB)
      push_ok (h, port, dp_table_new ("empty"));
  /* tables of the right names with wrong column types */
  DpTable *odd = dp_table_new ("summary");
  dp_table_add_column (odd, "window_start", DP_COL_STRING);
  dp_table_add_column (odd, "pattern", DP_COL_INT64);
  dp_table_append_row (odd);
  push_ok (h, P_SUMMARY, odd);
  DpTable *odd2 = make_profile ();
  dp_table_set_str (odd2, 3, 0, NULL);
  push_ok (h, P_PROFILE, odd2);
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  push_ok (h, P_EMB, dp_embedding_new (vocab, 0, 8));
  push_ok (h, P_PACKETS, dp_packets_new (4));
  /* values that are not numbers draw nothing */
  push_from (h, P_REPORT, "input 1", make_report (INFINITY));
  push_from (h, P_REPORT, "input 2", make_report (NAN));
  DpTable *pred = make_predictions ();
  dp_table_set_str (pred, 1, 0, NULL);
  push_ok (h, P_PRED, pred);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_null (strstr (html, "=\"inf"));
  g_assert_null (strstr (html, "=\"nan"));
  g_assert_null (strstr (html, "=\"-nan"));
  g_assert_nonnull (doc_find_title (d, "rect", "b — input 2: 0.800"));
  g_assert_null (doc_find_id (d, "taxonomy-sources"));
  g_assert_null (doc_find_id (d, "embedding-pca"));
}

static void
test_svg_files (void)
{
  g_autoptr (DpHarness) h = report_new ("path: out/r.html\nsvg_dir: figs");
  push_ok (h, P_SUMMARY, make_summary ());
  push_from (h, P_REPORT, "input 1", make_report (0.5));
  push_ok (h, P_PRED, make_predictions ());
  push_ok (h, P_EMB, make_embedding ());
  push_ok (h, P_CLUSTERS, make_clusters ());
  push_ok (h, P_SIL, make_silhouette ());
  g_autoptr (Doc) page = finish_parse (h, "out/r.html");
  g_autofree char *dir = g_build_filename (dp_harness_output_dir (h), "figs", NULL);
  g_autoptr (GDir) gd = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (gd);
  guint n = 0;
  for (const char *name; (name = g_dir_read_name (gd));)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_autoptr (Doc) d = doc_parse (p);
      Elem *root = g_ptr_array_index (d->all, 0);
      g_assert_cmpstr (root->name, ==, "svg");
      g_assert_cmpstr (g_hash_table_lookup (root->attrs, "xmlns"), ==, "http://www.w3.org/2000/svg");
      g_assert_nonnull (g_hash_table_lookup (root->attrs, "width"));
      /* each standalone file is a figure of the page */
      g_autofree char *id = g_strndup (name, strlen (name) - 4);
      g_assert_true (g_str_has_suffix (name, ".svg"));
      g_assert_nonnull (doc_find_id (page, id));
      n++;
    }
  /* 3 taxonomy, F1, confusion, PCA, sizes, silhouette, table (HTML only: no SVG) */
  g_assert_cmpuint (dp_harness_counter (h, "charts"), ==, 9);
  g_assert_cmpuint (n, ==, 8);
}

/* "at a glance": the hardest classes of 5+ senders, the most cohesive cluster of 10+ */
static void
test_findings (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpTable *rep = dp_table_new ("report");
  guint cc = dp_table_add_column (rep, "class", DP_COL_STRING), cf = dp_table_add_column (rep, "f1", DP_COL_DOUBLE);
  guint cs = dp_table_add_column (rep, "support", DP_COL_INT64);
  const struct { const char *c; double f1; gint64 sup; } rows[] = {
    { "x", 0.2, 10 }, { "y", 0.9, 6 }, { "z", 0.1, 50 }, { "w", 0.0, 3 }, { "accuracy", 0.5, 69 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint r = dp_table_append_row (rep);
      dp_table_set_str (rep, cc, r, rows[i].c);
      dp_table_set_f64 (rep, cf, r, rows[i].f1);
      dp_table_set_i64 (rep, cs, r, rows[i].sup);
    }
  push_from (h, P_REPORT, "input 1", rep);
  DpTable *sil = dp_table_new ("clusters");
  guint kc = dp_table_add_column (sil, "cluster", DP_COL_INT64), ks = dp_table_add_column (sil, "size", DP_COL_INT64);
  guint kv = dp_table_add_column (sil, "silhouette", DP_COL_DOUBLE);
  const struct { gint64 c, size; double s; } cl[] = { { 0, 20, 0.5 }, { 1, 12, 0.75 }, { 2, 3, 0.99 } };
  for (guint i = 0; i < G_N_ELEMENTS (cl); i++)
    {
      guint r = dp_table_append_row (sil);
      dp_table_set_i64 (sil, kc, r, cl[i].c);
      dp_table_set_i64 (sil, ks, r, cl[i].size);
      dp_table_set_f64 (sil, kv, r, cl[i].s);
    }
  push_ok (h, P_SIL, sil);
  DpTable *prof = dp_table_new ("profile");
  guint pc = dp_table_add_column (prof, "cluster", DP_COL_INT64), pt = dp_table_add_column (prof, "top_ports", DP_COL_STRING);
  guint r = dp_table_append_row (prof);
  dp_table_set_i64 (prof, pc, r, 1);
  dp_table_set_str (prof, pt, r, "80/tcp:0.05;81/tcp:0.04");
  push_ok (h, P_PROFILE, prof);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_true (html_has (html, "<li>input 1: accuracy 0.500; hardest classes z (F1 0.10, 50 senders) and x (F1 0.20, 10 senders).</li>"));
  g_assert_true (html_has (html, "<li>Most cohesive cluster of 10 or more sources: #1 (12 sources, silhouette 0.75, "
                                 "its packets spread over many ports).</li>"));
}

/* an output that cannot be written fails the stage and leaves no page */
static void
test_unwritable (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\nsvg_dir: /dev/null/figs");
  push_ok (h, P_SUMMARY, make_summary ());
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_nonnull (error);
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* A table without the columns an input reads is named, not drawn as
 * "No charts" in silence (issue #13 item 4). */
static void
test_missing_columns (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpTable *t = dp_table_new ("summary");
  dp_table_add_column (t, "window_start", DP_COL_INT64);
  dp_table_add_column (t, "pattern", DP_COL_STRING);
  dp_table_set_i64 (t, 0, dp_table_append_row (t), 0);
  /* the same table twice from one upstream: reported once */
  push_from (h, P_CLUSTERS, "tax", dp_batch_ref (t));
  push_from (h, P_CLUSTERS, "tax", dp_batch_ref (t));
  g_assert_cmpuint (dp_harness_counter (h, "missing-column"), ==, 1);
  /* on_error: fail stops at it, naming the column, its type and what the table has */
  g_autoptr (DpHarness) f = report_new ("path: r.html\non_error: fail");
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (dp_harness_push_from (f, P_CLUSTERS, "tax", t, &error), ==, DP_FLOW_ERROR);
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  if (strstr (error->message, "input 'clusters': the table 'summary' from stage 'tax' has no column 'cluster' "
                              "(int64), which this stage reads; it has: window_start (int64), pattern (string)") == NULL)
    g_error ("%s", error->message);
  dp_batch_unref (t);
}


/* ------------------------------------------------------------------ */
/* the axes as numbers (axis.c, called directly) */

static void
test_axis_steps (void)
{
  /* counts: whole steps only (a 1-2-5 step of 2 over 5 ticks would be 0.5) */
  g_assert_cmpfloat (report_axis_step (2, 5, FALSE), ==, 0.5);
  g_assert_cmpfloat (report_axis_step (2, 5, TRUE), ==, 1);
  g_assert_cmpfloat (report_axis_step (0.3, 5, TRUE), ==, 1);
  g_assert_cmpfloat (report_axis_step (1160, 5, TRUE), ==, 500);
  g_assert_cmpfloat (report_axis_top (1160, 5, TRUE), ==, 1500);
  g_assert_cmpfloat (report_axis_top (3, 5, TRUE), ==, 3);
  g_assert_cmpfloat (report_axis_top (0, 5, TRUE), ==, 1);
  for (double max = 0.1; max < 1e6; max *= 1.37)
    {
      double step = report_axis_step (max, 5, TRUE), top = report_axis_top (max, 5, TRUE);
      g_assert_cmpfloat (step, >=, 1);
      g_assert_cmpfloat (step, ==, floor (step));
      g_assert_cmpfloat (top, >=, max);
      g_assert_cmpfloat (fmod (top, step), ==, 0);
      g_assert_cmpfloat (top / step, <=, 10);
    }
}

/* The UTC calendar of @t by the C library, for comparison. */
static void
utc_text (double t, const char *format, char out[static 32])
{
  time_t tt = (time_t) t;
  struct tm tm;
  gmtime_r (&tt, &tm);
  strftime (out, 32, format, &tm);
}

static void
test_axis_time_marks (void)
{
  /* 20:00 to 04:00 the next day on 868 px: hourly ticks, the date of the
   * start and of the day change */
  double t0 = T0 - 4 * 3600, t1 = T0 + 4 * 3600;
  g_autoptr (GArray) m = report_time_marks (t0, t1, 868);
  guint ticks = 0, dates = 0;
  for (guint i = 0; i < m->len; i++)
    {
      const ReportTimeMark *k = &g_array_index (m, ReportTimeMark, i);
      char want[32];
      g_assert_cmpfloat (k->t, >=, t0);
      g_assert_cmpfloat (k->t, <=, t1);
      if (k->date)
        {
          utc_text (k->t, "%Y-%m-%d", want);
          g_assert_true (k->t == t0 || fmod (k->t, 86400) == 0);
          dates++;
        }
      else
        {
          utc_text (k->t, "%H:%M", want);
          g_assert_cmpfloat (fmod (k->t, 3600), ==, 0);
          ticks++;
        }
      g_assert_cmpstr (k->label, ==, want);
    }
  g_assert_cmpuint (ticks, ==, 9);
  g_assert_cmpuint (dates, ==, 2);
  g_assert_cmpstr (g_array_index (m, ReportTimeMark, m->len - 1).label, ==, "2021-03-01");
  g_assert_cmpstr (g_array_index (m, ReportTimeMark, m->len - 2).label, ==, "2021-02-28");

  /* three bursts over 20 days: ticks at midnights, labelled by date, at
   * most one per 80 px, no second row */
  g_autoptr (GArray) w = report_time_marks (T0 + 6 * 3600, T0 + 20 * 86400 + 9 * 3600, 868);
  g_assert_cmpuint (w->len, >, 1);
  g_assert_cmpuint (w->len, <=, 868 / 80 + 1);
  for (guint i = 0; i < w->len; i++)
    {
      const ReportTimeMark *k = &g_array_index (w, ReportTimeMark, i);
      char want[32];
      utc_text (k->t, "%Y-%m-%d", want);
      g_assert_false (k->date);
      g_assert_cmpfloat (fmod (k->t, 86400), ==, 0);
      g_assert_cmpstr (k->label, ==, want);
    }
  g_autoptr (GArray) none = report_time_marks (T0, T0, 868);
  g_assert_cmpuint (none->len, ==, 0);
  for (double span = 10; span < 4e8; span *= 3.1)
    g_assert_cmpfloat (span / report_time_step (span, 10), <=, 10);
}

static void
test_axis_cover_formats (void)
{
  /* three bursts: 2 h, 1 h, 2 h, the last two 3 and 14 days later */
  const double starts[] = { T0, T0 + 3600, T0 + 3 * 86400, T0 + 14 * 86400, T0 + 14 * 86400 + 3600 };
  guint stretches = 0;
  g_assert_cmpfloat (report_time_cover (starts, G_N_ELEMENTS (starts), 3600, &stretches), ==, 5 * 3600);
  g_assert_cmpuint (stretches, ==, 3);
  g_assert_cmpfloat (report_time_cover (starts, 1, 3600, &stretches), ==, 3600);
  g_assert_cmpuint (stretches, ==, 1);
  g_assert_cmpfloat (report_time_cover (starts, 0, 3600, &stretches), ==, 0);
  g_assert_cmpuint (stretches, ==, 0);
  char buf[32];
  /* small means are never rounded to 0 */
  g_assert_cmpstr (report_fmt_mean (0.2, buf), ==, "0.20");
  g_assert_cmpstr (report_fmt_mean (0.004, buf), ==, "<0.01");
  g_assert_cmpstr (report_fmt_mean (0, buf), ==, "0");
  g_assert_cmpstr (report_fmt_mean (321, buf), ==, "321");
  g_assert_cmpstr (report_fmt_mean (12.25, buf), ==, "12.2");
  g_assert_cmpstr (report_fmt_duration (2 * 3600, buf), ==, "2.0 h");
  g_assert_cmpstr (report_fmt_duration (20.25 * 86400, buf), ==, "20.2 d");
}

/* ------------------------------------------------------------------ */
/* time charts on input with gaps: three bursts days apart */

/* The <text> contents of figure @id. */
static GPtrArray *
figure_texts (Doc *d, const char *id)
{
  GPtrArray *texts = g_ptr_array_new ();
  gboolean in = FALSE;
  for (guint i = 0; i < d->all->len; i++)
    {
      Elem *e = g_ptr_array_index (d->all, i);
      if (strcmp (e->name, "figure") == 0)
        in = g_strcmp0 (g_hash_table_lookup (e->attrs, "id"), id) == 0;
      else if (in && strcmp (e->name, "text") == 0)
        g_ptr_array_add (texts, e->text->str);
    }
  return texts;
}

static gboolean
texts_have (GPtrArray *texts, const char *text)
{
  return g_ptr_array_find_with_equal_func (texts, text, g_str_equal, NULL);
}

/* windows at T0 and T0+1h, T0+3d, T0+6d+2h; net_scan 2 sources once, small_syn 1 */
static DpTable *
make_gappy_summary (void)
{
  static const SumRow rows[] = {
    { T0, "net_scan_tcp_light", 2, 2, 20 }, { T0, "all", 2, 2, 20 },
    { T0 + 3600, "net_scan_tcp_light", 0, 0, 0 }, { T0 + 3600, "small_syn", 1, 1, 1 }, { T0 + 3600, "all", 1, 1, 1 },
    { T0 + 3 * 86400, "net_scan_tcp_light", 0, 0, 0 }, { T0 + 3 * 86400, "all", 0, 0, 3 },
    { T0 + 6 * 86400 + 7200, "net_scan_tcp_light", 0, 0, 0 }, { T0 + 6 * 86400 + 7200, "small_syn", 1, 1, 2 },
    { T0 + 6 * 86400 + 7200, "all", 1, 1, 2 },
  };
  return summary_table (rows, G_N_ELEMENTS (rows));
}

/* x of the rect titled @title */
static double
rect_x (Doc *d, const char *title)
{
  Elem *e = doc_find_title (d, "rect", title);
  if (e == NULL)
    g_test_message ("no rect titled %s", title);
  return attr_num (e, "x");
}

static void
test_taxonomy_gaps (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  push_ok (h, P_SUMMARY, make_gappy_summary ());
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  /* bars at their time: x proportional to the window's start (side by
   * side, the three bursts would sit at 0, 1/3 and 2/3 of the way) */
  double xa = rect_x (d, "2021-03-01 00:00 UTC — network scans: 2 sources");
  double xb = rect_x (d, "2021-03-01 01:00 UTC — small events: 1 sources");
  double xc = rect_x (d, "2021-03-07 02:00 UTC — small events: 1 sources");
  double pa = rect_x (d, "2021-03-01 00:00 UTC: 20 packets"), pb = rect_x (d, "2021-03-04 00:00 UTC: 3 packets");
  double pc = rect_x (d, "2021-03-07 02:00 UTC: 2 packets");
  double span = 6 * 86400 + 7200;
  g_assert_cmpfloat_with_epsilon ((xb - xa) / (xc - xa), 3600 / span, 1e-3);
  g_assert_cmpfloat_with_epsilon ((pb - pa) / (pc - pa), 3 * 86400 / span, 1e-3);
  /* the heat map's cells too */
  double ha = rect_x (d, "net_scan_tcp_light → 2021-03-01 00:00 UTC: 2 sources");
  double hb = rect_x (d, "net_scan_tcp_light → 2021-03-04 00:00 UTC: 0 sources");
  double hc = rect_x (d, "net_scan_tcp_light → 2021-03-07 02:00 UTC: 0 sources");
  g_assert_cmpfloat_with_epsilon ((hb - ha) / (hc - ha), 3 * 86400 / span, 1e-3);
  /* the gaps are drawn and named */
  g_assert_nonnull (doc_find_title (d, "rect", "no data from 2021-03-01 02:00 to 2021-03-04 00:00 UTC (2.9 d)"));
  g_assert_nonnull (doc_find_title (d, "rect", "no data from 2021-03-04 01:00 to 2021-03-07 02:00 UTC (3.0 d)"));
  /* each day change is labelled with its date, in every time chart */
  const char *const ids[] = { "taxonomy-sources", "taxonomy-heat", "taxonomy-packets" };
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr (GPtrArray) texts = figure_texts (d, ids[i]);
      for (gint64 day = 1; day <= 7; day++)
        {
          char want[32];
          utc_text ((double) (T0 + (day - 1) * 86400), "%Y-%m-%d", want);
          if (!texts_have (texts, want))
            g_test_message ("%s: no label %s", ids[i], want);
          g_assert_true (texts_have (texts, want));
        }
      /* counts: whole-number ticks only (the tallest stack is 2 sources, 20 packets) */
      for (guint k = 0; k < texts->len; k++)
        g_assert_null (strchr (g_ptr_array_index (texts, k), '.'));
    }
  g_autoptr (GPtrArray) bars = figure_texts (d, "taxonomy-sources");
  g_assert_true (texts_have (bars, "1") && texts_have (bars, "2") && !texts_have (bars, "0.5"));
  /* observed: 4 one-hour windows, not the 146 h from first to last */
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_true (html_has (html, "<div class=\"v\">4.0 h</div><div class=\"l\">observed, in 3 stretches over 6.1 d</div>"));
  /* the mean of net_scan over the 4 windows with data, not rounded to 0 */
  g_assert_true (html_has (html, "<li>Busiest pattern: net_scan_tcp_light, with 0.50 sources per window on average.</li>"));
}

/* the packet stream in three bursts: bins at their time, covered hours observed */
static void
test_packets_gaps (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html");
  DpPackets *p = dp_packets_new (8);
  gint64 t0 = T0 * G_GINT64_CONSTANT (1000000000);
  const gint64 at[] = { 10, 20, 3 * 86400 + 5, 3 * 86400 + 3700, 10 * 86400 + 7 };
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    dp_test_add_packet (p, t0 + DP_TEST_SEC (at[i]), DP_TEST_IP (10, 0, 0, 1), DP_TEST_IP (192, 0, 2, 1), 6, 1000, 23, 2);
  push_ok (h, P_PACKETS, p);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  double xa = rect_x (d, "2021-03-01 00:00 UTC — TCP: 2 packets");
  double xb = rect_x (d, "2021-03-04 00:00 UTC — TCP: 1 packets");
  double xb2 = rect_x (d, "2021-03-04 01:00 UTC — TCP: 1 packets");
  double xc = rect_x (d, "2021-03-11 00:00 UTC — TCP: 1 packets");
  g_assert_cmpfloat_with_epsilon ((xb - xa) / (xc - xa), 3.0 / 10, 1e-3);
  g_assert_cmpfloat_with_epsilon ((xb2 - xa) / (xc - xa), (3 * 24 + 1.0) / (10 * 24), 1e-3);
  g_assert_nonnull (doc_find_title (d, "rect", "no data from 2021-03-04 02:00 to 2021-03-11 00:00 UTC (6.9 d)"));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_true (html_has (html, "<div class=\"v\">4.0 h</div><div class=\"l\">observed, in 3 stretches over 10.0 d</div>"));
}

/* ------------------------------------------------------------------ */
/* addresses of 240.0.0.0/4 are entries of each table's own name map */

static DpTable *
v6_sources (DpNameMap *m, const char *const *addrs, guint n, gint64 window)
{
  DpTable *t = dp_table_new ("sources");
  dp_table_set_names (t, m);
  guint cw = dp_table_add_column (t, "window_start", DP_COL_INT64), cs = dp_table_add_column (t, "src", DP_COL_IPV4);
  guint cn = dp_table_add_column (t, "packets", DP_COL_INT64), ck = dp_table_add_column (t, "small_syn", DP_COL_INT64);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, cw, r, window);
      dp_table_set_ip (t, cs, r, dp_name_map_intern (m, addrs[i]));
      dp_table_set_i64 (t, cn, r, 10 * (i + 1));
      dp_table_set_i64 (t, ck, r, 1);
    }
  return t;
}

static void
test_sources_name_maps (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\ntop_n: 10");
  g_autoptr (DpNameMap) m1 = dp_name_map_new (), m2 = dp_name_map_new ();
  /* the first key of each map: 2001:db8::1 in one, 2001:db8::2 in the
   * other; 2001:db8::1 is in both windows under two keys; a pseudonym of
   * the second map, and a class-E address in a table without a map whose
   * value is the first key of both maps */
  const char *const w1[] = { "2001:db8::1" }, *const w2[] = { "2001:db8::2", "2001:db8::1", "src_ipaddr7" };
  push_ok (h, P_SOURCES, v6_sources (m1, w1, 1, T0));
  push_ok (h, P_SOURCES, v6_sources (m2, w2, 3, T0 + 3600));
  g_assert_cmpuint (dp_name_map_intern (m1, "2001:db8::1"), ==, dp_name_map_intern (m2, "2001:db8::2"));
  DpTable *plain = dp_table_new ("sources");
  guint cw = dp_table_add_column (plain, "window_start", DP_COL_INT64), cs = dp_table_add_column (plain, "src", DP_COL_IPV4);
  guint cn = dp_table_add_column (plain, "packets", DP_COL_INT64), ck = dp_table_add_column (plain, "small_syn", DP_COL_INT64);
  guint r = dp_table_append_row (plain);
  dp_table_set_i64 (plain, cw, r, T0);
  dp_table_set_ip (plain, cs, r, DP_NAME_BASE);   /* the key of 2001:db8::1 in m1 */
  dp_table_set_i64 (plain, cn, r, 5);
  dp_table_set_i64 (plain, ck, r, 1);
  push_ok (h, P_SOURCES, plain);
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  /* four sources: ::1 (2 windows, 10 + 20 packets), ::2, the pseudonym, 240.0.0.0 */
  g_assert_true (html_has (html, "<div class=\"v\">4</div><div class=\"l\">sources seen</div>"));
  g_assert_true (html_has (html, "<td>2001:db8::1</td><td class=\"num\">2</td><td class=\"num\">2</td><td class=\"num\">30</td>"));
  g_assert_true (html_has (html, "<td>2001:db8::2</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">10</td>"));
  g_assert_true (html_has (html, "<td>src_ipaddr7</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">30</td>"));
  g_assert_true (html_has (html, "<td>240.0.0.0</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">5</td>"));
}

/* ------------------------------------------------------------------ */
/* where the sources are: the enrich stage's columns */

typedef struct { const char *src; gint64 packets, asn; const char *org, *country; } NetRow;

/* A table like enrich.sources; @src is an IPv4 address or a token of @m. */
static DpTable *
enriched_table (DpNameMap *m, const NetRow *rows, guint n)
{
  DpTable *t = dp_table_new ("sources");
  dp_table_set_names (t, m);
  guint cs = dp_table_add_column (t, "src", DP_COL_IPV4), cn = dp_table_add_column (t, "packets", DP_COL_INT64);
  guint ca = dp_table_add_column (t, "asn", DP_COL_INT64), co = dp_table_add_column (t, "as_org", DP_COL_STRING);
  guint cc = dp_table_add_column (t, "country", DP_COL_STRING);
  dp_table_add_column (t, "as_origins", DP_COL_STRING);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_table_append_row (t);
      guint32 ip;
      dp_table_set_ip (t, cs, r, dp_ipv4_parse (rows[i].src, &ip) ? ip : dp_name_map_intern (m, rows[i].src));
      dp_table_set_i64 (t, cn, r, rows[i].packets);
      dp_table_set_i64 (t, ca, r, rows[i].asn);
      dp_table_set_str (t, co, r, rows[i].org);
      dp_table_set_str (t, cc, r, rows[i].country);
    }
  return t;
}

static void
test_networks (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\ntop_networks: 1");
  g_autoptr (DpNameMap) m1 = dp_name_map_new (), m2 = dp_name_map_new ();
  /* six sources, 982 packets; 1.0.0.1 twice (one source, 120 packets);
   * the IPv6 source and the pseudonym have the same key in two maps */
  const NetRow a[] = {
    { "1.0.0.1", 100, 13335, "Cloudflare", "US" }, { "1.0.0.2", 50, 13335, "Cloudflare", "US" },
    { "2.0.0.1", 300, 4134, "CHINANET", "CN" }, { "3.0.0.1", 500, 0, NULL, NULL },
    { "2001:db8::1", 5, 64500, NULL, "DE" },
  };
  const NetRow b[] = { { "src_ipaddr3", 7, 0, NULL, NULL }, { "1.0.0.1", 20, 13335, "Cloudflare", "US" } };
  push_ok (h, P_ENRICHED, enriched_table (m1, a, G_N_ELEMENTS (a)));
  push_ok (h, P_ENRICHED, enriched_table (m2, b, G_N_ELEMENTS (b)));
  g_assert_cmpuint (dp_name_map_intern (m1, "2001:db8::1"), ==, dp_name_map_intern (m2, "src_ipaddr3"));
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_id (d, "networks-countries"));
  g_assert_nonnull (doc_find_id (d, "networks-ases"));
  /* shares of 6 sources and 982 packets; top_networks: 1 shows US (most
   * sources) and CN (most packets), then unknown and the pseudonyms */
  g_assert_nonnull (doc_find_title (d, "rect", "US — share of the sources: 33.3"));
  g_assert_nonnull (doc_find_title (d, "rect", "US — share of the packets: 17.3"));
  g_assert_nonnull (doc_find_title (d, "rect", "CN — share of the packets: 30.5"));
  g_assert_nonnull (doc_find_title (d, "rect", "unknown — share of the packets: 50.9"));
  g_assert_nonnull (doc_find_title (d, "rect", "pseudonyms (not looked up) — share of the sources: 16.7"));
  g_assert_null (doc_find_title (d, "rect", "DE — share of the sources: 16.7"));
  g_assert_nonnull (doc_find_title (d, "rect", "AS13335 Cloudflare — share of the sources: 33.3"));
  g_assert_nonnull (doc_find_title (d, "rect", "AS4134 CHINANET — share of the packets: 30.5"));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  g_assert_true (html_has (html, "<tr><td>US</td><td class=\"num\">2</td><td class=\"num\">33.3%</td>"
                                 "<td class=\"num\">170</td><td class=\"num\">17.3%</td></tr>"));
  g_assert_true (html_has (html, "<tr><td class=\"muted\">unknown</td><td class=\"num\">1</td><td class=\"num\">16.7%</td>"
                                 "<td class=\"num\">500</td><td class=\"num\">50.9%</td></tr>"));
  g_assert_true (html_has (html, "<td colspan=\"5\" class=\"muted\">2 more</td>"));
  g_assert_true (html_has (html, "<li>By country, US has the most sources (33.3%), CN the most packets (30.5%); "
                                 "AS-wise, AS13335 Cloudflare has the most sources (33.3%), AS4134 CHINANET the most "
                                 "packets (30.5%).</li>"));
  /* a run without country_db: the country column is there, all null: no country figure */
  g_autoptr (DpHarness) h2 = report_new ("path: r.html");
  const NetRow c[] = { { "1.0.0.1", 1, 13335, NULL, NULL }, { "1.0.0.2", 1, 0, NULL, NULL } };
  push_ok (h2, P_ENRICHED, enriched_table (m1, c, G_N_ELEMENTS (c)));
  g_autoptr (Doc) d2 = finish_parse (h2, "r.html");
  g_assert_null (doc_find_id (d2, "networks-countries"));
  g_assert_nonnull (doc_find_title (d2, "rect", "AS13335 — share of the sources: 50.0"));
}

/* The day's new campaigns: one flagged row each, largest first, the
 * shares as percentages, columns nobody filled left out, and a finding
 * naming the largest; max_clusters caps the rows. */
static DpTable *
campaign_table (guint n_rows)
{
  DpTable *t = dp_table_new ("profile");
  const char *ints[] = { "cluster", "members", "senders", "packets" };
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    dp_table_add_column (t, ints[i], DP_COL_INT64);
  const char *strs[] = { "top_ports", "patterns", "fingerprints", "asns", "countries", "day" };
  for (guint i = 0; i < G_N_ELEMENTS (strs); i++)
    dp_table_add_column (t, strs[i], DP_COL_STRING);
  dp_table_add_column (t, "track", DP_COL_INT64);
  dp_table_add_column (t, "flag", DP_COL_STRING);
  const struct { gint64 cluster, members; const char *ports, *pats, *fps, *asns; gint64 track; } rows[] = {
    { 3, 12, "53/udp:0.67;123/udp:0.33", "net_scan_udp_heavy:1", "", "64506:1", 7 },
    { 5, 25, "23/tcp:0.75;2323/tcp:0.25", "net_scan_tcp_light:1", "mirai:0.996", "64505:0.8;64500:0.2", 6 },
    { 8, 4, "445/tcp:1", "small_syn:0.5", "zmap:0.001", "", 9 },
  };
  for (guint i = 0; i < MIN (n_rows, G_N_ELEMENTS (rows)); i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_i64 (t, 0, r, rows[i].cluster);
      dp_table_set_i64 (t, 1, r, rows[i].members);
      dp_table_set_i64 (t, 2, r, rows[i].members);
      dp_table_set_i64 (t, 3, r, 10 * rows[i].members);
      dp_table_set_str (t, 4, r, rows[i].ports);
      dp_table_set_str (t, 5, r, rows[i].pats);
      dp_table_set_str (t, 6, r, rows[i].fps);
      dp_table_set_str (t, 7, r, rows[i].asns);
      dp_table_set_str (t, 8, r, "");
      dp_table_set_str (t, 9, r, "2021-03-02");
      dp_table_set_i64 (t, 10, r, rows[i].track);
      dp_table_set_str (t, 11, r, "new campaign");
    }
  return t;
}

static void
test_campaigns (void)
{
  g_autoptr (DpHarness) h = report_new ("path: r.html\nmax_clusters: 2");
  push_ok (h, P_CAMPAIGNS, campaign_table (3));
  g_autoptr (Doc) d = finish_parse (h, "r.html");
  g_assert_nonnull (doc_find_id (d, "new-campaigns"));
  g_autofree char *path = g_build_filename (dp_harness_output_dir (h), "r.html", NULL);
  g_autofree char *html = dp_test_read_file (path, NULL);
  /* largest first: track 6 (25 sources) then track 7; track 9 is past max_clusters */
  const char *first = strstr (html, "<td class=\"num\">6</td>"), *second = strstr (html, "<td class=\"num\">7</td>");
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_true (first < second);
  g_assert_null (strstr (html, "<td class=\"num\">9</td>"));
  g_assert_true (html_has (html, "and 1 smaller ones"));
  g_assert_true (html_has (html, "<span class=\"tag\">new campaign</span>"));
  g_assert_true (html_has (html, "<td>23/tcp 75%, 2323/tcp 25%</td><td>net_scan_tcp_light 100%</td>"
                                 "<td>mirai 100%</td><td>64505 80%, 64500 20%</td></tr>"));
  g_assert_false (html_has (html, "zmap"));
  /* nobody has a country: no countries column */
  g_assert_false (html_has (html, "<th>countries</th>"));
  g_assert_true (html_has (html, "<li>3 new campaigns (clusters that continue none of the previous day&#39;s); the "
                                 "largest, track 6, has 25 sources; ports 23/tcp 75%, 2323/tcp 25%; patterns "
                                 "net_scan_tcp_light 100%; fingerprints mirai 100%.</li>"));
  /* all three, and a share below half a percent */
  g_autoptr (DpHarness) h2 = report_new ("path: r.html");
  push_ok (h2, P_CAMPAIGNS, campaign_table (3));
  g_autoptr (Doc) d2 = finish_parse (h2, "r.html");
  g_autofree char *path2 = g_build_filename (dp_harness_output_dir (h2), "r.html", NULL);
  g_autofree char *html2 = dp_test_read_file (path2, NULL);
  g_assert_true (html_has (html2, "<td>445/tcp 100%</td><td>small_syn 50%</td><td>zmap &lt;1%</td><td></td></tr>"));
  /* no new campaign: said so */
  g_autoptr (DpHarness) h3 = report_new ("path: r.html");
  push_ok (h3, P_CAMPAIGNS, campaign_table (0));
  g_autoptr (Doc) d3 = finish_parse (h3, "r.html");
  g_autofree char *path3 = g_build_filename (dp_harness_output_dir (h3), "r.html", NULL);
  g_autofree char *html3 = dp_test_read_file (path3, NULL);
  g_assert_true (html_has (html3, "no new campaign today"));
  g_assert_true (html_has (html3, "<li>No new campaign"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/report/defaults", test_defaults);
  g_test_add_func ("/plugin/report/campaigns", test_campaigns);
  g_test_add_func ("/plugin/report/bad-options", test_bad_options);
  g_test_add_func ("/plugin/report/taxonomy-summary", test_taxonomy_summary);
  g_test_add_func ("/plugin/report/taxonomy-long", test_taxonomy_long);
  g_test_add_func ("/plugin/report/taxonomy-sources-events", test_taxonomy_sources_events);
  g_test_add_func ("/plugin/report/packets", test_packets);
  g_test_add_func ("/plugin/report/packets-fractional-bin", test_packets_fractional_bin);
  g_test_add_func ("/plugin/report/methods", test_methods);
  g_test_add_func ("/plugin/report/comparison-null-method", test_comparison_null_method);
  g_test_add_func ("/plugin/report/confusion-cap", test_confusion_cap);
  g_test_add_func ("/plugin/report/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/plugin/report/embedding", test_embedding);
  g_test_add_func ("/plugin/report/embedding-words", test_embedding_words);
  g_test_add_func ("/plugin/report/embedding-pseudonyms", test_embedding_pseudonyms);
  g_test_add_func ("/plugin/report/clusters", test_clusters);
  g_test_add_func ("/plugin/report/empty-inputs", test_empty_inputs);
  g_test_add_func ("/plugin/report/svg-files", test_svg_files);
  g_test_add_func ("/plugin/report/findings", test_findings);
  g_test_add_func ("/plugin/report/unwritable", test_unwritable);
  g_test_add_func ("/plugin/report/missing-columns", test_missing_columns);
  g_test_add_func ("/plugin/report/axis-steps", test_axis_steps);
  g_test_add_func ("/plugin/report/axis-time-marks", test_axis_time_marks);
  g_test_add_func ("/plugin/report/axis-cover-formats", test_axis_cover_formats);
  g_test_add_func ("/plugin/report/taxonomy-gaps", test_taxonomy_gaps);
  g_test_add_func ("/plugin/report/packets-gaps", test_packets_gaps);
  g_test_add_func ("/plugin/report/sources-name-maps", test_sources_name_maps);
  g_test_add_func ("/plugin/report/networks", test_networks);
  return g_test_run ();
}
