/* charts-campaigns.c — the day's new campaigns: the emerged clusters of a
 * `track` stage, profiled by cluster_profile (carry: [day, track, flag]),
 * one flagged row each, largest first, and a finding for the largest. */
#include "config.h"

#include <string.h>
#include "report.h"

typedef struct {
  const DpTable *t;
  guint row;
  double members;
} CampaignRow;

static gint
campaign_cmp (gconstpointer a, gconstpointer b)
{
  const CampaignRow *x = a, *y = b;
  if (x->members != y->members)
    return x->members > y->members ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* The text of column @name of row @row ("" when the table lacks it). */
static void
campaign_cell (const DpTable *t, const char *name, guint row, GString *out)
{
  g_string_truncate (out, 0);
  gint c = dp_table_find_column (t, name);
  if (c >= 0)
    dp_table_format_cell (t, (guint) c, row, out);
}

/* "23/tcp:0.75;2323/tcp:0.25" -> "23/tcp 75%, 2323/tcp 25%" (plain text,
 * appended to @out) */
static void
campaign_list (GString *out, const char *list)
{
  g_auto (GStrv) items = g_strsplit (list, ";", -1);
  gboolean first = TRUE;
  for (guint i = 0; items[i]; i++)
    {
      if (*items[i] == '\0')
        continue;
      char *colon = strrchr (items[i], ':');
      g_string_append (out, first ? "" : ", ");
      first = FALSE;
      if (colon)
        {
          *colon = '\0';
          double pc = g_ascii_strtod (colon + 1, NULL) * 100;
          if (pc > 0 && pc < 0.5)
            g_string_append_printf (out, "%s <1%%", items[i]);
          else
            g_string_append_printf (out, "%s %.0f%%", items[i], pc);
        }
      else
        g_string_append (out, items[i]);
    }
}

static const struct { const char *col, *head; gboolean num, list; } campaign_cols[] = {
  { "day", "day", FALSE, FALSE }, { "track", "track", TRUE, FALSE }, { "cluster", "cluster", TRUE, FALSE },
  { "members", "sources", TRUE, FALSE }, { "packets", "packets", TRUE, FALSE },
  { "top_ports", "top ports", FALSE, TRUE }, { "patterns", "taxonomy patterns (of the sources)", FALSE, TRUE },
  { "fingerprints", "fingerprints (of the probes)", FALSE, TRUE }, { "asns", "AS (of the sources)", FALSE, TRUE },
  { "countries", "countries", FALSE, TRUE },
};

void
report_charts_campaigns (Report *r)
{
  GPtrArray *in = report_inputs (r, REPORT_IN_NEW_CAMPAIGNS);
  if (in == NULL)
    return;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (CampaignRow));
  for (guint i = 0; i < in->len; i++)
    {
      const DpTable *t = report_table (r, REPORT_IN_NEW_CAMPAIGNS, i);
      gint cm = dp_table_find_column (t, "members");
      for (guint row = 0; row < t->n_rows; row++)
        {
          CampaignRow x = { t, row, report_cell_num (t, cm, row) };
          g_array_append_val (rows, x);
        }
    }
  g_array_sort (rows, campaign_cmp);
  /* the columns some row has a value in (asns stay empty without enrich) */
  g_autoptr (GString) cell = g_string_new (NULL), text = g_string_new (NULL);
  gboolean shown[G_N_ELEMENTS (campaign_cols)] = { FALSE };
  for (guint k = 0; k < G_N_ELEMENTS (campaign_cols); k++)
    for (guint i = 0; i < rows->len && !shown[k]; i++)
      {
        const CampaignRow *x = &g_array_index (rows, CampaignRow, i);
        campaign_cell (x->t, campaign_cols[k].col, x->row, cell);
        shown[k] = cell->len > 0;
      }
  guint n_shown = MIN (rows->len, (guint) r->cfg->max_clusters);
  if (rows->len == 0)
    report_finding (r, "No new campaign: every cluster of the day continues one of the previous day.");
  else
    {
      const CampaignRow *top = &g_array_index (rows, CampaignRow, 0);
      g_autoptr (GString) what = g_string_new (NULL);
      const char *parts[][2] = { { "top_ports", "ports" }, { "patterns", "patterns" }, { "fingerprints", "fingerprints" },
                                 { "countries", "countries" } };
      for (guint k = 0; k < G_N_ELEMENTS (parts); k++)
        {
          campaign_cell (top->t, parts[k][0], top->row, cell);
          if (cell->len == 0)
            continue;
          g_string_append_printf (what, "; %s ", parts[k][1]);
          campaign_list (what, cell->str);
        }
      campaign_cell (top->t, "track", top->row, cell);
      g_autofree char *track = g_strdup (cell->str);
      char n[32];
      report_finding (r, "%u new campaign%s (clusters that continue none of the previous day's); the largest, "
                      "track %s, has %s sources%s.", rows->len, rows->len == 1 ? "" : "s", track[0] ? track : "?",
                      report_fmt_int ((gint64) top->members, n), what->str);
    }
  ReportChart *ch = report_chart_add (r, "campaigns", "new-campaigns", "New campaigns",
                                      "Clusters of the day that continue none of the previous day's (MONIC's "
                                      "emerged clusters, from the track stage), largest first, each with what its "
                                      "sources sent (shares of its packets), the taxonomy patterns and scanner "
                                      "fingerprints seen (shares of its sources and of its probes) and its "
                                      "autonomous systems and countries when an enrich stage fed them.");
  g_string_free (ch->svg, TRUE);
  ch->svg = NULL;
  ch->html = g_string_new ("<div style=\"overflow-x:auto\"><table class=\"data\"><thead><tr><th>flag</th>");
  for (guint k = 0; k < G_N_ELEMENTS (campaign_cols); k++)
    if (shown[k])
      g_string_append_printf (ch->html, "<th%s>%s</th>", campaign_cols[k].num ? " class=\"num\"" : "",
                              campaign_cols[k].head);
  g_string_append (ch->html, "</tr></thead><tbody>\n");
  for (guint i = 0; i < n_shown; i++)
    {
      const CampaignRow *x = &g_array_index (rows, CampaignRow, i);
      campaign_cell (x->t, "flag", x->row, cell);
      g_string_append (ch->html, "<tr class=\"campaign\"><td style=\"white-space:nowrap\"><span class=\"tag\">");
      report_esc (ch->html, cell->len ? cell->str : "new campaign");
      g_string_append (ch->html, "</span></td>");
      for (guint k = 0; k < G_N_ELEMENTS (campaign_cols); k++)
        {
          if (!shown[k])
            continue;
          campaign_cell (x->t, campaign_cols[k].col, x->row, cell);
          g_string_append (ch->html, campaign_cols[k].num ? "<td class=\"num\">" : "<td>");
          if (campaign_cols[k].list)
            {
              g_string_truncate (text, 0);
              campaign_list (text, cell->str);
              report_esc (ch->html, text->str);
            }
          else
            report_esc (ch->html, cell->str);
          g_string_append (ch->html, "</td>");
        }
      g_string_append (ch->html, "</tr>\n");
    }
  if (rows->len == 0)
    g_string_append_printf (ch->html, "<tr><td colspan=\"%u\" class=\"muted\">no new campaign today</td></tr>\n",
                            1 + (guint) G_N_ELEMENTS (campaign_cols));
  else if (n_shown < rows->len)
    g_string_append_printf (ch->html, "<tr><td colspan=\"%u\" class=\"muted\">and %u smaller ones (max_clusters: "
                            "%u shown; the new_campaigns table has them all)</td></tr>\n",
                            1 + (guint) G_N_ELEMENTS (campaign_cols), rows->len - n_shown, n_shown);
  g_string_append (ch->html, "</tbody></table></div>\n");
}
