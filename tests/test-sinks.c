/* Tests of the csv and jsonl sinks: golden text for a table with every
 * column type and for packets, gzip read back with zlib, atomic output,
 * tables appended under one header, and failures that leave no file. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <sys/stat.h>
#include "dp-test.h"

static DpHarness *
sink_new (const char *plugin, const char *yaml)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new (plugin, yaml, &error);
  g_assert_no_error (error);
  return h;
}

static void
push_ok (DpHarness *h, gpointer batch)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_push (h, 0, batch, &error));
  g_assert_no_error (error);
}

static void
finish_ok (DpHarness *h)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
}

static char *
out_path (DpHarness *h, const char *name)
{
  return g_build_filename (dp_harness_output_dir (h), name, NULL);
}

static char *
read_out (DpHarness *h, const char *name)
{
  g_autofree char *path = out_path (h, name);
  return dp_test_read_file (path, NULL);
}

/* Number of entries in the harness's output dir (temp files included). */
static guint
count_files (DpHarness *h)
{
  guint n = 0;
  g_autoptr (GDir) d = g_dir_open (dp_harness_output_dir (h), 0, NULL);
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

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

static const char golden_csv[] =
  "n,x,ip,\"s,note\"\n"
  "1,0.5,10.0.0.1,plain\n"
  "-7,nan,src_ipaddr12,\"a,b\"\n"
  "9223372036854775807,1e+22,192.0.2.1,\"say \"\"hi\"\"\nbye\"\n"
  "0,-0.25,0.0.0.0,\n"
  "5,inf,255.255.255.255,tab\there\001\n";

static const char golden_jsonl[] =
  "{\"n\":1,\"x\":0.5,\"ip\":\"10.0.0.1\",\"s,note\":\"plain\"}\n"
  "{\"n\":-7,\"x\":null,\"ip\":\"src_ipaddr12\",\"s,note\":\"a,b\"}\n"
  "{\"n\":9223372036854775807,\"x\":1e+22,\"ip\":\"192.0.2.1\",\"s,note\":\"say \\\"hi\\\"\\nbye\"}\n"
  "{\"n\":0,\"x\":-0.25,\"ip\":\"0.0.0.0\",\"s,note\":null}\n"
  "{\"n\":5,\"x\":null,\"ip\":\"255.255.255.255\",\"s,note\":\"tab\\there\\u0001\"}\n";

static void
test_table_golden (gconstpointer data)
{
  const char *plugin = data;
  gboolean csv = strcmp (plugin, "csv") == 0;
  g_autoptr (DpHarness) h = sink_new (plugin, "path: t.out");
  g_autoptr (DpTable) t = make_table ();
  push_ok (h, t);
  finish_ok (h);
  g_autofree char *text = read_out (h, "t.out");
  g_assert_cmpstr (text, ==, csv ? golden_csv : golden_jsonl);
  g_assert_cmpuint (dp_harness_counter (h, "rows-written"), ==, 5);
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
  r = dp_test_add_packet (p, DP_TEST_SEC (1566411408), DP_TEST_IP (10, 0, 0, 1), DP_TEST_IP (10, 0, 0, 2), 17, 0, 0, 0);
  p->l4[r] = 0;                /* a later fragment: no ports */
  p->frag[r] = DP_FRAG_MF | 185;
  p->ip_len[r] = 1500;
  r = dp_test_add_packet (p, 1, DP_TEST_IP (10, 0, 0, 3), DP_TEST_IP (10, 0, 0, 4), 1, 3, 13, 0);
  p->ttl[r] = 255;
  return p;
}

static const char golden_packets_csv[] =
  "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,icmp_type,icmp_code,ttl,ip_len,mf,frag_offset\n"
  "1566411407.841604000,src_ipaddr12,198.124.152.15,6,51406,697,2,4000000000,54321,,,64,40,0,0\n"
  "1566411408.000000000,10.0.0.1,10.0.0.2,17,,,,,0,,,64,1500,1,185\n"
  "0.000000001,10.0.0.3,10.0.0.4,1,,,,,0,3,13,255,40,0,0\n";

static const char golden_packets_jsonl[] =
  "{\"ts\":1566411407.841604000,\"src\":\"src_ipaddr12\",\"dst\":\"198.124.152.15\",\"proto\":6,"
  "\"sport\":51406,\"dport\":697,\"tcp_flags\":2,\"tcp_seq\":4000000000,\"ip_id\":54321,"
  "\"icmp_type\":null,\"icmp_code\":null,\"ttl\":64,\"ip_len\":40,\"mf\":false,\"frag_offset\":0}\n"
  "{\"ts\":1566411408.000000000,\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"proto\":17,"
  "\"sport\":null,\"dport\":null,\"tcp_flags\":null,\"tcp_seq\":null,\"ip_id\":0,"
  "\"icmp_type\":null,\"icmp_code\":null,\"ttl\":64,\"ip_len\":1500,\"mf\":true,\"frag_offset\":185}\n"
  "{\"ts\":0.000000001,\"src\":\"10.0.0.3\",\"dst\":\"10.0.0.4\",\"proto\":1,"
  "\"sport\":null,\"dport\":null,\"tcp_flags\":null,\"tcp_seq\":null,\"ip_id\":0,"
  "\"icmp_type\":3,\"icmp_code\":13,\"ttl\":255,\"ip_len\":40,\"mf\":false,\"frag_offset\":0}\n";

static void
test_packets_golden (gconstpointer data)
{
  const char *plugin = data;
  gboolean csv = strcmp (plugin, "csv") == 0;
  g_autoptr (DpHarness) h = sink_new (plugin, "path: sub/p.out");
  g_autoptr (DpPackets) p = make_packets ();
  /* two batches stream into one file under one header */
  g_autoptr (DpPackets) first = dp_packets_slice (p, 0, 2);
  g_autoptr (DpPackets) rest = dp_packets_slice (p, 2, 1);
  push_ok (h, first);
  push_ok (h, rest);
  finish_ok (h);
  g_autofree char *text = read_out (h, "sub/p.out");
  g_assert_cmpstr (text, ==, csv ? golden_packets_csv : golden_packets_jsonl);
}

static void
test_packets_iso (gconstpointer data)
{
  const char *plugin = data;
  g_autoptr (DpHarness) h = sink_new (plugin, "path: p.out\nts_format: iso");
  g_autoptr (DpPackets) p = make_packets ();
  push_ok (h, p);
  finish_ok (h);
  g_autofree char *text = read_out (h, "p.out");
  /* 1566411407 is 2019-08-21 18:16:47 UTC (tshark prints that time for
   * the first packet of the masscan capture) */
  g_assert_nonnull (strstr (text, strcmp (plugin, "csv") == 0
                                  ? "\n2019-08-21T18:16:47.841604000Z,src_ipaddr12,"
                                  : "{\"ts\":\"2019-08-21T18:16:47.841604000Z\",\"src\""));
  g_assert_nonnull (strstr (text, "1970-01-01T00:00:00.000000001Z"));
}

static char *
gunzip_file (const char *path)
{
  gzFile f = gzopen (path, "rb");
  g_autoptr (GString) s = g_string_new (NULL);
  char buf[4096];
  int n;
  g_assert_nonnull (f);
  while ((n = gzread (f, buf, sizeof buf)) > 0)
    g_string_append_len (s, buf, n);
  g_assert_cmpint (n, ==, 0);
  g_assert_cmpint (gzclose (f), ==, Z_OK);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_gzip (gconstpointer data)
{
  const char *plugin = data;
  const char *yamls[] = { "path: t.out\ngzip: true", "path: t.out.gz" };
  const char *files[] = { "t.out", "t.out.gz" };
  for (guint i = 0; i < G_N_ELEMENTS (yamls); i++)
    {
      g_autoptr (DpHarness) h = sink_new (plugin, yamls[i]);
      g_autoptr (DpTable) t = make_table ();
      push_ok (h, t);
      finish_ok (h);
      g_autofree char *path = out_path (h, files[i]);
      gsize len;
      g_autofree char *raw = dp_test_read_file (path, &len);
      g_assert_cmpuint (len, >=, 2);
      g_assert_cmphex ((guchar) raw[0], ==, 0x1f);   /* really compressed */
      g_assert_cmphex ((guchar) raw[1], ==, 0x8b);
      g_autofree char *text = gunzip_file (path);
      g_assert_cmpstr (text, ==, strcmp (plugin, "csv") == 0 ? golden_csv : golden_jsonl);
    }
}

static void
test_atomic (gconstpointer data)
{
  const char *plugin = data;
  g_autoptr (DpHarness) h = sink_new (plugin, "path: a.out");
  g_autofree char *path = out_path (h, "a.out");
  g_autoptr (DpTable) t = make_table ();
  push_ok (h, t);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  finish_ok (h);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_files (h), ==, 1);     /* no temp file left */
}

static void
test_unwritable (gconstpointer data)
{
  const char *plugin = data;
  g_autoptr (GError) error = NULL;
  /* nothing can create files below /proc, not even root */
  {
    g_autoptr (DpHarness) h = sink_new (plugin, "path: /proc/darkpipe-test/x.out");
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
    g_autoptr (DpHarness) h = sink_new (plugin, yaml);
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
test_tables_appended (gconstpointer data)
{
  const char *plugin = data;
  g_autoptr (DpHarness) h = sink_new (plugin, "path: w.out");
  g_autoptr (DpTable) t1 = small_table ("w1", "label", 1);
  g_autoptr (DpTable) t2 = small_table ("w2", "label", 2);
  push_ok (h, t1);
  push_ok (h, t2);
  finish_ok (h);
  g_autofree char *text = read_out (h, "w.out");
  g_assert_cmpstr (text, ==, strcmp (plugin, "csv") == 0
                   ? "window,label\n1,x\n2,x\n"
                   : "{\"window\":1,\"label\":\"x\"}\n{\"window\":2,\"label\":\"x\"}\n");
}

static void
test_tables_mismatch (gconstpointer data)
{
  const char *plugin = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = sink_new (plugin, "path: w.out");
  g_autoptr (DpTable) t1 = small_table ("w1", "label", 1);
  g_autoptr (DpTable) t2 = small_table ("w2", "class", 2);
  push_ok (h, t1);
  g_assert_false (dp_harness_push (h, 0, t2, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "w2"));
  g_assert_cmpuint (count_files (h), ==, 0);   /* the temp file is gone too */
}

static void
test_wrong_batches (gconstpointer data)
{
  const char *plugin = data;
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (DpHarness) h = sink_new (plugin, "path: c.out");
    g_autoptr (DpVocab) v = dp_vocab_new ();
    g_autoptr (DpCorpus) c = dp_corpus_new (v, DP_CORPUS_SENTENCES);
    g_assert_false (dp_harness_push (h, 0, c, &error));
    g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
    g_clear_error (&error);
  }
  g_autoptr (DpHarness) h = sink_new (plugin, "path: m.out");
  g_autoptr (DpTable) t = make_table ();
  g_autoptr (DpPackets) p = make_packets ();
  push_ok (h, t);
  g_assert_false (dp_harness_push (h, 0, p, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_cmpuint (count_files (h), ==, 0);
}

static void
test_empty (gconstpointer data)
{
  const char *plugin = data;
  gboolean csv = strcmp (plugin, "csv") == 0;
  {
    g_autoptr (DpHarness) h = sink_new (plugin, "path: e.out");
    g_autoptr (DpTable) t = small_table ("none", "label", 0);
    t->n_rows = 0;
    push_ok (h, t);
    finish_ok (h);
    g_autofree char *text = read_out (h, "e.out");
    g_assert_cmpstr (text, ==, csv ? "window,label\n" : "");
  }
  {
    g_autoptr (DpHarness) h = sink_new (plugin, "path: e.out");
    g_autoptr (DpPackets) p = dp_packets_new (1);
    push_ok (h, p);
    finish_ok (h);
    g_autofree char *text = read_out (h, "e.out");
    g_assert_cmpstr (text, ==, csv ? "ts,src,dst,proto,sport,dport,tcp_flags,tcp_seq,ip_id,"
                                     "icmp_type,icmp_code,ttl,ip_len,mf,frag_offset\n" : "");
  }
  g_autoptr (DpHarness) h = sink_new (plugin, "path: e.out");
  finish_ok (h);
  g_autofree char *text = read_out (h, "e.out");
  g_assert_cmpstr (text, ==, "");
}

static void
test_bad_options (gconstpointer data)
{
  const char *plugin = data;
  struct { const char *yaml; gint code; } cases[] = {
    { NULL, DP_CONFIG_ERROR_REQUIRED },
    { "path: x\ngzip: maybe", DP_CONFIG_ERROR_TYPE },
    { "path: x\nts_format: unix", DP_CONFIG_ERROR_CHOICE },
    { "path: x\ncompress: true", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option (plugin, cases[i].yaml, cases[i].code);
}

/* Doubles print as a decimal that reads back to the same value, without
 * the 17-digit noise of %.17g where fewer digits are exact. */
static void
test_double_format (void)
{
  static const struct { double v; const char *text; } cases[] = {
    { 947.994946, "947.994946" }, { 0.1, "0.1" }, { -2.5, "-2.5" }, { 3.0, "3" },
    { 1e-9, "0.000000001" }, { 1.0 / 3.0, "0.3333333333333333" },
    { 0.1 + 0.2, "0.30000000000000004" }, { 86399.999999999, "86399.999999999" },
    { 1e22, "1e+22" }, { 123456789012.5, "123456789012.5" }, { -0.0, "0" },
  };
  g_autoptr (DpTable) t = dp_table_new ("doubles");
  guint x = dp_table_add_column (t, "x", DP_COL_DOUBLE);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      dp_table_append_row (t);
      dp_table_set_f64 (t, x, i, cases[i].v);
      g_string_truncate (s, 0);
      dp_table_format_cell (t, x, i, s);
      g_assert_cmpstr (s->str, ==, cases[i].text);
    }
  /* any finite bit pattern, and values with up to nine decimals, read back exactly */
  for (guint i = 0; i < 20000; i++)
    {
      double v;
      if (i % 2)
        {
          guint64 bits = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
          memcpy (&v, &bits, sizeof v);
          if (!isfinite (v))
            continue;
        }
      else
        v = (double) g_test_rand_int_range (-2000000000, 2000000000) / 1e9 * (i % 7 + 1);
      guint row = dp_table_append_row (t);
      dp_table_set_f64 (t, x, row, v);
      g_string_truncate (s, 0);
      dp_table_format_cell (t, x, row, s);
      g_test_message ("%.17g printed as %s", v, s->str);
      g_assert_cmpfloat (g_ascii_strtod (s->str, NULL), ==, v);
      g_assert_cmpuint (s->len, <=, 24);
    }
}

static void
add_both (const char *name, GTestDataFunc func)
{
  const char *plugins[] = { "csv", "jsonl" };
  for (guint i = 0; i < G_N_ELEMENTS (plugins); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plugin/%s/%s", plugins[i], name);
      g_test_add_data_func (path, plugins[i], func);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/table/double-format", test_double_format);
  add_both ("bad-options", test_bad_options);
  add_both ("table-golden", test_table_golden);
  add_both ("packets-golden", test_packets_golden);
  add_both ("packets-iso", test_packets_iso);
  add_both ("gzip", test_gzip);
  add_both ("atomic", test_atomic);
  add_both ("unwritable", test_unwritable);
  add_both ("tables-appended", test_tables_appended);
  add_both ("tables-mismatch", test_tables_mismatch);
  add_both ("wrong-batches", test_wrong_batches);
  add_both ("empty", test_empty);
  return g_test_run ();
}
