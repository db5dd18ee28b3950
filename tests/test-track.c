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
  return g_test_run ();
}
