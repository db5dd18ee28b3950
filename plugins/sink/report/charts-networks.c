/* charts-networks.c — where the sources are: their countries and
 * autonomous systems (the `enrich` stage's columns), by sources and by
 * packets.  Unknown countries and AS 0 are "unknown"; pseudonyms (keys of
 * 240.0.0.0/4 that a name map names but that are no IPv6 address) cannot
 * be looked up and are a group of their own. */
#include "config.h"

#include <math.h>
#include <string.h>
#include "report.h"

#define NET_UNKNOWN "unknown"
#define NET_PSEUDONYMS "pseudonyms (not looked up)"

/* One source, over every row and table it appears in. */
typedef struct {
  const char *country;   /* in the string chunk; NET_UNKNOWN or NET_PSEUDONYMS */
  const char *as;        /* "AS13335 Cloudflare, Inc.", NET_UNKNOWN or NET_PSEUDONYMS */
  guint64 packets;
} NetSource;

/* A country or an AS: its sources and packets. */
typedef struct {
  const char *name;
  guint64 sources, packets;
} NetGroup;

typedef struct {
  GArray *sources;       /* NetSource */
  DpHash ix;             /* report_address_key -> index into sources */
  DpNameMap *names;
  GStringChunk *strings;
  gboolean any_country, any_as;
  guint64 packets;
} NetAgg;

static gboolean
net_is_apart (const char *name)
{
  return strcmp (name, NET_UNKNOWN) == 0 || strcmp (name, NET_PSEUDONYMS) == 0;
}

static const char *
net_as_name (NetAgg *a, gint64 asn, const char *org)
{
  if (asn <= 0)
    return NET_UNKNOWN;
  g_autofree char *name = org && *org ? g_strdup_printf ("AS%" G_GINT64_FORMAT " %s", asn, org)
                                      : g_strdup_printf ("AS%" G_GINT64_FORMAT, asn);
  return g_string_chunk_insert_const (a->strings, name);
}

static void
net_add_table (NetAgg *a, const DpTable *t)
{
  gint cs = report_col (t, "src", DP_COL_IPV4), ca = report_col (t, "asn", DP_COL_INT64);
  gint co = report_col (t, "as_org", DP_COL_STRING), cc = report_col (t, "country", DP_COL_STRING);
  gint cn = report_col (t, "packets", DP_COL_INT64);
  if (cs < 0 || (ca < 0 && cc < 0))
    return;
  for (guint row = 0; row < t->n_rows; row++)
    {
      guint32 addr = t->cols[cs].ip[row];
      gboolean fresh;
      guint64 *slot = dp_hash_upsert (&a->ix, report_address_key (a->names, t, addr), &fresh);
      if (fresh)
        {
          /* a name the map gives that is not an IPv6 address: a pseudonym */
          gboolean pseudonym = addr >= DP_NAME_BASE && dp_name_map_lookup (t->names, addr)
                               && dp_name_map_lookup_ip6 (t->names, addr, NULL) == NULL;
          const char *country = cc >= 0 ? t->cols[cc].str[row] : NULL;
          NetSource s = {
            .country = pseudonym ? NET_PSEUDONYMS
                       : country && *country ? g_string_chunk_insert_const (a->strings, country) : NET_UNKNOWN,
            .as = pseudonym ? NET_PSEUDONYMS : net_as_name (a, ca >= 0 ? t->cols[ca].i64[row] : 0,
                                                             co >= 0 ? t->cols[co].str[row] : NULL),
          };
          /* a figure needs one source the databases knew (a table without
           * country_db has the column, all null) */
          a->any_country |= !net_is_apart (s.country);
          a->any_as |= !net_is_apart (s.as);
          *slot = a->sources->len;
          g_array_append_val (a->sources, s);
        }
      gint64 p = cn >= 0 ? t->cols[cn].i64[row] : 0;
      g_array_index (a->sources, NetSource, *slot).packets += p > 0 ? (guint64) p : 0;
      a->packets += p > 0 ? (guint64) p : 0;
    }
}

static gint
net_cmp_sources (gconstpointer x, gconstpointer y)
{
  const NetGroup *a = x, *b = y;
  if (a->sources != b->sources)
    return a->sources > b->sources ? -1 : 1;
  if (a->packets != b->packets)
    return a->packets > b->packets ? -1 : 1;
  return strcmp (a->name, b->name);
}

/* (transfer full) the groups of field @as (else country), most sources
 * first, unknown and pseudonyms last. */
static GArray *
net_groups (const NetAgg *a, gboolean as)
{
  g_autoptr (GHashTable) ix = g_hash_table_new (g_str_hash, g_str_equal);
  GArray *groups = g_array_new (FALSE, TRUE, sizeof (NetGroup));
  for (guint i = 0; i < a->sources->len; i++)
    {
      const NetSource *s = &g_array_index (a->sources, NetSource, i);
      const char *name = as ? s->as : s->country;
      gpointer k;
      if (!g_hash_table_lookup_extended (ix, name, NULL, &k))
        {
          NetGroup g = { .name = name };
          g_array_append_val (groups, g);
          k = GUINT_TO_POINTER (groups->len - 1);
          g_hash_table_insert (ix, (gpointer) name, k);
        }
      NetGroup *g = &g_array_index (groups, NetGroup, GPOINTER_TO_UINT (k));
      g->sources++;
      g->packets += s->packets;
    }
  g_array_sort (groups, net_cmp_sources);
  /* the groups that say nothing of where a source is go last */
  GArray *known = g_array_new (FALSE, TRUE, sizeof (NetGroup));
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < groups->len; i++)
      if (net_is_apart (g_array_index (groups, NetGroup, i).name) == (pass == 1))
        g_array_append_val (known, g_array_index (groups, NetGroup, i));
  g_array_unref (groups);
  return known;
}

/* The first known group by packets (NULL: none). */
static const NetGroup *
net_top_packets (const GArray *groups)
{
  const NetGroup *best = NULL;
  for (guint i = 0; i < groups->len; i++)
    {
      const NetGroup *g = &g_array_index (groups, NetGroup, i);
      if (!net_is_apart (g->name) && g->packets > 0 && (best == NULL || g->packets > best->packets))
        best = g;
    }
  return best;
}

static double
net_pct (guint64 part, guint64 whole)
{
  return whole ? 100.0 * part / whole : NAN;
}

static void
net_table (GString *h, const GArray *groups, guint shown, guint64 n_sources, guint64 packets, const char *what)
{
  char a[32], b[32], c[32], d[32];
  g_string_append_printf (h, "<div style=\"overflow-x:auto\"><table class=\"data\"><thead><tr><th>%s</th>"
                          "<th class=\"num\">sources</th><th class=\"num\">share</th><th class=\"num\">packets</th>"
                          "<th class=\"num\">share</th></tr></thead><tbody>\n", what);
  for (guint i = 0; i < groups->len; i++)
    {
      const NetGroup *g = &g_array_index (groups, NetGroup, i);
      if (i >= shown && !net_is_apart (g->name))
        continue;
      g_string_append_printf (h, "<tr><td%s>", net_is_apart (g->name) ? " class=\"muted\"" : "");
      report_esc (h, g->name);
      g_string_append_printf (h, "</td><td class=\"num\">%s</td><td class=\"num\">%s%%</td><td class=\"num\">%s</td>"
                              "<td class=\"num\">%s%%</td></tr>\n", report_fmt_int ((gint64) g->sources, a),
                              report_fmt_ratio (net_pct (g->sources, n_sources), 1, b),
                              report_fmt_int ((gint64) g->packets, c), report_fmt_ratio (net_pct (g->packets, packets), 1, d));
    }
  guint hidden = 0;
  for (guint i = shown; i < groups->len; i++)
    hidden += !net_is_apart (g_array_index (groups, NetGroup, i).name);
  if (hidden)
    g_string_append_printf (h, "<tr><td colspan=\"5\" class=\"muted\">%u more</td></tr>\n", hidden);
  g_string_append (h, "</tbody></table></div>\n");
}

static void
net_chart (Report *r, const NetAgg *a, gboolean as)
{
  static const char *const series[] = { "share of the sources", "share of the packets" };
  static const char *const colours[] = { "#0072B2", "#E69F00" };
  g_autoptr (GArray) groups = net_groups (a, as);
  guint64 n = a->sources->len;
  guint top = (guint) MIN ((guint64) groups->len, r->cfg->top_networks);
  /* the most sources, then whatever sends the most packets that is not
   * among them yet, then unknown and pseudonyms */
  g_autoptr (GPtrArray) cats = g_ptr_array_new ();
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) vals = g_array_new (FALSE, FALSE, sizeof (double));
  guint known = 0;
  while (known < groups->len && !net_is_apart (g_array_index (groups, NetGroup, known).name))
    known++;
  g_autoptr (GArray) pick = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < MIN (top, known); i++)
    g_array_append_val (pick, i);
  const NetGroup *pk = net_top_packets (groups);
  guint pki = pk ? (guint) (pk - &g_array_index (groups, NetGroup, 0)) : G_MAXUINT;
  if (pk && pki >= top)
    g_array_append_val (pick, pki);
  for (guint i = known; i < groups->len; i++)
    g_array_append_val (pick, i);
  guint nc = pick->len;
  g_autofree double *v = g_new0 (double, 2 * (gsize) nc + 1);
  for (guint k = 0; k < nc; k++)
    {
      const NetGroup *g = &g_array_index (groups, NetGroup, g_array_index (pick, guint, k));
      char x[32], y[32];
      g_ptr_array_add (cats, (gpointer) g->name);
      v[k] = net_pct (g->sources, n);
      v[nc + k] = net_pct (g->packets, a->packets);
      g_ptr_array_add (notes, g_strdup_printf ("%s src · %s pkt", report_fmt_si ((double) g->sources, x),
                                               report_fmt_si ((double) g->packets, y)));
    }
  double vmax = 0;
  for (guint k = 0; k < 2 * nc; k++)
    vmax = isfinite (v[k]) ? MAX (vmax, v[k]) : vmax;
  char num[32], pkts[32];
  g_autofree char *caption = g_strdup_printf ("Share of the %s distinct sources and of their %s packets per %s (the %u "
                                              "with the most sources%s); unknown: no %s in the databases; pseudonyms "
                                              "name sources whose address the trace hides.",
                                              report_fmt_int ((gint64) n, num), report_fmt_si ((double) a->packets, pkts),
                                              as ? "autonomous system" : "country", MIN (top, known),
                                              pk && pki >= top ? ", and the one with the most packets" : "",
                                              as ? "AS" : "country");
  ReportChart *c = report_chart_add (r, "networks", as ? "networks-ases" : "networks-countries",
                                     as ? "Top autonomous systems" : "Top countries", caption);
  ReportHBars b = {
    .n_cat = nc, .n_series = 2, .cats = (const char *const *) cats->pdata, .series = series,
    .notes = (const char *const *) notes->pdata, .values = v, .vmin = 0,
    .vmax = report_axis_top (MAX (vmax, 1.0), 5, FALSE), .x_title = "% of all", .digits = 1, .colours = colours,
  };
  report_svg_hbars (c->svg, &b, &c->width, &c->height);
  c->html = g_string_new (NULL);
  net_table (c->html, groups, top, n, a->packets, as ? "autonomous system" : "country");
}

static void
net_finding (Report *r, const NetAgg *a)
{
  char p1[32], p2[32];
  GString *f = g_string_new (NULL);
  for (int as = 0; as < 2; as++)
    {
      if (!(as ? a->any_as : a->any_country))
        continue;
      g_autoptr (GArray) groups = net_groups (a, as);
      const NetGroup *top = groups->len && !net_is_apart (g_array_index (groups, NetGroup, 0).name)
                            ? &g_array_index (groups, NetGroup, 0) : NULL;
      const NetGroup *pk = net_top_packets (groups);
      if (top == NULL)
        continue;
      g_string_append_printf (f, "%s%s %s has the most sources (%s%%)", f->len ? "; " : "", as ? "AS-wise," : "By country,",
                              top->name, report_fmt_ratio (net_pct (top->sources, a->sources->len), 1, p1));
      if (pk && pk != top)
        g_string_append_printf (f, ", %s the most packets (%s%%)", pk->name, report_fmt_ratio (net_pct (pk->packets, a->packets), 1, p2));
      else if (pk)
        g_string_append_printf (f, " and packets (%s%%)", report_fmt_ratio (net_pct (pk->packets, a->packets), 1, p2));
    }
  if (f->len)
    report_finding (r, "%s.", f->str);
  g_string_free (f, TRUE);
}

void
report_charts_networks (Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_ENRICHED);
  if (in == NULL)
    return;
  NetAgg a = { 0 };
  a.sources = g_array_new (FALSE, TRUE, sizeof (NetSource));
  dp_hash_init (&a.ix, 1024);
  a.names = dp_name_map_new ();
  a.strings = g_string_chunk_new (1024);
  for (guint i = 0; i < in->len; i++)
    net_add_table (&a, report_table (r, REPORT_IN_ENRICHED, i));
  if (a.sources->len > 0)
    {
      if (a.any_country)
        net_chart (r, &a, FALSE);
      if (a.any_as)
        net_chart (r, &a, TRUE);
      net_finding (r, &a);
    }
  g_array_unref (a.sources);
  dp_hash_clear (&a.ix);
  dp_name_map_unref (a.names);
  g_string_chunk_free (a.strings);
}
