/* text-sink-test.c — the tests the two text sinks (csv, jsonl) share:
 * golden text for a table with every column type and for packets (strings
 * given by each sink's test program), gzip read back with zlib, atomic
 * output, tables appended under one header, failures that leave no file. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "text-sink-test.h"

/* n: int64, x: double, ip: ipv4 (one pseudonym), "s,note": string */
static DpTable *
make_table (void)
{
  DpTable *t = dp_table_new ("golden");
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  guint32 pseudo = dp_name_map_intern (names, "src_ipaddr12");
  guint n = dp_table_add_column (t, "n", DP_COL_INT64);
  guint x = dp_table_add_column (t, "x", DP_COL_DOUBLE);
  guint ip = dp_table_add_column (t, "ip", DP_COL_IPV4);
  guint s = dp_table_add_column (t, "s,note", DP_COL_STRING);
  const gint64 nv[] = { 1, -7, G_MAXINT64, 0, 5 };
  const double xv[] = { 0.5, NAN, 1e22, -0.25, INFINITY };
  const guint32 ipv[] = { DP_TEST_IP (10, 0, 0, 1), pseudo, DP_TEST_IP (192, 0, 2, 1), 0, DP_TEST_IP (255, 255, 255, 255) };
  const char *sv[] = { "plain", "a,b", "say \"hi\"\nbye", NULL, "tab\there\001" };
  dp_table_set_names (t, names);
  for (guint r = 0; r < G_N_ELEMENTS (nv); r++)
    {
      dp_table_append_row (t);
      dp_table_set_i64 (t, n, r, nv[r]);
      dp_table_set_f64 (t, x, r, xv[r]);
      dp_table_set_ip (t, ip, r, ipv[r]);
      dp_table_set_str (t, s, r, sv[r]);
    }
  return t;
}

static void
text_sink_table_golden (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: t.out");
  g_autoptr (DpTable) t = make_table ();
  dp_test_push (h, 0, t);
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "t.out");
  g_assert_cmpstr (text, ==, g->table);
  g_assert_cmpuint (dp_harness_counter (h, "rows-written"), ==, 5);
}

/* Time columns in every ts_format; null cells beside real zeros. */
static void
text_sink_times (gconstpointer data)
{
  const TextSinkGolden *g = data;
  static const char *const formats[] = { "epoch", "epoch_ns", "iso" };
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *opts = g_strdup_printf ("path: t.out\nts_format: %s", formats[f]);
      g_autoptr (DpHarness) h = dp_test_harness (g->plugin, opts);
      g_autoptr (DpTable) t = dp_table_new ("times");
      guint ct = dp_table_add_column_flags (t, "t", DP_COL_INT64, DP_COLUMN_TIME);
      guint cp = dp_table_add_column_flags (t, "port", DP_COL_INT64, DP_COLUMN_NULLABLE);
      guint cd = dp_table_add_column (t, "dst", DP_COL_IPV4);
      static const gint64 tv[] = { G_GINT64_CONSTANT (1614592800000000000), G_GINT64_CONSTANT (-1500000000),
                                   G_GINT64_CONSTANT (1614592800123456789) };
      for (guint r = 0; r < 3; r++)
        {
          dp_table_append_row (t);
          dp_table_set_i64 (t, ct, r, tv[r]);
          dp_table_set_i64 (t, cp, r, r == 0 ? 22 : 0);
          dp_table_set_ip (t, cd, r, r == 0 ? DP_TEST_IP (10, 0, 0, 1) : 0);
        }
      dp_table_set_null (t, cp, 1);
      dp_table_set_null (t, cd, 1);
      g_assert_true (t->cols[cd].flags & DP_COLUMN_NULLABLE);
      dp_test_push (h, 0, t);
      dp_test_finish (h);
      g_autofree char *text = dp_test_read_output (h, "t.out");
      g_assert_cmpstr (text, ==, g->times[f]);
    }
  /* an unknown format is refused at check time, naming the choices */
  dp_test_bad_option (g->plugin, "{path: t.out, ts_format: rfc3339}", DP_CONFIG_ERROR_CHOICE);
}

static DpPackets *
make_packets (void)
{
  DpPackets *p = dp_packets_new (4);
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  guint32 pseudo = dp_name_map_intern (names, "src_ipaddr12");
  dp_packets_set_names (p, names);
  guint r = dp_test_add_packet (p, DP_TEST_SEC (1566411407) + 841604000, pseudo,
                                DP_TEST_IP (198, 124, 152, 15), 6, 51406, 697, 0x02);
  p->tcp_seq[r] = 4000000000u;
  p->ip_id[r] = 54321;
  p->tcp_win[r] = 65535;
  p->tcp_optlen[r] = 12;
  p->frag[r] = DP_FRAG_DF;     /* not a fragment: df 1, mf 0, offset 0 */
  r = dp_test_add_packet (p, DP_TEST_SEC (1566411408), DP_TEST_IP (10, 0, 0, 1), DP_TEST_IP (10, 0, 0, 2), 17, 0, 0, 0);
  p->l4[r] = 0;                /* a later fragment: no ports */
  p->frag[r] = DP_FRAG_MF | 185;
  p->ip_len[r] = 1500;
  r = dp_test_add_packet (p, 1, DP_TEST_IP (10, 0, 0, 3), DP_TEST_IP (10, 0, 0, 4), 1, 3, 13, 0);
  p->ttl[r] = 255;
  return p;
}

static void
text_sink_packets_golden (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: sub/p.out");
  g_autoptr (DpPackets) p = make_packets ();
  /* two batches stream into one file under one header */
  g_autoptr (DpPackets) first = dp_packets_slice (p, 0, 2);
  g_autoptr (DpPackets) rest = dp_packets_slice (p, 2, 1);
  dp_test_push (h, 0, first);
  dp_test_push (h, 0, rest);
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "sub/p.out");
  g_assert_cmpstr (text, ==, g->packets);
}

static void
text_sink_packets_iso (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: p.out\nts_format: iso");
  g_autoptr (DpPackets) p = make_packets ();
  dp_test_push (h, 0, p);
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "p.out");
  /* 1566411407 is 2019-08-21 18:16:47 UTC (tshark prints that time for
   * the first packet of the masscan capture) */
  g_assert_nonnull (strstr (text, g->iso_first));
  g_assert_nonnull (strstr (text, "1970-01-01T00:00:00.000000001Z"));
}

static void
text_sink_gzip (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  const char *yamls[] = { "path: t.out\ngzip: true", "path: t.out.gz" };
  const char *files[] = { "t.out", "t.out.gz" };
  for (guint i = 0; i < G_N_ELEMENTS (yamls); i++)
    {
      g_autoptr (DpHarness) h = dp_test_harness (plugin, yamls[i]);
      g_autoptr (DpTable) t = make_table ();
      dp_test_push (h, 0, t);
      dp_test_finish (h);
      g_autofree char *path = dp_test_output_path (h, files[i]);
      gsize len;
      g_autofree char *raw = dp_test_read_file (path, &len);
      g_assert_cmpuint (len, >=, 2);
      g_assert_cmphex ((guchar) raw[0], ==, 0x1f);   /* really compressed */
      g_assert_cmphex ((guchar) raw[1], ==, 0x8b);
      g_autofree char *text = dp_test_gunzip_file (path);
      g_assert_cmpstr (text, ==, g->table);
    }
}

static void
text_sink_atomic (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: a.out");
  g_autofree char *path = dp_test_output_path (h, "a.out");
  g_autoptr (DpTable) t = make_table ();
  dp_test_push (h, 0, t);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  dp_test_finish (h);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (dp_test_count_files (dp_harness_output_dir (h)), ==, 1);     /* no temp file left */
}

static void
text_sink_unwritable (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (GError) error = NULL;
  /* nothing can create files below /proc, not even root */
  {
    g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: /proc/darkpipe-test/x.out");
    g_autoptr (DpTable) t = make_table ();
    gboolean ok = dp_harness_push (h, 0, t, &error) && dp_harness_finish (h, &error);
    g_assert_false (ok);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "/proc/darkpipe-test/x.out"));
    g_assert_false (g_file_test ("/proc/darkpipe-test", G_FILE_TEST_EXISTS));
    g_clear_error (&error);
  }
  if (geteuid () == 0)
    return;  /* root ignores directory permissions */
  g_autofree char *dir = dp_test_tmpdir ();
  g_assert_cmpint (chmod (dir, 0500), ==, 0);
  g_autofree char *yaml = g_strdup_printf ("path: '%s/x.out'", dir);
  {
    g_autoptr (DpHarness) h = dp_test_harness (plugin, yaml);
    g_autoptr (DpTable) t = make_table ();
    gboolean ok = dp_harness_push (h, 0, t, &error) && dp_harness_finish (h, &error);
    g_assert_false (ok);
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
  }
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));
  chmod (dir, 0700);
  dp_test_rmtree (dir);
}

static DpTable *
small_table (const char *name, const char *col2, gint64 v)
{
  DpTable *t = dp_table_new (name);
  dp_table_add_column (t, "window", DP_COL_INT64);
  dp_table_add_column (t, col2, DP_COL_STRING);
  dp_table_append_row (t);
  dp_table_set_i64 (t, 0, 0, v);
  dp_table_set_str (t, 1, 0, "x");
  return t;
}

static void
text_sink_tables_appended (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: w.out");
  g_autoptr (DpTable) t1 = small_table ("w1", "label", 1);
  g_autoptr (DpTable) t2 = small_table ("w2", "label", 2);
  dp_test_push (h, 0, t1);
  dp_test_push (h, 0, t2);
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "w.out");
  g_assert_cmpstr (text, ==, g->appended);
}

static void
text_sink_tables_mismatch (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: w.out");
  g_autoptr (DpTable) t1 = small_table ("w1", "label", 1);
  g_autoptr (DpTable) t2 = small_table ("w2", "class", 2);
  dp_test_push (h, 0, t1);
  g_assert_false (dp_harness_push (h, 0, t2, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "w2"));
  g_assert_cmpuint (dp_test_count_files (dp_harness_output_dir (h)), ==, 0);   /* the temp file is gone too */
}

static void
text_sink_wrong_batches (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: c.out");
    g_autoptr (DpVocab) v = dp_vocab_new ();
    g_autoptr (DpCorpus) c = dp_corpus_new (v, DP_CORPUS_SENTENCES);
    g_assert_false (dp_harness_push (h, 0, c, &error));
    g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
    g_clear_error (&error);
  }
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: m.out");
  g_autoptr (DpTable) t = make_table ();
  g_autoptr (DpPackets) p = make_packets ();
  dp_test_push (h, 0, t);
  g_assert_false (dp_harness_push (h, 0, p, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_cmpuint (dp_test_count_files (dp_harness_output_dir (h)), ==, 0);
}

static void
text_sink_empty (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  {
    g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: e.out");
    g_autoptr (DpTable) t = small_table ("none", "label", 0);
    t->n_rows = 0;
    dp_test_push (h, 0, t);
    dp_test_finish (h);
    g_autofree char *text = dp_test_read_output (h, "e.out");
    g_assert_cmpstr (text, ==, g->empty_table);
  }
  {
    g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: e.out");
    g_autoptr (DpPackets) p = dp_packets_new (1);
    dp_test_push (h, 0, p);
    dp_test_finish (h);
    g_autofree char *text = dp_test_read_output (h, "e.out");
    g_assert_cmpstr (text, ==, g->empty_packets);
  }
  g_autoptr (DpHarness) h = dp_test_harness (plugin, "path: e.out");
  dp_test_finish (h);
  g_autofree char *text = dp_test_read_output (h, "e.out");
  g_assert_cmpstr (text, ==, "");
}

static void
text_sink_bad_options (gconstpointer data)
{
  const TextSinkGolden *g = data;
  const char *plugin = g->plugin;
  struct { const char *yaml; gint code; } cases[] = {
    { NULL, DP_CONFIG_ERROR_REQUIRED },
    { "path: x\ngzip: maybe", DP_CONFIG_ERROR_TYPE },
    { "path: x\nts_format: unix", DP_CONFIG_ERROR_CHOICE },
    { "path: x\ncompress: true", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option (plugin, cases[i].yaml, cases[i].code);
}

static void
add (const TextSinkGolden *g, const char *name, GTestDataFunc func)
{
  g_autofree char *path = g_strdup_printf ("/plugin/%s/%s", g->plugin, name);
  g_test_add_data_func (path, g, func);
}

void
text_sink_add_tests (const TextSinkGolden *g)
{
  add (g, "bad-options", text_sink_bad_options);
  add (g, "table-golden", text_sink_table_golden);
  add (g, "packets-golden", text_sink_packets_golden);
  add (g, "packets-iso", text_sink_packets_iso);
  add (g, "times-and-nulls", text_sink_times);
  add (g, "gzip", text_sink_gzip);
  add (g, "atomic", text_sink_atomic);
  add (g, "unwritable", text_sink_unwritable);
  add (g, "tables-appended", text_sink_tables_appended);
  add (g, "tables-mismatch", text_sink_tables_mismatch);
  add (g, "wrong-batches", text_sink_wrong_batches);
  add (g, "empty", text_sink_empty);
}
