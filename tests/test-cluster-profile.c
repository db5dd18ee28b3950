/* test-cluster-profile.c — the cluster_profile plugin on
 * dp_test_port_traffic: per-cluster counts and top ports by hand, clusters
 * without traffic, no input, errors. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "dp-test.h"

#define IP(i) DP_TEST_IP (10, 0, 0, (i))

static void
test_cluster_profile_hand (void)
{
  g_autoptr (DpPackets) p = dp_test_port_traffic ();
  const guint32 ips[] = { IP (1), IP (2), IP (3), IP (5) };
  const gint64 cl[] = { 4, 4, -1, -1 };
  g_autoptr (DpTable) c = dp_test_clusters (4, ips, cl);
  g_autoptr (DpHarness) h = dp_test_run ("cluster_profile", NULL, c, p);
  DpTable *t = dp_harness_output (h, "profile");
  g_assert_cmpuint (t->n_rows, ==, 2);
  /* cluster -1: 10.0.0.3 (and the silent 10.0.0.5) */
  const gint64 want[2][6] = { { -1, 2, 1, 6, 3, 1 }, { 4, 2, 2, 12, 2, 1 } };
  for (guint r = 0; r < 2; r++)
    for (guint k = 0; k < 6; k++)
      g_assert_cmpint (t->cols[k].i64[r], ==, want[r][k]);
  g_autofree char *top0 = dp_test_cell (t, 6, 0), *top1 = dp_test_cell (t, 6, 1);
  g_assert_cmpstr (top0, ==, "80/tcp:0.5;443/tcp:0.33;22/tcp:0.17");
  g_assert_cmpstr (top1, ==, "23/tcp:0.83;2323/tcp:0.17");
  g_autoptr (DpHarness) h2 = dp_test_run ("cluster_profile", "top_ports: 1", c, p);
  g_autofree char *one = dp_test_cell (dp_harness_output (h2, "profile"), 6, 1);
  g_assert_cmpstr (one, ==, "23/tcp:0.83");
}

static void
test_cluster_profile_edges (void)
{
  g_autoptr (DpHarness) h = dp_test_run ("cluster_profile", NULL, NULL, NULL);
  g_assert_cmpuint (((DpTable *) dp_harness_output (h, "profile"))->n_rows, ==, 0);
  /* clusters without any traffic */
  const guint32 ips[] = { IP (7) };
  const gint64 cl[] = { 0 };
  g_autoptr (DpTable) c = dp_test_clusters (1, ips, cl);
  g_autoptr (DpPackets) p = dp_test_port_traffic ();
  g_autoptr (DpHarness) h2 = dp_test_run ("cluster_profile", NULL, c, p);
  DpTable *t = dp_harness_output (h2, "profile");
  g_assert_cmpint (t->cols[2].i64[0], ==, 0);
  g_autofree char *top = dp_test_cell (t, 6, 0);
  g_assert_cmpstr (top, ==, "");
  dp_test_wrong_columns ("cluster_profile", 0, NULL, 0);
  const char *yaml[] = { "top_ports: -3", "top: 2" };
  const gint codes[] = { DP_CONFIG_ERROR_TYPE, DP_CONFIG_ERROR_UNKNOWN_KEY };
  for (guint i = 0; i < G_N_ELEMENTS (yaml); i++)
    dp_test_bad_option ("cluster_profile", yaml[i], codes[i]);
}

/* The side inputs' errors: a carried column the clusters table lacks, a
 * table on `taxonomy` that is not taxonomy.sources, an enriched table
 * without asn or country; carry naming a profile column or one twice. */
static void
test_cluster_profile_side_errors (void)
{
  const guint32 ips[] = { IP (1), IP (2) };
  const gint64 cl[] = { 4, 4 };
  g_autoptr (DpTable) c = dp_test_clusters (2, ips, cl);
  g_autoptr (DpPackets) p = dp_test_port_traffic ();
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new ("cluster_profile", "carry: [day]", &error);
  g_assert_no_error (error);
  dp_test_push (h, 0, c);
  dp_test_push (h, 1, p);
  g_assert_false (dp_harness_finish (h, &error));
  g_assert_nonnull (strstr (error->message, "no column 'day'"));
  g_clear_error (&error);
  /* a table with src and probes but no pattern layout (probes before packets) */
  g_autoptr (DpTable) bad = dp_table_new ("sources");
  dp_table_add_column (bad, "src", DP_COL_IPV4);
  dp_table_add_column (bad, "probes", DP_COL_INT64);
  dp_table_add_column (bad, "packets", DP_COL_INT64);
  g_autoptr (DpHarness) h2 = dp_harness_new ("cluster_profile", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_push (h2, 2, bad, &error));
  g_assert_nonnull (strstr (error->message, "not a taxonomy.sources table"));
  g_clear_error (&error);
  g_autoptr (DpTable) who = dp_table_new ("sources");
  dp_table_add_column (who, "src", DP_COL_IPV4);
  dp_table_add_column (who, "packets", DP_COL_INT64);
  g_autoptr (DpHarness) h3 = dp_harness_new ("cluster_profile", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_push (h3, 3, who, &error));
  g_assert_nonnull (strstr (error->message, "asn or a text country"));
  g_clear_error (&error);
  dp_test_bad_option ("cluster_profile", "carry: [members]", DP_CONFIG_ERROR_RANGE);
  dp_test_bad_option ("cluster_profile", "carry: [day, day]", DP_CONFIG_ERROR_RANGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/cluster_profile/hand", test_cluster_profile_hand);
  g_test_add_func ("/plugin/cluster_profile/edges", test_cluster_profile_edges);
  g_test_add_func ("/plugin/cluster_profile/side-errors", test_cluster_profile_side_errors);
  return g_test_run ();
}
