/* dp-test.c — helpers shared by the test programs. */
#include "config.h"
#include <math.h>
#include <string.h>
#include <zlib.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "dp-test.h"

char *
dp_test_shared (const char *rel)
{
  const char *dir = g_getenv ("DP_SHARED_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : "../shared", rel, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("shared data %s not present", path);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
dp_test_data (const char *rel)
{
  return g_test_build_filename (G_TEST_DIST, "data", rel, NULL);
}

char *
dp_test_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("darkpipe-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

void
dp_test_rmtree (const char *path)
{
  if (path == NULL)
    return;
  GDir *d = g_dir_open (path, 0, NULL);
  if (d)
    {
      const char *name;
      while ((name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            dp_test_rmtree (child);
          else
            g_unlink (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

char *
dp_test_read_file (const char *path, gsize *len)
{
  char *contents = NULL;
  GError *error = NULL;
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

gint64
dp_test_epoch_ns (const char *s)
{
  g_auto (GStrv) parts = g_strsplit (s, ".", 2);
  const gint64 giga = G_GINT64_CONSTANT (1000000000);
  gint64 sec = 0, frac = 0;
  g_autoptr (GError) error = NULL;
  g_ascii_string_to_signed (parts[0], 10, G_MININT64 / giga, G_MAXINT64 / giga, &sec, &error);
  g_assert_no_error (error);
  if (parts[1] && parts[1][0])
    {
      g_assert_cmpuint (strspn (parts[1], "0123456789"), ==, strlen (parts[1]));
      char digits[10] = "000000000";
      memcpy (digits, parts[1], MIN (strlen (parts[1]), 9));
      g_ascii_string_to_signed (digits, 10, 0, giga - 1, &frac, &error);
      g_assert_no_error (error);
    }
  return sec * giga + frac;
}

/* One fixture row into row @n of @fx. */
static void
dp_test_knn_row (DpTestKnnFixture *fx, guint n, const char *line)
{
  g_auto (GStrv) f = g_strsplit (line, ",", -1);
  g_assert_cmpuint (g_strv_length (f), ==, 2 + DP_TEST_KNN_DIM);
  g_assert_true (dp_ipv4_parse (f[0], &fx->ip[n]));
  fx->label[n] = g_intern_string (f[1]);
  for (guint d = 0; d < DP_TEST_KNN_DIM; d++)
    {
      char *end = NULL;
      double x = g_ascii_strtod (f[2 + d], &end);
      g_assert_true (end != f[2 + d] && *end == '\0');
      fx->v[n * DP_TEST_KNN_DIM + d] = (float) x;
    }
}

void
dp_test_knn_fixture (DpTestKnnFixture *fx)
{
  g_autofree char *path = dp_test_data ("eval/knn-fixture.csv");
  g_autofree char *text = dp_test_read_file (path, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  for (guint i = 1; lines[i] && *lines[i]; i++, n++)
    {
      g_assert_cmpuint (n, <, DP_TEST_KNN_N);
      dp_test_knn_row (fx, n, lines[i]);
    }
  g_assert_cmpuint (n, ==, DP_TEST_KNN_N);
}

void
dp_test_bad_option (const char *plugin, const char *yaml, gint code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new (plugin, yaml, &error);
  g_test_message ("%s: %s: %s", plugin, yaml ? yaml : "(no options)",
                  error ? error->message : "(accepted)");
  g_assert_null (h);
  g_assert_error (error, DP_CONFIG_ERROR, code);
}

guint
dp_test_add_packet (DpPackets *p, gint64 ts_ns, guint32 src, guint32 dst,
                    guint8 proto, guint16 sport, guint16 dport, guint8 tcp_flags)
{
  guint r = dp_packets_append (p);
  p->ts[r] = ts_ns;
  p->src[r] = src;
  p->dst[r] = dst;
  p->proto[r] = proto;
  p->ttl[r] = 64;
  p->ip_len[r] = 40;
  if (proto == 6 || proto == 17)
    {
      p->sport[r] = sport;
      p->dport[r] = dport;
      p->l4[r] = DP_L4_PORTS;
      if (proto == 6)
        {
          p->tcp_flags[r] = tcp_flags;
          p->l4[r] |= DP_L4_TCP;
        }
    }
  else if (proto == 1)
    {
      p->icmp_type[r] = (guint8) sport;
      p->icmp_code[r] = (guint8) dport;
      p->l4[r] = DP_L4_ICMP;
    }
  return r;
}

/* ------------------------------------------------------------------ */
/* running one plugin */

DpHarness *
dp_test_harness (const char *plugin, const char *yaml)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new (plugin, yaml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h);
  return h;
}

void
dp_test_push (DpHarness *h, guint port, gpointer batch)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = dp_harness_push (h, port, batch, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

void
dp_test_finish (DpHarness *h)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = dp_harness_finish (h, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

DpHarness *
dp_test_run (const char *plugin, const char *yaml, gpointer in0, gpointer in1)
{
  DpHarness *h = dp_test_harness (plugin, yaml);
  if (in0)
    dp_test_push (h, 0, in0);
  if (in1)
    dp_test_push (h, 1, in1);
  dp_test_finish (h);
  return h;
}

gpointer
dp_test_run_output (const char *plugin, const char *yaml, gpointer in0, const char *output)
{
  g_autoptr (DpHarness) h = dp_test_run (plugin, yaml, in0, NULL);
  gpointer out = dp_harness_output (h, output);
  g_assert_nonnull (out);
  return dp_batch_ref (out);
}

void
dp_test_wrong_columns (const char *plugin, guint port, gpointer good, guint good_port)
{
  g_autoptr (DpTable) t = dp_table_new ("x");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "cluster", DP_COL_STRING);
  dp_table_add_column (t, "label", DP_COL_INT64);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_test_harness (plugin, NULL);
  if (good)
    dp_test_push (h, good_port, good);
  g_assert_true (dp_harness_push (h, port, t, &error));
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
}

char *
dp_test_finish_capture (DpHarness *h, int fd)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = NULL;
  int out = g_file_open_tmp ("darkpipe-capture-XXXXXX", &tmp, &error);
  g_assert_no_error (error);
  fflush (stdout);
  fflush (stderr);
  int saved = dup (fd);
  g_assert_cmpint (saved, >=, 0);
  g_assert_cmpint (dup2 (out, fd), ==, fd);
  gboolean ok = dp_harness_finish (h, &error);
  fflush (stdout);
  fflush (stderr);
  dup2 (saved, fd);
  close (saved);
  close (out);
  g_assert_no_error (error);
  g_assert_true (ok);
  char *text = dp_test_read_file (tmp, NULL);
  g_unlink (tmp);
  return text;
}

char *
dp_test_output_path (DpHarness *h, const char *name)
{
  return g_build_filename (dp_harness_output_dir (h), name, NULL);
}

char *
dp_test_read_output (DpHarness *h, const char *name)
{
  g_autofree char *path = dp_test_output_path (h, name);
  return dp_test_read_file (path, NULL);
}

guint
dp_test_count_files (const char *dir)
{
  guint n = 0;
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

char *
dp_test_gunzip_file (const char *path)
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

/* ------------------------------------------------------------------ */
/* batches */

char *
dp_test_cell (const DpTable *t, guint col, guint row)
{
  g_assert_cmpuint (col, <, t->n_cols);
  g_assert_cmpuint (row, <, t->n_rows);
  GString *s = g_string_new (NULL);
  dp_table_format_cell (t, col, row, s);
  return g_string_free (s, FALSE);
}

char *
dp_test_cell_named (const DpTable *t, const char *col, guint row)
{
  gint c = dp_table_find_column (t, col);
  g_assert_cmpint (c, >=, 0);
  return dp_test_cell (t, (guint) c, row);
}

void
dp_test_append_rows (DpHarness *h, guint port, GString *out)
{
  GPtrArray *outs = dp_harness_outputs (h, port);
  for (guint k = 0; k < outs->len; k++)
    {
      const DpTable *t = g_ptr_array_index (outs, k);
      for (guint r = 0; r < t->n_rows; r++)
        for (guint c = 0; c < t->n_cols; c++)
          {
            dp_table_format_cell (t, c, r, out);
            g_string_append_c (out, c + 1 < t->n_cols ? ',' : '\n');
          }
    }
}

DpEmbedding *
dp_test_embedding (guint n, guint dim, const guint32 *ips, const float *v)
{
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  for (guint i = 0; i < n; i++)
    dp_vocab_add (vocab, DP_TOKEN (DP_TOK_IP, ips ? ips[i] : DP_TEST_IP (10, 0, 0, 1) + i));
  DpEmbedding *e = dp_embedding_new (vocab, n, dim);
  if (n)
    memcpy (e->vectors, v, (gsize) n * dim * sizeof (float));
  return e;
}

DpEmbedding *
dp_test_circle (guint n, const double *deg)
{
  g_autofree float *v = g_new (float, 2 * (gsize) n + 1);
  for (guint i = 0; i < n; i++)
    {
      v[2 * i] = (float) cos (deg[i] * G_PI / 180);
      v[2 * i + 1] = (float) sin (deg[i] * G_PI / 180);
    }
  return dp_test_embedding (n, 2, NULL, v);
}

DpTable *
dp_test_clusters (guint n, const guint32 *ips, const gint64 *cluster)
{
  DpTable *t = dp_table_new ("clusters");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "cluster", DP_COL_INT64);
  for (guint i = 0; i < n; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, 0, r, ips[i]);
      dp_table_set_i64 (t, 1, r, cluster[i]);
    }
  return t;
}

DpTable *
dp_test_labels (guint n, const guint32 *ips, const char *const *labels)
{
  DpTable *t = dp_table_new ("labels");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "label", DP_COL_STRING);
  for (guint i = 0; i < n; i++)
    {
      if (labels[i] == NULL)
        continue;
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, 0, r, ips[i]);
      dp_table_set_str (t, 1, r, labels[i]);
    }
  return t;
}

double
dp_test_cosine (const float *a, const float *b, guint dim)
{
  double dot = 0, na = 0, nb = 0;
  for (guint k = 0; k < dim; k++)
    {
      dot += (double) a[k] * b[k];
      na += (double) a[k] * a[k];
      nb += (double) b[k] * b[k];
    }
  return dot / sqrt (na * nb);
}

guint
dp_test_add_probe (DpPackets *p, gint64 ts_ns, guint src, guint8 proto, guint16 dport)
{
  return dp_test_add_packet (p, ts_ns, DP_TEST_IP (10, 0, 0, src), DP_TEST_IP (192, 0, 2, 1), proto,
                             40000, dport, 0x02);
}

DpPackets *
dp_test_port_traffic (void)
{
  DpPackets *p = dp_packets_new (64);
  const struct { guint src; guint8 proto; guint16 port; guint n; } f[] = {
    { 1, 6, 23, 6 }, { 1, 6, 2323, 2 }, { 2, 6, 23, 4 }, { 3, 6, 80, 3 }, { 3, 6, 443, 2 },
    { 3, 6, 22, 1 }, { 4, 6, 445, 5 }, { 4, 1, 0, 1 } };
  guint t = 0;
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    for (guint k = 0; k < f[i].n; k++)
      dp_test_add_probe (p, DP_TEST_SEC (t++), f[i].src, f[i].proto, f[i].port);
  return p;
}

/* ------------------------------------------------------------------ */
/* word2vec files */

DpEmbedding *
dp_test_w2v_sample (void)
{
  g_autoptr (DpVocab) v = dp_vocab_new ();
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  dp_vocab_set_names (v, names);
  dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, DP_TEST_IP (10, 0, 0, 1)));
  dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, dp_name_map_intern (names, "src_ipaddr12")));
  dp_vocab_add (v, DP_TOKEN (DP_TOK_PORT, (6u << 16) | 23));
  dp_vocab_add (v, dp_vocab_word_key (v, "telnet"));
  DpEmbedding *e = dp_embedding_new (v, 4, 3);
  const float values[12] = { 0.5f, -1.0f, 0.25f, 1.0f / 3, -2.5e-7f, 123456.789f,
                             1e-30f, -0.0f, 3.0f, 0.1f, 0.2f, 0.3f };
  memcpy (e->vectors, values, sizeof values);
  return e;
}

char *
dp_test_w2v_write (DpEmbedding *e, const char *dir, const char *name, const char *format, gboolean gzip)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *yaml = g_strdup_printf ("path: %s\nformat: %s\ngzip: %s", path, format,
                                           gzip ? "true" : "false");
  g_autoptr (DpHarness) h = dp_test_run ("w2v", yaml, e, NULL);
  g_assert_cmpuint (dp_harness_counter (h, "vectors"), ==, e->n);
  return path;
}

DpEmbedding *
dp_test_w2v_read (const char *path, const char *extra, DpHarness **out_h)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *yaml = g_strdup_printf ("path: %s\n%s", path, extra ? extra : "");
  DpHarness *h = dp_test_harness ("w2v_file", yaml);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_no_error (error);
  DpEmbedding *e = dp_batch_ref (dp_harness_output (h, "embedding"));
  if (out_h)
    *out_h = h;
  else
    dp_harness_free (h);
  return e;
}

/* ------------------------------------------------------------------ */
/* captures */

DpHarness *
dp_test_run_pcap (const char *yaml, DpPackets **out)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_test_harness ("pcap", yaml);
  gboolean ok = dp_harness_run (h, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  dp_test_finish (h);
  *out = dp_harness_packets (h, "packets");
  g_assert_nonnull (*out);
  return h;
}

void
dp_test_assert_packets_equal (const DpPackets *a, const DpPackets *b)
{
  g_assert_cmpuint (a->n_rows, ==, b->n_rows);
  for (guint i = 0; i < a->n_rows; i++)
    {
      g_assert_cmpint (a->ts[i], ==, b->ts[i]);
      g_assert_cmphex (a->src[i], ==, b->src[i]);
      g_assert_cmphex (a->dst[i], ==, b->dst[i]);
      g_assert_cmpuint (a->sport[i], ==, b->sport[i]);
      g_assert_cmpuint (a->dport[i], ==, b->dport[i]);
      g_assert_cmpuint (a->proto[i], ==, b->proto[i]);
      g_assert_cmphex (a->tcp_flags[i], ==, b->tcp_flags[i]);
      g_assert_cmphex (a->tcp_seq[i], ==, b->tcp_seq[i]);
      g_assert_cmphex (a->ip_id[i], ==, b->ip_id[i]);
      g_assert_cmpuint (a->icmp_type[i], ==, b->icmp_type[i]);
      g_assert_cmpuint (a->icmp_code[i], ==, b->icmp_code[i]);
      g_assert_cmpuint (a->ttl[i], ==, b->ttl[i]);
      g_assert_cmpuint (a->ip_len[i], ==, b->ip_len[i]);
      g_assert_cmphex (a->frag[i], ==, b->frag[i]);
      g_assert_cmphex (a->l4[i], ==, b->l4[i]);
      g_assert_cmpuint (a->tcp_win[i], ==, b->tcp_win[i]);
      g_assert_cmpuint (a->tcp_optlen[i], ==, b->tcp_optlen[i]);
    }
}

const DpTestRealCase dp_test_real_cases[DP_TEST_N_REAL_CASES] = {
  { "esnet_masscan_tcp_0_1000_20190821.pcap", 1005, 1001, 4, 1005, 0, 0 },
  { "esnet_masscan_udp_0_1000_20190821.pcap", 1001, 0, 0, 0, 1001, 0 },
  { "sgr_nmap_icmp_sweep.pcap", 512, 0, 0, 0, 0, 512 },
  { "sgr_nmap_tcp_syn_sweep_port80.pcapng", 513, 511, 2, 513, 0, 0 },
  { "sgr_nmap_udp_sweep.pcap", 512, 0, 0, 0, 512, 0 },
};

DpPackets *
dp_test_read_real (const char *file)
{
  g_autofree char *rel = g_build_filename ("data/real/pcap", file, NULL);
  g_autofree char *path = dp_test_shared (rel);
  if (path == NULL)
    return NULL;
  g_autofree char *yaml = g_strdup_printf ("path: '%s'", path);
  DpPackets *p = NULL;
  g_autoptr (DpHarness) h = dp_test_run_pcap (yaml, &p);
  g_assert_cmpuint (dp_harness_counter (h, "short") + dp_harness_counter (h, "bad-header"), ==, 0);
  return p;
}

GPtrArray *
dp_test_tshark_rows (const char *path)
{
  const char *tshark = g_getenv ("TSHARK");
  if (tshark == NULL || tshark[0] == '\0')
    {
      g_test_skip ("TSHARK not set");
      return NULL;
    }
  static const char *const fields[] = {
    "frame.time_epoch", "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.id",
    "ip.len", "ip.frag_offset", "ip.flags.mf", "tcp.srcport", "tcp.dstport", "tcp.flags",
    "tcp.seq_raw", "udp.srcport", "udp.dstport", "icmp.type", "icmp.code", "ip.checksum.status",
    "tcp.window_size_value", "tcp.hdr_len" };
  G_STATIC_ASSERT (G_N_ELEMENTS (fields) == DP_T_N);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *head[] = { tshark, "-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "ip.defragment:FALSE",
                         "-T", "fields", "-E", "separator=|", "-E", "occurrence=f" };
  for (guint i = 0; i < G_N_ELEMENTS (head); i++)
    g_ptr_array_add (argv, (gpointer) head[i]);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_ptr_array_add (argv, (gpointer) "-e");
      g_ptr_array_add (argv, (gpointer) fields[i]);
    }
  g_ptr_array_add (argv, NULL);
  g_autofree char *out = NULL;
  int status = 0;
  GError *error = NULL;
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] && lines[i][0]; i++)
    {
      char **cols = g_strsplit (lines[i], "|", -1);
      g_assert_cmpuint (g_strv_length (cols), ==, DP_T_N);
      g_ptr_array_add (rows, cols);
    }
  return rows;
}

/* A tshark field: decimal, or hex after 0x (ip.id, tcp.flags); an empty
 * field (absent in this frame) is 0.  Anything else fails the test. */
static guint64
tshark_num (const char *s)
{
  if (s[0] == '\0')
    return 0;
  gboolean hex = g_str_has_prefix (s, "0x");
  guint64 v = 0;
  g_autoptr (GError) error = NULL;
  g_ascii_string_to_unsigned (hex ? s + 2 : s, hex ? 16 : 10, 0, G_MAXUINT64, &v, &error);
  g_assert_no_error (error);
  return v;
}

void
dp_test_assert_tshark_row (const DpPackets *p, guint i, char **t)
{
  guint32 src = 0, dst = 0;
  g_assert_true (dp_ipv4_parse (t[DP_T_SRC], &src));
  g_assert_true (dp_ipv4_parse (t[DP_T_DST], &dst));
  g_assert_cmpint (p->ts[i], ==, dp_test_epoch_ns (t[DP_T_TIME]));
  g_assert_cmphex (p->src[i], ==, src);
  g_assert_cmphex (p->dst[i], ==, dst);
  g_assert_cmpuint (p->proto[i], ==, tshark_num (t[DP_T_PROTO]));
  g_assert_cmpuint (p->ttl[i], ==, tshark_num (t[DP_T_TTL]));
  g_assert_cmpuint (p->ip_id[i], ==, tshark_num (t[DP_T_ID]));
  g_assert_cmpuint (p->ip_len[i], ==, tshark_num (t[DP_T_LEN]));
  g_assert_cmpuint (p->frag[i] & DP_FRAG_OFFSET_MASK, ==, tshark_num (t[DP_T_FRAG]));   /* 8-byte units in tshark 4 */
  g_assert_cmpuint (!!(p->frag[i] & DP_FRAG_MF), ==, tshark_num (t[DP_T_MF]));
  if (p->proto[i] == 6)
    {
      g_assert_cmpuint (p->sport[i], ==, tshark_num (t[DP_T_TSPORT]));
      g_assert_cmpuint (p->dport[i], ==, tshark_num (t[DP_T_TDPORT]));
      g_assert_cmpuint (p->tcp_flags[i], ==, tshark_num (t[DP_T_FLAGS]));
      g_assert_cmpuint (p->tcp_seq[i], ==, tshark_num (t[DP_T_SEQ]));
      g_assert_cmpuint (p->tcp_win[i], ==, tshark_num (t[DP_T_TWIN]));
      g_assert_cmpuint (p->tcp_optlen[i] + 20u, ==, tshark_num (t[DP_T_THDR]));
    }
  else if (p->proto[i] == 17)
    {
      g_assert_cmpuint (p->sport[i], ==, tshark_num (t[DP_T_USPORT]));
      g_assert_cmpuint (p->dport[i], ==, tshark_num (t[DP_T_UDPORT]));
    }
  else if (p->proto[i] == 1)
    {
      g_assert_cmpuint (p->icmp_type[i], ==, tshark_num (t[DP_T_ITYPE]));
      g_assert_cmpuint (p->icmp_code[i], ==, tshark_num (t[DP_T_ICODE]));
    }
}

void
dp_test_dir_setup (DpTestDir *f, gconstpointer data)
{
  f->dir = dp_test_tmpdir ();
}

void
dp_test_dir_teardown (DpTestDir *f, gconstpointer data)
{
  dp_test_rmtree (f->dir);
  g_free (f->dir);
}

/* ------------------------------------------------------------------ */
/* database sinks */

GPtrArray *
dp_test_csv_record (const char **p)
{
  GPtrArray *cells = g_ptr_array_new_with_free_func (g_free);
  GString *cell = g_string_new (NULL);
  const char *s = *p;
  for (;;)
    {
      if (*s == '"')
        {
          for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++)
            {
              if (s[0] == '"')
                s++;
              g_string_append_c (cell, *s);
            }
          s++;
        }
      else
        while (*s && *s != ',' && *s != '\n')
          g_string_append_c (cell, *s++);
      g_ptr_array_add (cells, g_strdup (cell->str));
      g_string_truncate (cell, 0);
      if (*s != ',')
        break;
      s++;
    }
  if (*s == '\n')
    s++;
  *p = s;
  g_string_free (cell, TRUE);
  return cells;
}

DpHarness *
dp_test_taxonomy_day (const char *day)
{
  g_autoptr (DpPackets) p = dp_test_taxonomy_day_packets (day);
  GError *error = NULL;
  DpHarness *tax = dp_harness_new ("taxonomy", NULL, &error);
  g_assert_no_error (error);
  dp_test_push (tax, 0, p);
  dp_test_finish (tax);
  return tax;
}

DpPackets *
dp_test_taxonomy_day_packets (const char *day)
{
  g_autofree char *iso = g_strdup_printf ("%sT10:05:00Z", day);
  g_autoptr (GDateTime) at = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (at);
  gint64 base = g_date_time_to_unix (at) * G_GINT64_CONSTANT (1000000000);
  g_autoptr (DpPackets) p = dp_packets_new (1024);
  for (guint i = 0; i < 300; i++)
    dp_test_add_probe (p, base + (gint64) i * 1000000, 1, 6, (guint16) (1000 + i % 60));
  dp_test_add_probe (p, base + 5 * 60 * G_GINT64_CONSTANT (1000000000), 3, 6, 23);
  for (guint i = 0; i < 300; i++)
    dp_test_add_probe (p, base + 3600 * G_GINT64_CONSTANT (1000000000) + (gint64) i * 1000000, 2, 6,
                       (guint16) (2000 + i % 60));
  dp_test_add_probe (p, base + 65 * 60 * G_GINT64_CONSTANT (1000000000), 3, 6, 23);
  return g_steal_pointer (&p);
}

GPtrArray *
dp_test_doc_blocks (const char *lang, const char *from, const char *to)
{
  g_autofree char *doc_path = g_build_filename (g_getenv ("DP_TOP_SRCDIR") ? g_getenv ("DP_TOP_SRCDIR") : "..",
                                                "docs", "databases.md", NULL);
  g_autofree char *doc = dp_test_read_file (doc_path, NULL);
  g_autofree char *fence = g_strdup_printf ("\n```%s\n", lang);
  GPtrArray *blocks = g_ptr_array_new_with_free_func (g_free);
  const char *p = doc;
  while ((p = strstr (p, fence)) != NULL)
    {
      p += strlen (fence);
      const char *end = strstr (p, "\n```");
      g_assert_nonnull (end);
      g_autofree char *q = g_strndup (p, (gsize) (end - p));
      g_auto (GStrv) parts = g_strsplit (q, from, -1);
      g_ptr_array_add (blocks, g_strjoinv (to, parts));
      p = end;
    }
  return blocks;
}

/* Every column type, with INT64 extremes, NaN, infinities, a pseudonym,
 * NULL, quotes and non-ASCII strings, and times in s and ns (before the
 * epoch, with nanoseconds). */
DpTable *
dp_test_mixed_table (void)
{
  static const gint64 n[] = { 1, -7, G_MAXINT64, G_MININT64, 0 };
  static const double x[] = { 0.5, NAN, 1e22, -0.25, -INFINITY };
  static const char *const s[] = { "plain", "a,b", "say \"hi\"\nbye\ttab\\", NULL, "é ∑ 日本" };
  static const gint64 ws[] = { 1765015200, 0, -1, 4102444800, 1 };
  static const gint64 ns[] = { G_GINT64_CONSTANT (1765015200123456789), -1, 0, 999,
                               G_GINT64_CONSTANT (-1000000000000001) };
  guint32 ip[] = { 0x0a000001u, 0, 0xc0000201u, 0, 0xffffffffu };
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  ip[1] = dp_name_map_intern (names, "src_ipaddr12");
  DpTable *t = dp_table_new ("mixed");
  dp_table_set_names (t, names);
  dp_table_add_column (t, "n", DP_COL_INT64);
  dp_table_add_column (t, "x", DP_COL_DOUBLE);
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "s,note", DP_COL_STRING);
  dp_table_add_column (t, "window_start", DP_COL_INT64);
  dp_table_add_column (t, "first_ns", DP_COL_INT64);
  for (guint r = 0; r < G_N_ELEMENTS (n); r++)
    {
      dp_table_append_row (t);
      dp_table_set_i64 (t, 0, r, n[r]);
      dp_table_set_f64 (t, 1, r, x[r]);
      dp_table_set_ip (t, 2, r, ip[r]);
      dp_table_set_str (t, 3, r, s[r]);
      dp_table_set_i64 (t, 4, r, ws[r]);
      dp_table_set_i64 (t, 5, r, ns[r]);
    }
  return t;
}
