/* track.c — clusters of the day against the previous day's, by member
 * overlap, with MONIC's transitions (Spiliopoulou, Ntoutsi, Theodoridis,
 * Schult, "MONIC: modeling and monitoring cluster transitions", KDD 2006)
 * as NovTrack applies them to darknet senders (Huang, Gioacchini, Mellia,
 * Vassio, arXiv 2405.10545, 2024).
 *
 * For an old cluster X and a new cluster Y, overlap(X, Y) = |X ∩ Y| / |X|.
 *   - Y matches X when overlap(X, Y) >= `match` and Y is X's best.
 *   - X survived as Y: Y matches X and no other old cluster matches Y.
 *   - X was absorbed into Y: Y matches X and other old clusters too.
 *   - X split: no match, but the new clusters with overlap >= `split` each
 *     together hold >= `match` of X.
 *   - X disappeared: none of these.
 *   - Y emerged: it is the result of no survival, absorption or split.
 * Clusters carry a track id across days: a survivor keeps it, an
 * absorbing cluster takes the largest absorbed one's, a split's largest
 * part keeps it, an emerged cluster gets a new one.  The previous day's
 * clusters (track ids and members as text) live in `state_path`, read
 * when there and written back atomically. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "darkpipe.h"
#include "../common/eval.h"

typedef struct {
  double match;
  double split;
  char *state_path;
  char *day;
} TrackConfig;

typedef struct {
  const TrackConfig *cfg;
  DpTable *clusters;
  gint64 max_ts;
  gboolean have_ts;
} Track;

/* One cluster: its track id and members (indices into the member names). */
typedef struct {
  gint64 id;        /* the day's cluster value (new), or the track id (old) */
  gint64 track;
  GArray *members;  /* guint32 member index */
} TrackCluster;

enum { K_SURVIVED, K_ABSORBED, K_SPLIT, K_DISAPPEARED, K_EMERGED, K_N };
static const char *const track_kinds[K_N] = { "survived", "absorbed", "split", "disappeared", "emerged" };

static const DpOptionDesc track_options[] = {
  DP_OPTION_RANGE ("match", DP_OPT_DOUBLE, "0.65", TrackConfig, match, 0.01, 1,
                   "Share of an old cluster's members a new cluster must hold to continue it (MONIC's tau; NovTrack's tau0 = 0.65)."),
  DP_OPTION_RANGE ("split", DP_OPT_DOUBLE, "0.3", TrackConfig, split, 0.01, 1,
                   "Share a part must hold to count in a split (MONIC's tau_split; NovTrack's tau1 = 0.3)."),
  DP_OPTION_FLAGS ("state_path", DP_OPT_PATH, NULL, TrackConfig, state_path, DP_OPT_OUTPUT,
             "The previous day's clusters, read when there and replaced by today's (one run a day)."),
  DP_OPTION ("day", DP_OPT_STRING, NULL, TrackConfig, day,
             "Label of the day in the tables (default: the UTC date of the last packet, else the run's count)."),
};

static const DpColumnDesc track_in_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
};
static const DpColumnDesc track_transition_columns[] = {
  { "day", DP_COL_STRING, 0 },
  { "cluster", DP_COL_INT64, 0 },
  { "track", DP_COL_INT64, 0 },
  { "previous", DP_COL_STRING, 0 },
  { "kind", DP_COL_STRING, 0 },
  { "size", DP_COL_INT64, 0 },
  { "previous_size", DP_COL_INT64, 0 },
  { "overlap", DP_COL_DOUBLE, 0 },
  { "flag", DP_COL_STRING, 0 },
};
static const DpColumnDesc track_summary_columns[] = {
  { "day", DP_COL_STRING, 0 },
  { "clusters", DP_COL_INT64, 0 },
  { "survived", DP_COL_INT64, 0 },
  { "absorbed", DP_COL_INT64, 0 },
  { "split", DP_COL_INT64, 0 },
  { "disappeared", DP_COL_INT64, 0 },
  { "emerged", DP_COL_INT64, 0 },
};
static const DpColumnDesc track_new_columns[] = {
  { "cluster", DP_COL_INT64, 0 },
  { "day", DP_COL_STRING, 0 },
  { "track", DP_COL_INT64, 0 },
  { "flag", DP_COL_STRING, 0 },
};

static const DpPortDesc track_inputs[] = {
  { "clusters", DP_TYPE_TABLE, 0, "ip (or token) and an integer cluster column: the day's clusters (louvain).",
    DP_PORT_COLUMNS (track_in_columns) },
  { "packets", DP_TYPE_PACKETS, DP_PORT_OPTIONAL, "The day's traffic: only its last timestamp is read, for the day's date." },
};

static const DpPortDesc track_outputs[] = {
  { "transitions", DP_TYPE_TABLE, 0,
    "day, cluster (today's; -1 for a disappeared one), track, previous (track id of the previous cluster), kind, size, "
    "previous_size, overlap (share of the previous cluster found in this one), flag ('new campaign' on emerged rows).",
    DP_PORT_COLUMNS (track_transition_columns) },
  { "summary", DP_TYPE_TABLE, 0, "One row: day, clusters, and how many old clusters survived, were absorbed, split, "
    "disappeared, and how many new ones emerged.", DP_PORT_COLUMNS (track_summary_columns) },
  { "new_campaigns", DP_TYPE_TABLE, 0,
    "The members of the emerged clusters (new campaigns): the input's key column (ip or token), cluster, day, "
    "track and flag ('new campaign'), to profile with cluster_profile (carry: [day, track, flag]).",
    DP_PORT_COLUMNS (track_new_columns) },
};

static gboolean
track_init (DpStage *stage, const void *config, void **state, GError **error)
{
  Track *t = g_new0 (Track, 1);
  t->cfg = config;
  *state = t;
  return TRUE;
}

static gboolean
track_check (DpStage *stage, const void *config, GError **error)
{
  const TrackConfig *c = config;
  if (c->split > c->match)
    return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_RANGE, "split",
                                  "split (%g) must not exceed match (%g)", c->split, c->match);
  return TRUE;
}

static DpFlow
track_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  Track *t = state;
  if (port == 1)
    {
      const DpPackets *p = (const DpPackets *) batch;
      for (guint i = 0; i < p->n_rows; i++)
        if (!t->have_ts || p->ts[i] > t->max_ts)
          t->max_ts = p->ts[i], t->have_ts = TRUE;
      return DP_FLOW_OK;
    }
  dp_batch_unref (t->clusters);
  t->clusters = dp_batch_ref (batch);
  return DP_FLOW_OK;
}

/* ------------------------------------------------------------------ */
/* members, interned as text so that days compare across runs */

typedef struct {
  GHashTable *index;   /* text -> index + 1 */
  GPtrArray *names;    /* index -> text */
} TrackMembers;

static guint32
track_member (TrackMembers *mb, const char *text)
{
  gpointer v = g_hash_table_lookup (mb->index, text);
  if (v)
    return GPOINTER_TO_UINT (v) - 1;
  char *copy = g_strdup (text);
  g_ptr_array_add (mb->names, copy);
  g_hash_table_insert (mb->index, copy, GUINT_TO_POINTER (mb->names->len));
  return mb->names->len - 1;
}

static void
track_clusters_free (GArray *cl)
{
  for (guint i = 0; cl && i < cl->len; i++)
    g_array_unref (g_array_index (cl, TrackCluster, i).members);
  if (cl)
    g_array_unref (cl);
}

static TrackCluster *
track_cluster_of (GArray *cl, GHashTable *by_id, gint64 id)
{
  gpointer v;
  if (g_hash_table_lookup_extended (by_id, &id, NULL, &v))
    return &g_array_index (cl, TrackCluster, GPOINTER_TO_UINT (v));
  TrackCluster c = { id, -1, g_array_new (FALSE, FALSE, sizeof (guint32)) };
  g_array_append_val (cl, c);
  gint64 *key = g_new (gint64, 1);
  *key = id;
  g_hash_table_insert (by_id, key, GUINT_TO_POINTER (cl->len - 1));
  return &g_array_index (cl, TrackCluster, cl->len - 1);
}

/* The state file: "darkpipe-track 1", "day\tLABEL", "next\tN", then one
 * "TRACK\tMEMBER" line per member. */
static gboolean
track_load (const char *path, TrackMembers *mb, GArray *old, char **day, gint64 *next, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  if (r == NULL)
    return FALSE;
  g_autoptr (GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  char *line;
  while ((line = dp_line_reader_next (r, NULL)) != NULL)
    {
      guint64 no = dp_line_reader_line (r);
      char *tab = strchr (line, '\t');
      if (no == 1)
        {
          if (strcmp (line, "darkpipe-track 1") != 0)
            {
              g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                           "%s: line 1: not a track state file of version 1 ('%s')", path, line);
              return FALSE;
            }
          continue;
        }
      if (tab == NULL)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                       "%s: line %" G_GUINT64_FORMAT ": no tab", path, no);
          return FALSE;
        }
      *tab = '\0';
      const char *val = tab + 1;
      if (strcmp (line, "day") == 0)
        {
          g_free (*day);
          *day = g_strdup (val);
          continue;
        }
      gint64 num;
      if (!g_ascii_string_to_signed (strcmp (line, "next") == 0 ? val : line, 10, 0, G_MAXINT32, &num, NULL)
          || *val == '\0')
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                       "%s: line %" G_GUINT64_FORMAT ": not a track id", path, no);
          return FALSE;
        }
      if (strcmp (line, "next") == 0)
        {
          *next = num;
          continue;
        }
      TrackCluster *c = track_cluster_of (old, by_id, num);
      c->track = num;
      guint32 m = track_member (mb, val);
      g_array_append_val (c->members, m);
    }
  if (dp_line_reader_error (r, error))
    return FALSE;
  return TRUE;
}

static gboolean
track_save (const char *path, const TrackMembers *mb, GArray *cur, const char *day, gint64 next, GError **error)
{
  DpOutFile *f = dp_outfile_open (path, FALSE, error);
  if (f == NULL)
    return FALSE;
  dp_outfile_printf (f, "darkpipe-track 1\nday\t%s\nnext\t%" G_GINT64_FORMAT "\n", day, next);
  for (guint i = 0; i < cur->len; i++)
    {
      const TrackCluster *c = &g_array_index (cur, TrackCluster, i);
      for (guint k = 0; k < c->members->len; k++)
        dp_outfile_printf (f, "%" G_GINT64_FORMAT "\t%s\n", c->track,
                           (const char *) g_ptr_array_index (mb->names, g_array_index (c->members, guint32, k)));
    }
  return dp_outfile_commit (f, error);
}

/* ------------------------------------------------------------------ */
/* matching */

typedef struct {
  DpTable *t;
  const char *day;
  guint64 counts[K_N];
} TrackOut;

static void
track_row (TrackOut *o, gint64 cluster, gint64 track, const char *previous, int kind, guint64 size,
           guint64 prev_size, double overlap)
{
  guint r = dp_table_append_row (o->t);
  dp_table_set_str (o->t, 0, r, o->day);
  dp_table_set_i64 (o->t, 1, r, cluster);
  dp_table_set_i64 (o->t, 2, r, track);
  dp_table_set_str (o->t, 3, r, previous);
  dp_table_set_str (o->t, 4, r, track_kinds[kind]);
  dp_table_set_i64 (o->t, 5, r, (gint64) size);
  dp_table_set_i64 (o->t, 6, r, (gint64) prev_size);
  dp_table_set_f64 (o->t, 7, r, overlap);
  dp_table_set_str (o->t, 8, r, kind == K_EMERGED ? "new campaign" : "");
}

static gint
track_by_size (gconstpointer a, gconstpointer b)
{
  const TrackCluster *x = a, *y = b;
  if (x->members->len != y->members->len)
    return x->members->len > y->members->len ? -1 : 1;
  return x->id < y->id ? -1 : (x->id > y->id);
}

/* Assigns track ids to @cur and writes the transitions from @old. */
static void
track_match (const TrackConfig *cfg, GArray *old, GArray *cur, guint n_members, gint64 *next, TrackOut *o)
{
  const guint no = old->len, nc = cur->len;
  g_autofree guint32 *where = g_new (guint32, MAX (n_members, 1u));   /* member -> current cluster */
  memset (where, 0xff, MAX (n_members, 1u) * sizeof (guint32));
  for (guint j = 0; j < nc; j++)
    {
      GArray *m = g_array_index (cur, TrackCluster, j).members;
      for (guint k = 0; k < m->len; k++)
        where[g_array_index (m, guint32, k)] = j;
    }
  /* inter[i * nc + j] = |X_i ∩ Y_j| */
  g_autofree guint64 *inter = g_new0 (guint64, MAX ((gsize) no * nc, 1u));
  for (guint i = 0; i < no; i++)
    {
      GArray *m = g_array_index (old, TrackCluster, i).members;
      for (guint k = 0; k < m->len; k++)
        {
          guint32 j = where[g_array_index (m, guint32, k)];
          if (j != G_MAXUINT32)
            inter[(gsize) i * nc + j]++;
        }
    }
  g_autofree gint *best = g_new (gint, MAX (no, 1u));            /* old -> matching new, or -1 */
  g_autofree guint *matched_by = g_new0 (guint, MAX (nc, 1u));   /* new -> how many old match it */
  g_autofree gint *heir = g_new (gint, MAX (nc, 1u));            /* new -> old whose track it takes */
  for (guint j = 0; j < nc; j++)
    heir[j] = -1;
  for (guint i = 0; i < no; i++)
    {
      double size = g_array_index (old, TrackCluster, i).members->len;
      best[i] = -1;
      double top = 0;
      for (guint j = 0; j < nc; j++)
        {
          double ov = inter[(gsize) i * nc + j] / size;
          if (ov >= cfg->match && ov > top)
            top = ov, best[i] = (gint) j;
        }
      if (best[i] >= 0)
        matched_by[best[i]]++;
    }
  g_autoptr (GString) prev = g_string_new (NULL);
  /* old clusters, largest first, so an absorbing cluster takes the largest's track */
  g_autofree guint *order = g_new (guint, MAX (no, 1u));
  for (guint i = 0; i < no; i++)
    order[i] = i;
  for (guint a = 1; a < no; a++)
    for (guint b = a; b > 0 && g_array_index (old, TrackCluster, order[b]).members->len
                               > g_array_index (old, TrackCluster, order[b - 1]).members->len; b--)
      {
        guint x = order[b];
        order[b] = order[b - 1];
        order[b - 1] = x;
      }
  for (guint a = 0; a < no; a++)
    {
      guint i = order[a];
      const TrackCluster *x = &g_array_index (old, TrackCluster, i);
      double size = x->members->len;
      g_string_printf (prev, "%" G_GINT64_FORMAT, x->track);
      if (best[i] >= 0)
        {
          guint j = (guint) best[i];
          TrackCluster *y = &g_array_index (cur, TrackCluster, j);
          int kind = matched_by[j] == 1 ? K_SURVIVED : K_ABSORBED;
          if (heir[j] < 0)
            {
              heir[j] = (gint) i;
              y->track = x->track;
            }
          o->counts[kind]++;
          track_row (o, y->id, y->track, prev->str, kind, y->members->len, x->members->len,
                     inter[(gsize) i * nc + j] / size);
          continue;
        }
      double held = 0;
      guint parts = 0;
      for (guint j = 0; j < nc; j++)
        if (inter[(gsize) i * nc + j] / size >= cfg->split)
          held += inter[(gsize) i * nc + j] / size, parts++;
      if (parts >= 2 && held >= cfg->match)
        {
          o->counts[K_SPLIT]++;
          /* the largest part keeps the track (unless a match took it) */
          gint keep = -1;
          for (guint j = 0; j < nc; j++)
            if (heir[j] < 0 && matched_by[j] == 0 && inter[(gsize) i * nc + j] / size >= cfg->split
                && (keep < 0 || inter[(gsize) i * nc + j] > inter[(gsize) i * nc + keep]))
              keep = (gint) j;
          for (guint j = 0; j < nc; j++)
            {
              double ov = inter[(gsize) i * nc + j] / size;
              if (ov < cfg->split)
                continue;
              TrackCluster *y = &g_array_index (cur, TrackCluster, j);
              if (heir[j] < 0 && matched_by[j] == 0)
                {
                  heir[j] = (gint) i;
                  y->track = (gint) j == keep ? x->track : (*next)++;
                }
              track_row (o, y->id, y->track, prev->str, K_SPLIT, y->members->len, x->members->len, ov);
            }
          continue;
        }
      o->counts[K_DISAPPEARED]++;
      track_row (o, -1, x->track, prev->str, K_DISAPPEARED, 0, x->members->len, 0);
    }
  for (guint j = 0; j < nc; j++)
    {
      TrackCluster *y = &g_array_index (cur, TrackCluster, j);
      if (heir[j] >= 0)
        continue;
      y->track = (*next)++;
      o->counts[K_EMERGED]++;
      track_row (o, y->id, y->track, "", K_EMERGED, y->members->len, 0, 0);
    }
}

/* The rows of @t (the day's clusters) whose cluster emerged in @tr, with
 * @t's key column as it is (so an ip column stays one, for enrich), and
 * the day, track id and flag of the cluster. */
static DpTable *
track_new_campaigns (const DpTable *t, guint kc, gint cc, const DpTable *tr, const char *day)
{
  DpTable *fresh = dp_table_new ("new_campaigns");
  guint ck = dp_table_add_column (fresh, t->cols[kc].name, t->cols[kc].type);
  if (t->names)
    dp_table_set_names (fresh, t->names);
  for (guint i = 0; i < G_N_ELEMENTS (track_new_columns); i++)
    dp_table_add_column (fresh, track_new_columns[i].name, track_new_columns[i].type);
  g_autoptr (GHashTable) emerged = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint r = 0; r < tr->n_rows; r++)
    if (strcmp (tr->cols[4].str[r], track_kinds[K_EMERGED]) == 0)
      g_hash_table_insert (emerged, g_memdup2 (&tr->cols[1].i64[r], sizeof (gint64)),
                           GUINT_TO_POINTER (r + 1));
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint r = 0; r < t->n_rows; r++)
    {
      guint tr_row = GPOINTER_TO_UINT (g_hash_table_lookup (emerged, &t->cols[cc].i64[r]));
      if (tr_row == 0)
        continue;
      guint rr = dp_table_append_row (fresh);
      if (t->cols[kc].type == DP_COL_IPV4)
        dp_table_set_ip (fresh, ck, rr, t->cols[kc].ip[r]);
      else
        {
          g_string_truncate (text, 0);
          dp_table_format_cell (t, kc, r, text);
          dp_table_set_str (fresh, ck, rr, text->str);
        }
      dp_table_set_i64 (fresh, ck + 1, rr, t->cols[cc].i64[r]);
      dp_table_set_str (fresh, ck + 2, rr, day);
      dp_table_set_i64 (fresh, ck + 3, rr, tr->cols[2].i64[tr_row - 1]);
      dp_table_set_str (fresh, ck + 4, rr, "new campaign");
    }
  return fresh;
}

static gboolean
track_finish (DpStage *stage, void *state, GError **error)
{
  Track *s = state;
  const TrackConfig *cfg = s->cfg;
  if (s->clusters == NULL)
    s->clusters = eval_clusters_empty ();
  const DpTable *t = s->clusters;
  gint cc = eval_cluster_column (t, error);
  if (cc < 0)
    return FALSE;
  gint kc = eval_key_column (t);
  TrackMembers mb = { g_hash_table_new (g_str_hash, g_str_equal), g_ptr_array_new_with_free_func (g_free) };
  GArray *old = g_array_new (FALSE, FALSE, sizeof (TrackCluster));
  GArray *cur = g_array_new (FALSE, FALSE, sizeof (TrackCluster));
  g_autofree char *prev_day = NULL, *day = NULL;
  g_autofree char *path = cfg->state_path ? dp_stage_output_path (stage, cfg->state_path) : NULL;
  gint64 next = 0;
  gboolean ok = path == NULL || track_load (path, &mb, old, &prev_day, &next, error);
  if (ok)
    {
      for (guint i = 0; i < old->len; i++)
        next = MAX (next, g_array_index (old, TrackCluster, i).track + 1);
      g_autoptr (GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_autoptr (GString) text = g_string_new (NULL);
      for (guint r = 0; r < t->n_rows; r++)
        {
          g_string_truncate (text, 0);
          dp_table_format_cell (t, (guint) kc, r, text);
          guint32 m = track_member (&mb, text->str);
          g_array_append_val (track_cluster_of (cur, by_id, t->cols[cc].i64[r])->members, m);
        }
      g_array_sort (cur, track_by_size);
      if (cfg->day)
        day = g_strdup (cfg->day);
      else if (s->have_ts)
        {
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (dp_floor_div (s->max_ts, 1000000000));
          day = dt ? g_date_time_format (dt, "%Y-%m-%d") : NULL;
        }
      if (day == NULL)
        day = g_strdup_printf ("run after %s", prev_day ? prev_day : "none");
      TrackOut o = { dp_table_new ("transitions"), day, { 0 } };
      for (guint i = 0; i < G_N_ELEMENTS (track_transition_columns); i++)
        dp_table_add_column (o.t, track_transition_columns[i].name, track_transition_columns[i].type);
      track_match (cfg, old, cur, mb.names->len, &next, &o);
      DpTable *sum = dp_table_new ("summary");
      for (guint i = 0; i < G_N_ELEMENTS (track_summary_columns); i++)
        dp_table_add_column (sum, track_summary_columns[i].name, track_summary_columns[i].type);
      guint r = dp_table_append_row (sum);
      dp_table_set_str (sum, 0, r, day);
      dp_table_set_i64 (sum, 1, r, cur->len);
      for (guint k = 0; k < K_N; k++)
        dp_table_set_i64 (sum, 2 + k, r, (gint64) o.counts[k]);
      DpTable *fresh = track_new_campaigns (t, (guint) kc, cc, o.t, day);
      dp_stage_info (stage, "%s: %u clusters (previous day %s: %u): %" G_GUINT64_FORMAT " survived, %" G_GUINT64_FORMAT
                     " absorbed, %" G_GUINT64_FORMAT " split, %" G_GUINT64_FORMAT " disappeared, %" G_GUINT64_FORMAT
                     " emerged (new campaigns)", day, cur->len, prev_day ? prev_day : "none", old->len,
                     o.counts[K_SURVIVED], o.counts[K_ABSORBED], o.counts[K_SPLIT], o.counts[K_DISAPPEARED],
                     o.counts[K_EMERGED]);
      ok = path == NULL || track_save (path, &mb, cur, day, next, error);
      if (ok)
        {
          dp_stage_push (stage, 0, o.t);
          dp_stage_push (stage, 1, sum);
          dp_stage_push (stage, 2, fresh);
        }
      else
        {
          dp_batch_unref (o.t);
          dp_batch_unref (sum);
          dp_batch_unref (fresh);
        }
    }
  track_clusters_free (old);
  track_clusters_free (cur);
  g_hash_table_unref (mb.index);
  g_ptr_array_unref (mb.names);
  return ok;
}

static void
track_finalize (void *state)
{
  Track *t = state;
  dp_batch_unref (t->clusters);
  g_free (t);
}

DP_PLUGIN_DEFINE (track,
  .kind = DP_KIND_EVALUATOR,
  .summary = "Match the day's clusters to the previous day's: MONIC transitions, new campaigns",
  .version = "1.0",
  .doc = "MONIC's transitions (Spiliopoulou et al., KDD 2006) by member overlap, as NovTrack "
         "(Huang, Gioacchini, Mellia, Vassio, arXiv 2405.10545) tracks darknet clusters: for an "
         "old cluster X and a new Y, overlap = |X ∩ Y| / |X|.  X *survived* as Y when Y holds at "
         "least `match` of X, is X's best such cluster, and continues no other old cluster; X was "
         "*absorbed* when Y continues other old clusters too; X *split* when no cluster holds "
         "`match` of it but the clusters holding at least `split` each together hold `match`; X "
         "*disappeared* otherwise; a new cluster that continues nothing *emerged* (a new "
         "campaign: its members go to `new_campaigns` with their day, track id and flag, to profile with "
         "`cluster_profile` and its `carry` option).  "
         "Clusters keep a track id across days.  One run a day: `state_path` keeps the previous "
         "day's clusters (members as text).  The defaults are ours: the project's reference has no NovTrack or MONIC numbers (docs/darkvec-daily.md says where each comes from).",
  .inputs = track_inputs,
  .n_inputs = DP_N_ELEMENTS (track_inputs),
  .outputs = track_outputs,
  .n_outputs = DP_N_ELEMENTS (track_outputs),
  .options = track_options,
  .n_options = DP_N_ELEMENTS (track_options),
  .config_size = sizeof (TrackConfig),
  .check = track_check,
  .init = track_init,
  .process = track_process,
  .finish = track_finish,
  .finalize = track_finalize)
