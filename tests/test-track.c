/* test-track.c — the track stage: MONIC transitions between the clusters
 * of consecutive days, planted day by day (synth_telescope cannot make
 * campaigns start, merge, split and stop on given days, so the day's
 * cluster tables are built here), one harness per day through the state
 * file, as one run a day would. */
#include "config.h"

#include <string.h>
#include "dp-test.h"

/* A planted cluster: a name, the /24 its members come from, the first
 * and last member. */
typedef struct {
  const char *name;
  guint net, lo, hi;
} Planted;

#define MAX_CL 8

typedef struct {
  const char *day;
  Planted cl[MAX_CL];
} PlantedDay;

/* Day 1: five campaigns.  Day 2: A survives (27 of 30, plus 3 new), B and
 * C merge (both absorbed), D splits in two (18 and 18 of its 40: no part holds half), E stops (disappeared), F
 * starts (emerged).  Day 3: A survives, F survives, BC stops, D1 and D2
 * merge again (absorbed), G starts. */
static const PlantedDay days[] = {
  { "d1", { { "A", 0, 0, 29 }, { "B", 1, 0, 19 }, { "C", 2, 0, 19 }, { "D", 3, 0, 39 }, { "E", 4, 0, 14 } } },
  { "d2", { { "A", 0, 3, 32 }, { "BC", 1, 0, 19 }, { "D1", 3, 0, 17 }, { "D2", 3, 20, 37 }, { "F", 5, 0, 24 } } },
  { "d3", { { "A", 0, 3, 32 }, { "F", 5, 2, 24 }, { "D", 3, 0, 39 }, { "G", 6, 0, 11 } } },
};

/* BC holds C's members too */
static void
add_members (DpTable *t, guint net, guint lo, guint hi, gint64 cluster)
{
  for (guint i = lo; i <= hi; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, 0, r, DP_TEST_IP (10, 0, net, i));
      dp_table_set_i64 (t, 1, r, cluster);
    }
}

static DpTable *
day_table (const PlantedDay *d)
{
  DpTable *t = dp_table_new ("clusters");
  dp_table_add_column (t, "ip", DP_COL_IPV4);
  dp_table_add_column (t, "cluster", DP_COL_INT64);
  for (guint c = 0; c < MAX_CL && d->cl[c].name; c++)
    {
      add_members (t, d->cl[c].net, d->cl[c].lo, d->cl[c].hi, 10 * c + 7);
      if (strcmp (d->cl[c].name, "BC") == 0)
        add_members (t, 2, 0, 19, 10 * c + 7);
    }
  return t;
}

/* Planted transitions: day, kind, previous cluster (name on the day
 * before; "" for emerged), cluster (name on the day; "" for disappeared). */
static const struct { const char *day, *kind, *prev, *cur; } planted[] = {
  { "d1", "emerged", "", "A" }, { "d1", "emerged", "", "B" }, { "d1", "emerged", "", "C" },
  { "d1", "emerged", "", "D" }, { "d1", "emerged", "", "E" },
  { "d2", "survived", "A", "A" }, { "d2", "absorbed", "B", "BC" }, { "d2", "absorbed", "C", "BC" },
  { "d2", "split", "D", "D1" }, { "d2", "split", "D", "D2" }, { "d2", "disappeared", "E", "" },
  { "d2", "emerged", "", "F" },
  { "d3", "survived", "A", "A" }, { "d3", "survived", "F", "F" }, { "d3", "disappeared", "BC", "" },
  { "d3", "absorbed", "D1", "D" }, { "d3", "absorbed", "D2", "D" }, { "d3", "emerged", "", "G" },
};

static const char *
name_of_cluster (const PlantedDay *d, gint64 cluster)
{
  for (guint c = 0; c < MAX_CL && d->cl[c].name; c++)
    if (10 * (gint64) c + 7 == cluster)
      return d->cl[c].name;
  return "?";
}

static void
test_planted (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *state = g_build_filename (dir, "track.state", NULL);
  /* track id -> planted name, as of the day before */
  g_autoptr (GHashTable) track_name = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  for (guint d = 0; d < G_N_ELEMENTS (days); d++)
    {
      g_autofree char *opts = g_strdup_printf ("state_path: %s\nday: %s", state, days[d].day);
      GError *error = NULL;
      g_autoptr (DpHarness) h = dp_harness_new ("track", opts, &error);
      g_assert_no_error (error);
      g_autoptr (DpTable) in = day_table (&days[d]);
      dp_test_push (h, 0, in);
      dp_test_finish (h);
      DpTable *tr = dp_harness_output (h, "transitions");
      DpTable *sum = dp_harness_output (h, "summary");
      DpTable *fresh = dp_harness_output (h, "new_campaigns");
      g_autoptr (GHashTable) next_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      guint emerged_members = 0;
      for (guint r = 0; r < tr->n_rows; r++)
        {
          g_autofree char *kind = dp_test_cell_named (tr, "kind", r);
          g_autofree char *prev = dp_test_cell_named (tr, "previous", r);
          gint64 cluster = tr->cols[dp_table_find_column (tr, "cluster")].i64[r];
          gint64 track = tr->cols[dp_table_find_column (tr, "track")].i64[r];
          gint64 size = tr->cols[dp_table_find_column (tr, "size")].i64[r];
          const char *cur = cluster >= 0 ? name_of_cluster (&days[d], cluster) : "";
          gint64 pt = *prev ? g_ascii_strtoll (prev, NULL, 10) : -1;
          const char *pname = pt >= 0 ? g_hash_table_lookup (track_name, &pt) : "";
          g_ptr_array_add (found, g_strdup_printf ("%s %s %s %s", days[d].day, kind, pname ? pname : "?", cur));
          if (cluster >= 0)
            {
              gint64 *k = g_new (gint64, 1);
              *k = track;
              g_hash_table_replace (next_names, k, g_strdup (cur));
            }
          g_autofree char *flag = dp_test_cell_named (tr, "flag", r);
          g_assert_cmpstr (flag, ==, strcmp (kind, "emerged") == 0 ? "new campaign" : "");
          if (strcmp (kind, "emerged") == 0)
            emerged_members += (guint) size;
        }
      /* the members of the emerged clusters, flagged for profiling */
      g_assert_cmpuint (fresh->n_rows, ==, emerged_members);
      /* the summary counts what the planted table says for the day */
      guint n_cl = 0;
      while (n_cl < MAX_CL && days[d].cl[n_cl].name)
        n_cl++;
      g_assert_cmpint (sum->cols[dp_table_find_column (sum, "clusters")].i64[0], ==, n_cl);
      const char *kinds[] = { "survived", "absorbed", "split", "disappeared", "emerged" };
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          gint64 want = 0;
          for (guint i = 0; i < G_N_ELEMENTS (planted); i++)
            if (strcmp (planted[i].day, days[d].day) == 0 && strcmp (planted[i].kind, kinds[k]) == 0)
              want++;
          /* a split old cluster counts once, not once per part */
          if (strcmp (kinds[k], "split") == 0)
            want = want ? 1 : 0;
          g_assert_cmpint (sum->cols[dp_table_find_column (sum, kinds[k])].i64[0], ==, want);
        }
      g_hash_table_remove_all (track_name);
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init (&it, next_names);
      while (g_hash_table_iter_next (&it, &k, &v))
        {
          gint64 *kk = g_new (gint64, 1);
          *kk = *(gint64 *) k;
          g_hash_table_insert (track_name, kk, g_strdup (v));
        }
    }
  /* planted against found, in the test output */
  g_print ("# %-4s %-12s %-6s %-6s %s\n", "day", "kind", "prev", "now", "found");
  guint missing = 0;
  for (guint i = 0; i < G_N_ELEMENTS (planted); i++)
    {
      g_autofree char *want = g_strdup_printf ("%s %s %s %s", planted[i].day, planted[i].kind, planted[i].prev,
                                               planted[i].cur);
      gboolean hit = FALSE;
      for (guint f = 0; f < found->len && !hit; f++)
        hit = strcmp (g_ptr_array_index (found, f), want) == 0;
      missing += !hit;
      g_print ("# %-4s %-12s %-6s %-6s %s\n", planted[i].day, planted[i].kind, planted[i].prev, planted[i].cur,
               hit ? "yes" : "NO");
    }
  for (guint f = 0; f < found->len; f++)
    g_print ("# found: %s\n", (const char *) g_ptr_array_index (found, f));
  g_assert_cmpuint (missing, ==, 0);
  /* nothing found that was not planted */
  g_assert_cmpuint (found->len, ==, G_N_ELEMENTS (planted));
  dp_test_rmtree (dir);
}

/* ------------------------------------------------------------------ */
/* New campaigns with their profile: the planted days with traffic.  Each
 * /24 behaves as planted below (two ports, each to its own destinations,
 * so no destination sees two ports); the taxonomy, enrich (a pfx2as file
 * with one AS per /24) and cluster_profile run on the day's packets, as
 * pipelines/darkvec-daily.yaml wires them, and every emerged cluster's
 * profile must name its campaign's ports, pattern, fingerprint and AS. */

typedef struct {
  guint8 proto;
  guint16 port[2];
  guint dsts[2];        /* distinct destinations per port */
  guint per_dst;        /* packets to each destination */
  gboolean mirai;       /* TCP sequence number = destination (Mirai's scanner) */
  const char *pattern;  /* what Liu & Fukuda's rules make of it (N1 = 5 destinations, M = 3 packets per target) */
} Behaviour;

static const Behaviour behaviours[] = {
  /* net 0 (A) */ { 6, { 445, 139 }, { 10, 5 }, 4, FALSE, "net_scan_tcp_heavy" },
  /* net 1 (B) */ { 6, { 22, 2222 }, { 8, 5 }, 1, FALSE, "net_scan_tcp_light" },
  /* net 2 (C) */ { 17, { 5060, 5061 }, { 6, 5 }, 1, FALSE, "net_scan_udp_light" },
  /* net 3 (D) */ { 6, { 3389, 3390 }, { 12, 5 }, 5, FALSE, "net_scan_tcp_heavy" },
  /* net 4 (E) */ { 6, { 1433, 1434 }, { 10, 5 }, 1, FALSE, "net_scan_tcp_light" },
  /* net 5 (F) */ { 6, { 23, 2323 }, { 15, 5 }, 1, TRUE, "net_scan_tcp_light" },
  /* net 6 (G) */ { 17, { 53, 123 }, { 10, 5 }, 4, FALSE, "net_scan_udp_heavy" },
};

/* The day's packets: every member of every planted cluster, in the hour
 * from 10:00 UTC of day @d (2021-03-01 + d). */
static DpPackets *
day_packets (guint d)
{
  DpPackets *p = dp_packets_new (4096);
  const gint64 t0 = DP_TEST_SEC (1614592800 + 86400 * (gint64) d);   /* 2021-03-01T10:00:00Z */
  guint n = 0;
  for (guint c = 0; c < MAX_CL && days[d].cl[c].name; c++)
    for (guint nets = 0; nets < 2; nets++)
      {
        /* BC's members are B's and C's */
        guint net = nets == 0 ? days[d].cl[c].net : 2;
        guint lo = nets == 0 ? days[d].cl[c].lo : 0, hi = nets == 0 ? days[d].cl[c].hi : 19;
        if (nets == 1 && strcmp (days[d].cl[c].name, "BC") != 0)
          continue;
        const Behaviour *b = &behaviours[net];
        for (guint m = lo; m <= hi; m++)
          for (guint k = 0; k < 2; k++)
            for (guint j = 0; j < b->dsts[k]; j++)
              for (guint x = 0; x < b->per_dst; x++)
                {
                  guint32 dst = DP_TEST_IP (192, 0, 2 + k, j + 1);
                  guint r = dp_test_add_packet (p, t0 + DP_TEST_SEC (n++ % 3000), DP_TEST_IP (10, 0, net, m), dst,
                                                b->proto, 40000, b->port[k], 0x02);
                  p->tcp_seq[r] = b->mirai ? dst : 12345;
                  p->ip_id[r] = 7;
                  p->tcp_win[r] = 1024;
                }
      }
  return p;
}

/* "23/tcp:0.75;2323/tcp:0.25", as cluster_profile writes shares */
static char *
planted_ports (const Behaviour *b)
{
  double total = b->dsts[0] + b->dsts[1];
  char a[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
  const char *proto = b->proto == 6 ? "tcp" : "udp";
  return g_strdup_printf ("%u/%s:%s;%u/%s:%s", b->port[0], proto, g_ascii_formatd (a, sizeof a, "%.2g", b->dsts[0] / total),
                          b->port[1], proto, g_ascii_formatd (c, sizeof c, "%.2g", b->dsts[1] / total));
}

static gpointer
run_output (const char *plugin, const char *opts, gpointer in, const char *port)
{
  GError *error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new (plugin, opts, &error);
  g_assert_no_error (error);
  dp_test_push (h, 0, in);
  dp_test_finish (h);
  gpointer out = dp_harness_output (h, port);
  g_assert_nonnull (out);
  return dp_batch_ref (out);
}

static void
test_campaign_profile (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *state = g_build_filename (dir, "track.state", NULL);
  g_autofree char *pfx = g_build_filename (dir, "as.pfx2as", NULL);
  g_autoptr (GString) routes = g_string_new ("10.0.0.0\t8\t64999\n");
  for (guint net = 0; net < G_N_ELEMENTS (behaviours); net++)
    g_string_append_printf (routes, "10.0.%u.0\t24\t%u\n", net, 64500 + net);
  g_assert_true (g_file_set_contents (pfx, routes->str, -1, NULL));
  g_autofree char *enrich_opts = g_strdup_printf ("pfx2as: %s", pfx);
  g_print ("# %-4s %-6s %-6s %-32s %-22s %-10s %s\n", "day", "track", "planted", "top_ports", "patterns", "fingerprints",
           "asns");
  guint profiled = 0;
  for (guint d = 0; d < G_N_ELEMENTS (days); d++)
    {
      g_autoptr (DpPackets) pk = day_packets (d);
      g_autoptr (DpTable) tax = run_output ("taxonomy", "window: 1h", pk, "sources");
      g_autoptr (DpTable) who = run_output ("enrich", enrich_opts, pk, "sources");
      g_autofree char *opts = g_strdup_printf ("state_path: %s\nday: %s", state, days[d].day);
      GError *error = NULL;
      g_autoptr (DpHarness) tr = dp_harness_new ("track", opts, &error);
      g_assert_no_error (error);
      g_autoptr (DpTable) in = day_table (&days[d]);
      dp_test_push (tr, 0, in);
      dp_test_finish (tr);
      DpTable *fresh = dp_harness_output (tr, "new_campaigns");
      DpTable *trans = dp_harness_output (tr, "transitions");
      g_autoptr (DpHarness) pr = dp_harness_new ("cluster_profile", "top_ports: 5\ncarry: [day, track, flag]", &error);
      g_assert_no_error (error);
      dp_test_push (pr, 0, fresh);
      dp_test_push (pr, 1, pk);
      dp_test_push (pr, 2, tax);
      dp_test_push (pr, 3, who);
      dp_test_finish (pr);
      DpTable *prof = dp_harness_output (pr, "profile");
      /* one profile row per emerged cluster of the day */
      guint emerged = 0;
      for (guint r = 0; r < trans->n_rows; r++)
        {
          g_autofree char *kind = dp_test_cell_named (trans, "kind", r);
          emerged += strcmp (kind, "emerged") == 0;
        }
      g_assert_cmpuint (prof->n_rows, ==, emerged);
      for (guint r = 0; r < prof->n_rows; r++)
        {
          gint64 cluster = prof->cols[dp_table_find_column (prof, "cluster")].i64[r];
          const char *name = name_of_cluster (&days[d], cluster);
          const Planted *pl = NULL;
          for (guint c = 0; c < MAX_CL && days[d].cl[c].name; c++)
            if (strcmp (days[d].cl[c].name, name) == 0)
              pl = &days[d].cl[c];
          g_assert_nonnull (pl);
          const Behaviour *b = &behaviours[pl->net];
          g_autofree char *ports = dp_test_cell_named (prof, "top_ports", r);
          g_autofree char *pats = dp_test_cell_named (prof, "patterns", r);
          g_autofree char *fps = dp_test_cell_named (prof, "fingerprints", r);
          g_autofree char *asns = dp_test_cell_named (prof, "asns", r);
          g_autofree char *day = dp_test_cell_named (prof, "day", r);
          g_autofree char *flag = dp_test_cell_named (prof, "flag", r);
          gint64 track = prof->cols[dp_table_find_column (prof, "track")].i64[r];
          g_print ("# %-4s %-6" G_GINT64_FORMAT " %-6s %-32s %-22s %-10s %s\n", day, track, name, ports, pats, fps, asns);
          g_autofree char *want_ports = planted_ports (b);
          g_autofree char *want_pat = g_strdup_printf ("%s:1", b->pattern);
          g_autofree char *want_as = g_strdup_printf ("%u:1", 64500 + pl->net);
          g_assert_cmpstr (ports, ==, want_ports);
          g_assert_cmpstr (pats, ==, want_pat);
          g_assert_cmpstr (fps, ==, b->mirai ? "mirai:1" : "");
          g_assert_cmpstr (asns, ==, want_as);
          g_assert_cmpstr (day, ==, days[d].day);
          g_assert_cmpstr (flag, ==, "new campaign");
          /* the track id of the emerged row in the transitions */
          gboolean found = FALSE;
          for (guint t = 0; t < trans->n_rows; t++)
            found |= trans->cols[dp_table_find_column (trans, "cluster")].i64[t] == cluster
                     && trans->cols[dp_table_find_column (trans, "track")].i64[t] == track;
          g_assert_true (found);
          profiled++;
        }
    }
  /* five on day 1, F on day 2, G on day 3 */
  g_assert_cmpuint (profiled, ==, 7);
  dp_test_rmtree (dir);
}

/* A state file that is not one: a clear error naming it and its line. */
static void
test_bad_state (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *state = g_build_filename (dir, "track.state", NULL);
  const char *bad[][2] = {
    { "something else\n", "line 1: not a track state file" },
    { "darkpipe-track 1\nday\td1\nx\t10.0.0.1\n", "line 3: not a track id" },
    { "darkpipe-track 1\nday\td1\n7 10.0.0.1\n", "line 3: no tab" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_true (g_file_set_contents (state, bad[i][0], -1, NULL));
      g_autofree char *opts = g_strdup_printf ("state_path: %s", state);
      GError *error = NULL;
      g_autoptr (DpHarness) h = dp_harness_new ("track", opts, &error);
      g_assert_no_error (error);
      g_autoptr (DpTable) in = day_table (&days[0]);
      dp_test_push (h, 0, in);
      g_assert_false (dp_harness_finish (h, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, state));
      g_assert_nonnull (strstr (error->message, bad[i][1]));
      g_clear_error (&error);
    }
  dp_test_bad_option ("track", "split: 0.9\nmatch: 0.5", DP_CONFIG_ERROR_RANGE);
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugin/track/planted", test_planted);
  g_test_add_func ("/plugin/track/bad-state", test_bad_state);
  g_test_add_func ("/plugin/track/campaign-profile", test_campaign_profile);
  return g_test_run ();
}
