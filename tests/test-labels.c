/* test-labels.c — the labels source: CSV and list formats, gzip, comments,
 * bad lines with line numbers, relabelling, min_class_size, pseudonyms. */
#include "config.h"

#include <string.h>
#include "dp-test.h"
#include "eval.h"

static char *tmpdir;

static char *
write_text (const char *name, const char *text, gboolean gzip)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  GError *error = NULL;
  DpOutFile *f = dp_outfile_open (path, gzip, &error);
  g_assert_no_error (error);
  dp_outfile_puts (f, text);
  g_assert_true (dp_outfile_commit (f, &error));
  g_assert_no_error (error);
  return path;
}

/* Runs labels with @yaml_extra on a file holding @text; returns the harness. */
static DpHarness *
run_labels (const char *text, gboolean gzip, const char *yaml_extra, DpTable **out)
{
  g_autofree char *path = write_text (gzip ? "l.csv.gz" : "l.txt", text, gzip);
  g_autofree char *yaml = g_strdup_printf ("path: %s\n%s", path, yaml_extra ? yaml_extra : "");
  GError *error = NULL;
  DpHarness *h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  gboolean ok = dp_harness_run (h, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  ok = dp_harness_finish (h, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  *out = dp_harness_output (h, "labels");
  g_assert_nonnull (*out);
  g_assert_cmpstr ((*out)->name, ==, "labels");
  return h;
}

/* "ip=label" per row, joined with spaces. */
static char *
table_text (const DpTable *t)
{
  GString *s = g_string_new (NULL);
  gint ci = dp_table_find_column (t, "ip"), cl = dp_table_find_column (t, "label");
  g_assert_cmpint (ci, ==, 0);
  g_assert_cmpint (cl, ==, 1);
  g_assert_cmpint (t->cols[ci].type, ==, DP_COL_IPV4);
  g_assert_cmpint (t->cols[cl].type, ==, DP_COL_STRING);
  for (guint r = 0; r < t->n_rows; r++)
    {
      if (r)
        g_string_append_c (s, ' ');
      dp_table_format_cell (t, ci, r, s);
      g_string_append_c (s, '=');
      dp_table_format_cell (t, cl, r, s);
    }
  return g_string_free (s, FALSE);
}

static void
test_csv_header (void)
{
  DpTable *t;
  g_autoptr (DpHarness) h = run_labels ("\xef\xbb\xbfip,label\n1.2.3.4,mirai\n5.6.7.8,censys\n\n9.9.9.9,mirai\n",
                                        FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "1.2.3.4=mirai 5.6.7.8=censys 9.9.9.9=mirai");
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 0);
}

static void
test_csv_class_columns (void)
{
  DpTable *t;
  /* any column order, extra columns ignored, quotes stripped, CRLF */
  g_autoptr (DpHarness) h = run_labels ("\"class\",pattern,IP\r\nshodan,x,10.0.0.1\r\n\"censys\",y,\"10.0.0.2\"\r\n",
                                        FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "10.0.0.1=shodan 10.0.0.2=censys");
}

static void
test_csv_no_header (void)
{
  DpTable *t;
  g_autoptr (DpHarness) h = run_labels ("1.1.1.1,a\n2.2.2.2,b\n", FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "1.1.1.1=a 2.2.2.2=b");
}

static void
test_csv_gzip (void)
{
  DpTable *t;
  g_autoptr (DpHarness) h = run_labels ("ip,class\n# comment\n3.3.3.3,ipip\n4.4.4.4,engin-umich\n", TRUE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "3.3.3.3=ipip 4.4.4.4=engin-umich");
}

static void
test_csv_bad_lines (void)
{
  DpTable *t;
  const char *text = "ip,label\n1.2.3.4,a\n1.2.3.999,b\n5.5.5.5\n6.6.6.6,\n\x01\xff\xfe,zz\n7.7.7.7,c\n";
  g_autoptr (DpHarness) h = run_labels (text, FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "1.2.3.4=a 7.7.7.7=c");
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 4);
}

static void
test_bad_line_fail (void)
{
  g_autofree char *path = write_text ("bad.csv", "ip,label\n1.2.3.4,a\n\n1.2.3.999,b\n", FALSE);
  g_autofree char *yaml = g_strdup_printf ("path: %s\non_error: fail", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "bad.csv: line 4"));
  g_error_free (error);
}

static void
test_header_without_label (void)
{
  g_autofree char *path = write_text ("nolabel.csv", "ip,foo\n1.2.3.4,a\n", FALSE);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_error_free (error);
}

/* a header naming neither ip nor label columns is not read as a token row
 * (issue #21 item 13); a headerless file of pseudonyms still reads */
static void
test_header_without_ip (void)
{
  g_autofree char *path = write_text ("noip.csv", "addr,tag\n1.2.3.4,a\n5.6.7.8,b\n", FALSE);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "noip.csv: line 1: header 'addr,tag' has no ip column"));
  g_error_free (error);

  DpTable *t;
  g_autoptr (DpHarness) h2 = run_labels ("src_ipaddr12,mirai\n1.2.3.4,censys\n", FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "src_ipaddr12=mirai 1.2.3.4=censys");
  DpTable *t3;
  g_autoptr (DpHarness) h3 = run_labels ("alpha,mirai\nbeta,censys\n", FALSE, NULL, &t3);
  g_autofree char *s3 = table_text (t3);
  g_assert_cmpstr (s3, ==, "alpha=mirai beta=censys");
}

static void
test_list_format (void)
{
  DpTable *t;
  const char *text =
    "# Copyright line\n"
    "#   198.51.100.1 # commented out\n"
    "\n"
    "129.82.138.12 # pinger1a.netsec.colostate.edu\n"
    "  45.33.2.193   #  binaryedge.ninja\t\n"
    "178.79.181.200\n"
    "2400:6180:0:d0::1008:2001 # v6\n"
    "5.63.151.0/24 # a range\n"
    "/w00tw00t.at.ISC.SANS.DFind:)\n"
    "1.2.3.4 5.6.7.8 # two\n"
    "129.82.138.12 # again\n"
    "45.33.2.193 # binaryedge.ninja\n";
  g_autoptr (DpHarness) h = run_labels (text, FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "129.82.138.12=pinger1a.netsec.colostate.edu 45.33.2.193=binaryedge.ninja "
                          "178.79.181.200=unknown 2400:6180:0:d0::1008:2001=v6 5.63.151.0=a range");
  g_assert_cmpuint (dp_harness_counter (h, "cidr"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "ranges"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 2);
  g_assert_cmpuint (dp_harness_counter (h, "conflict"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "duplicate"), ==, 1);
}

static void
test_list_suffix_default (void)
{
  DpTable *t;
  const char *text = "1.1.1.1 # scan-12b.shadowserver.org\n2.2.2.2 # censys.io\n3.3.3.3\n4.4.4.4 # 45.33.2.193\n";
  g_autoptr (DpHarness) h = run_labels (text, FALSE, "label_suffix_parts: 2\ndefault_label: mass-scanner\nformat: list", &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "1.1.1.1=shadowserver.org 2.2.2.2=censys.io 3.3.3.3=mass-scanner 4.4.4.4=45.33.2.193");
}

static void
test_relabel_and_min_class (void)
{
  DpTable *t;
  g_autofree char *map = write_text ("map.csv", "from,to\n# c\nnetscout,unknown\nbad line\nrapid7,r7\n", FALSE);
  g_autofree char *extra = g_strdup_printf ("relabel: [quadmetrics=unknown, r7=rapid]\nrelabel_file: %s\n"
                                            "min_class_size: 2", map);
  const char *text = "ip,label\n1.0.0.1,netscout\n1.0.0.2,quadmetrics\n1.0.0.3,mirai\n1.0.0.4,mirai\n"
                     "1.0.0.5,shodan\n1.0.0.6,rapid7\n1.0.0.7,rapid7\n1.0.0.8,unknown\n";
  g_autoptr (DpHarness) h = run_labels (text, FALSE, extra, &t);
  g_autofree char *s = table_text (t);
  /* the file maps rapid7 -> r7 (renames are not chained); shodan is alone: merged */
  g_assert_cmpstr (s, ==, "1.0.0.1=unknown 1.0.0.2=unknown 1.0.0.3=mirai 1.0.0.4=mirai "
                          "1.0.0.5=unknown 1.0.0.6=r7 1.0.0.7=r7 1.0.0.8=unknown");
  g_assert_cmpuint (dp_harness_counter (h, "merged-to-unknown"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 1);
}

static void
test_pseudonyms (void)
{
  DpTable *t;
  g_autoptr (DpHarness) h = run_labels ("ip,label\nsrc_ipaddr12,mirai\n1.2.3.4,censys\nsrc_ipaddr7,censys\n",
                                        FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "src_ipaddr12=mirai 1.2.3.4=censys src_ipaddr7=censys");
  g_assert_nonnull (t->names);
  g_assert_cmpuint (dp_name_map_size (t->names), ==, 2);
  g_assert_cmpstr (dp_name_map_lookup (t->names, t->cols[0].ip[0]), ==, "src_ipaddr12");
  g_assert_null (dp_name_map_lookup (t->names, t->cols[0].ip[1]));
}

static void
test_empty_and_garbage (void)
{
  DpTable *t;
  g_autoptr (DpHarness) h = run_labels ("", FALSE, NULL, &t);
  g_assert_cmpuint (t->n_rows, ==, 0);
  g_assert_cmpuint (t->n_cols, ==, 2);
  GString *junk = g_string_new (NULL);
  GRand *r = g_rand_new_with_seed (3);
  for (guint i = 0; i < 4000; i++)
    g_string_append_c (junk, (char) (g_rand_int_range (r, 1, 256)));
  g_rand_free (r);
  DpTable *t2;
  g_autoptr (DpHarness) h2 = run_labels (junk->str, FALSE, "format: list", &t2);
  g_assert_cmpuint (t2->n_rows, ==, 0);
  g_assert_cmpuint (dp_harness_counter (h2, "bad-line"), >, 0);
  g_string_free (junk, TRUE);
}

static void
test_bad_options (void)
{
  struct { const char *yaml; gint code; } cases[] = {
    { "format: csv", DP_CONFIG_ERROR_REQUIRED },
    { "path: x\nformat: xml", DP_CONFIG_ERROR_CHOICE },
    { "path: x\nmin_class_size: -1", DP_CONFIG_ERROR_TYPE },
    { "path: x\nlabel_suffix_parts: 99", DP_CONFIG_ERROR_RANGE },
    { "path: x\nrelabel: [a-b]", DP_CONFIG_ERROR_TYPE },
    { "path: x\nlabel_column: 3", DP_CONFIG_ERROR_UNKNOWN_KEY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    dp_test_bad_option ("labels", cases[i].yaml, cases[i].code);
}

static void
test_missing_file (void)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", "path: /nonexistent/labels.csv", &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/labels.csv"));
  g_error_free (error);
}

/* The real Maltrail list (19,215 addresses, some IPv6, a few bad lines). */
static void
test_maltrail (void)
{
  g_autofree char *path = dp_test_shared ("data/real/labels/maltrail_mass_scanner.txt");
  if (path == NULL)
    return;
  g_autofree char *yaml = g_strdup_printf ("path: %s\nlabel_suffix_parts: 2\nmin_class_size: 100", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h, &error));
  DpTable *t = dp_harness_output (h, "labels");
  g_assert_nonnull (t);
  /* expected numbers from an independent pass over the file (awk for IPv4,
   * Python's ipaddress for IPv6): 16854 distinct IPv4 lines and 1981
   * distinct IPv6 addresses (1983 lines), first label kept, cut to two
   * host-name parts */
  g_assert_cmpuint (t->n_rows, ==, 16854 + 1981);
  /* two '/w00tw00t…' lines and three 'C91.196.…' typos */
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 5);
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint r = 0; r < t->n_rows; r++)
    {
      const char *l = t->cols[1].str[r];
      g_hash_table_insert (count, (gpointer) l, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (count, l)) + 1));
      if (t->cols[0].ip[r] == DP_TEST_IP (129, 82, 138, 12))
        g_assert_cmpstr (l, ==, "unknown");  /* colostate.edu has < 100 members */
    }
  /* 4633 IPv4 and 1981 IPv6 addresses (the Python pass above) */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (count, "binaryedge.ninja")), ==, 4633 + 1981);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (count, "censys.io")), ==, 2542);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (count, "stretchoid.com")), ==, 3016);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (count, "colostate.edu")), ==, 0);
}


static guint
count_label (const DpTable *t, const char *label)
{
  guint n = 0;
  for (guint r = 0; r < t->n_rows; r++)
    n += strcmp (t->cols[1].str[r], label) == 0;
  return n;
}

/* The public DarkVec ground truths (counts from SOURCE.txt and awk). */
static void
test_darkvec_ground_truth (void)
{
  g_autofree char *gt = dp_test_shared ("data/darkvec/ground_truth.csv.gz");
  if (gt == NULL)
    return;
  g_autofree char *big = dp_test_shared ("data/darkvec/big_gt.csv");
  g_autofree char *yaml = g_strdup_printf ("path: %s", gt);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h, &error));
  DpTable *t = dp_harness_output (h, "labels");
  g_assert_cmpuint (t->n_rows, ==, 22980);
  g_assert_cmpuint (count_label (t, "mirai"), ==, 20934);
  g_assert_cmpuint (count_label (t, "censys"), ==, 355);
  g_assert_cmpuint (count_label (t, "stretchoid"), ==, 16);
  g_assert_null (t->names);
  /* ip,class with repeated addresses (and one with a trailing blank) */
  g_autofree char *yaml2 = g_strdup_printf ("path: %s", big);
  g_autoptr (DpHarness) h2 = dp_harness_new ("labels", yaml2, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h2, &error));
  DpTable *t2 = dp_harness_output (h2, "labels");
  g_assert_cmpuint (t2->n_rows, ==, 9125);
  g_assert_cmpuint (dp_harness_counter (h2, "duplicate"), ==, 1039);
  g_assert_cmpuint (dp_harness_counter (h2, "conflict"), ==, 0);
  g_assert_cmpuint (count_label (t2, "censys"), ==, 1840);
  g_assert_cmpuint (dp_harness_counter (h2, "bad-line"), ==, 0);
}

/* A gzip file cut short: the read error names the file. */
static void
test_truncated_gzip (void)
{
  GString *text = g_string_new ("ip,label\n");
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "10.%u.%u.%u,class%u\n", i >> 16, (i >> 8) & 255, i & 255, i % 7);
  g_autofree char *path = write_text ("cut.csv.gz", text->str, TRUE);
  g_string_free (text, TRUE);
  gchar *bytes;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (path, bytes, (gssize) (len / 2), NULL));
  g_free (bytes);
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_run (h, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "cut.csv.gz"));
  g_error_free (error);
  /* the line cut in the middle, if any, was counted as bad */
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), <=, 1);
}

/* ------------------------------------------------------------------ */
/* CIDR ranges: a prefix trie, the longest match wins, exact entries first */

/* The label the evaluation joins give @addr (dp-eval's index), or NULL. */
static const char *
join_label (const EvalIndex *ix, const DpTable *t, guint32 addr)
{
  gint64 r = eval_index_addr (ix, addr, NULL);
  return r < 0 ? NULL : t->cols[1].str[r];
}

static void
test_ranges (void)
{
  DpTable *t;
  const char *text =
    "10.0.0.0/8 # big\n"
    "10.1.0.0/16 # mid\n"
    "10.1.2.3 # exact\n"
    "10.1.2.0/24 # mid\n"          /* same label as its /16: no nested conflict */
    "10.1.0.0/16 # other\n"        /* the same range again: conflict, first kept */
    "10.0.0.0/8 # big\n"           /* duplicate */
    "10.9.9.9/8 # big\n"           /* host bits set: the same /8, a duplicate */
    "10.1.2.4/32 # exact32\n"      /* a /32 is an address */
    "10.1.2.4 # exact32\n"         /* duplicate of it */
    "10.200.0.0/16 # inner\n"      /* inside big with another label */
    "192.0.2.0/33 # bad\n"
    "192.0.2.0/ # bad\n"
    "192.0.2.0/024 # bad\n"
    "192.0.2.0/2x # bad\n"
    "2001:db8::/32 # v6\n"
    "0.0.0.0/0 # internet\n";
  g_autoptr (DpHarness) h = run_labels (text, FALSE, NULL, &t);
  g_assert_cmpuint (t->n_cols, ==, 3);
  gint cp = dp_table_find_column (t, "prefix");
  g_assert_cmpint (cp, ==, 2);
  g_assert_cmpint (t->cols[cp].type, ==, DP_COL_INT64);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "10.0.0.0=big 10.1.0.0=mid 10.1.2.3=exact 10.1.2.0=mid 10.1.2.4=exact32 "
                          "10.200.0.0=inner 2001:db8::/32=v6 0.0.0.0=internet");
  static const gint64 prefixes[] = { 8, 16, 32, 24, 32, 16, 32, 0 };
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    g_assert_cmpint (t->cols[cp].i64[i], ==, prefixes[i]);
  g_assert_cmpuint (dp_harness_counter (h, "cidr"), ==, 10);
  g_assert_cmpuint (dp_harness_counter (h, "ranges"), ==, 5);
  g_assert_cmpuint (dp_harness_counter (h, "cidr-host-bits"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "conflict"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "duplicate"), ==, 3);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 4);
  /* exact in mid, exact32 in mid, inner in big, mid in internet, big in internet,
   * inner's /16 also in internet: each nested entry counted once (its nearest range) */
  g_assert_cmpuint (dp_harness_counter (h, "nested-conflict"), ==, 5);

  EvalIndex ix;
  g_assert_true (eval_index_init (&ix, t));
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 1, 2, 3)), ==, "exact");    /* exact beats ranges */
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 1, 2, 4)), ==, "exact32");
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 1, 2, 99)), ==, "mid");     /* the /24 */
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 1, 77, 1)), ==, "mid");     /* the /16, first label */
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 200, 3, 3)), ==, "inner");
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 201, 3, 3)), ==, "big");
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (10, 0, 0, 0)), ==, "big");      /* the network address too */
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (11, 0, 0, 1)), ==, "internet");
  eval_index_clear (&ix);

  /* without the /0, addresses outside every range have no label */
  DpTable *t2;
  g_autoptr (DpHarness) h2 = run_labels ("10.0.0.0/8 # big\n10.1.2.3 # exact\n", FALSE, NULL, &t2);
  g_assert_true (eval_index_init (&ix, t2));
  g_assert_null (join_label (&ix, t2, DP_TEST_IP (11, 0, 0, 1)));
  g_assert_null (join_label (&ix, t2, DP_TEST_IP (9, 255, 255, 255)));
  g_assert_cmpstr (join_label (&ix, t2, DP_TEST_IP (10, 255, 255, 255)), ==, "big");
  g_assert_cmpstr (join_label (&ix, t2, DP_TEST_IP (10, 1, 2, 3)), ==, "exact");
  eval_index_clear (&ix);

  /* CSV files take ranges too; a file of addresses keeps two columns */
  DpTable *t3;
  g_autoptr (DpHarness) h3 = run_labels ("ip,label\n192.0.2.0/25,a\n192.0.2.128/25,b\n", FALSE, NULL, &t3);
  g_autofree char *s3 = table_text (t3);
  g_assert_cmpstr (s3, ==, "192.0.2.0=a 192.0.2.128=b");
  g_assert_cmpint (dp_table_find_column (t3, "prefix"), ==, 2);
  DpTable *t4;
  g_autoptr (DpHarness) h4 = run_labels ("ip,label\n192.0.2.1,a\n", FALSE, NULL, &t4);
  g_assert_cmpuint (t4->n_cols, ==, 2);
}

/* IPv6 addresses and ranges join addresses of another input's name map:
 * the address's own entry first, then the longest range. */
static void
test_ipv6 (void)
{
  DpTable *t;
  const char *text =
    "2001:db8::/32 # big6\n"
    "2001:db8:1::/48 # mid6\n"
    "2001:db8:1::5 # exact6\n"
    "2001:DB8:1:0:0:0:0:5 # the same address\n"
    "2001:db8:1::7/48 # host bits\n"
    "2001:db8::/129 # bad\n"
    "10.0.0.0/8 # four\n";
  g_autoptr (DpHarness) h = run_labels (text, FALSE, NULL, &t);
  g_autofree char *s = table_text (t);
  g_assert_cmpstr (s, ==, "2001:db8::/32=big6 2001:db8:1::/48=mid6 2001:db8:1::5=exact6 10.0.0.0=four");
  g_assert_cmpuint (dp_harness_counter (h, "duplicate"), ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "conflict"), ==, 2);
  g_assert_cmpuint (dp_harness_counter (h, "cidr-host-bits"), ==, 1);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 1);
  gint cp = dp_table_find_column (t, "prefix");
  g_assert_cmpint (t->cols[cp].i64[0], ==, 32);
  g_assert_cmpint (t->cols[cp].i64[2], ==, 128);

  g_autoptr (DpNameMap) m = dp_name_map_new ();
  EvalIndex ix;
  g_assert_true (eval_index_init (&ix, t));
  static const struct { const char *addr, *label; } q[] = {
    { "2001:db8:1::5", "exact6" }, { "2001:db8:1::6", "mid6" }, { "2001:db8:1:ffff::1", "mid6" },
    { "2001:db8:2::1", "big6" }, { "2001:db9::1", NULL }, { "::", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (q); i++)
    {
      gint64 r = eval_index_addr (&ix, dp_name_map_intern (m, q[i].addr), m);
      g_test_message ("%s", q[i].addr);
      g_assert_cmpstr (r < 0 ? NULL : t->cols[1].str[r], ==, q[i].label);
    }
  g_assert_cmpint (eval_index_addr (&ix, DP_TEST_IP (10, 9, 9, 9), m), ==, 3);
  eval_index_clear (&ix);
}

/* Maltrail's mass_scanner_cidr.txt: 1,096 entries written as ranges (three
 * of them /32) and 10 addresses, no bad line; entries inside ranges of
 * other labels (27) are counted and the longest prefix wins */
static void
test_maltrail_cidr (void)
{
  g_autofree char *path = dp_test_shared ("data/real/labels/maltrail_mass_scanner_cidr.txt");
  if (path == NULL)
    return;
  g_autofree char *yaml = g_strdup_printf ("path: %s", path);
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("labels", yaml, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_run (h, &error));
  g_assert_no_error (error);
  const DpTable *t = dp_harness_output (h, "labels");
  g_assert_cmpuint (dp_harness_counter (h, "cidr"), ==, 1096);
  /* four ranges are listed twice with different labels (checked with awk) */
  g_assert_cmpuint (dp_harness_counter (h, "conflict"), ==, 4);
  g_assert_cmpuint (dp_harness_counter (h, "duplicate"), ==, 0);
  g_assert_cmpuint (dp_harness_counter (h, "ranges"), ==, 1093 - 4);
  g_assert_cmpuint (dp_harness_counter (h, "bad-line"), ==, 0);
  g_assert_cmpuint (t->n_rows, ==, 1106 - 4);
  g_assert_cmpuint (dp_harness_counter (h, "nested-conflict"), >=, 1);
  EvalIndex ix;
  g_assert_true (eval_index_init (&ix, t));
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (5, 63, 151, 77)), ==, "scanners.labs.rapid7.com");
  /* 104.248.204.195 (driftnet.io) lies in 104.248.204.0/24 (binaryedge.ninja) */
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (104, 248, 204, 195)), ==, "driftnet.io");
  g_assert_cmpstr (join_label (&ix, t, DP_TEST_IP (104, 248, 204, 7)), ==, "binaryedge.ninja");
  g_assert_null (join_label (&ix, t, DP_TEST_IP (192, 0, 2, 1)));
  eval_index_clear (&ix);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/labels/ipv6", test_ipv6);
  tmpdir = dp_test_tmpdir ();
  g_test_add_func ("/plugin/labels/csv-header", test_csv_header);
  g_test_add_func ("/plugin/labels/csv-class-columns", test_csv_class_columns);
  g_test_add_func ("/plugin/labels/csv-no-header", test_csv_no_header);
  g_test_add_func ("/plugin/labels/csv-gzip", test_csv_gzip);
  g_test_add_func ("/plugin/labels/csv-bad-lines", test_csv_bad_lines);
  g_test_add_func ("/plugin/labels/bad-line-fail", test_bad_line_fail);
  g_test_add_func ("/plugin/labels/header-without-label", test_header_without_label);
  g_test_add_func ("/plugin/labels/header-without-ip", test_header_without_ip);
  g_test_add_func ("/plugin/labels/list-format", test_list_format);
  g_test_add_func ("/plugin/labels/ranges", test_ranges);
  g_test_add_func ("/plugin/labels/maltrail-cidr", test_maltrail_cidr);
  g_test_add_func ("/plugin/labels/list-suffix-default", test_list_suffix_default);
  g_test_add_func ("/plugin/labels/relabel-min-class", test_relabel_and_min_class);
  g_test_add_func ("/plugin/labels/pseudonyms", test_pseudonyms);
  g_test_add_func ("/plugin/labels/empty-garbage", test_empty_and_garbage);
  g_test_add_func ("/plugin/labels/bad-options", test_bad_options);
  g_test_add_func ("/plugin/labels/missing-file", test_missing_file);
  g_test_add_func ("/plugin/labels/maltrail", test_maltrail);
  g_test_add_func ("/plugin/labels/darkvec-ground-truth", test_darkvec_ground_truth);
  g_test_add_func ("/plugin/labels/truncated-gzip", test_truncated_gzip);
  int rc = g_test_run ();
  dp_test_rmtree (tmpdir);
  g_free (tmpdir);
  return rc;
}
