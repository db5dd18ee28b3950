/* dp-summary.c — the end-of-run summary: the stages' table, each rank's
 * figures (--verbose), and both as JSON (--summary-json).  Under MPI rank 0
 * holds the job's figures (dp-ranks-summary.c reduces them). */
#include "config.h"

#include <string.h>

#include "dp-output.h"
#include "dp-pipeline-private.h"

void
dp_rank_figures_local (DpPipeline *p, DpRankFigures *f)
{
  memset (f, 0, sizeof *f);
  /* the high-water mark is reset per stage: the run's peak is the largest */
  f->peak_kb = dp_peak_rss_kb ();
  for (guint r = 0; r < p->order->len; r++)
    {
      DpStage *st = spec_at (p, r)->stage;
      if (st->desc->kind == DP_KIND_SOURCE)
        f->packets_read += st->prov_packets;
      f->peak_kb = MAX (f->peak_kb, st->peak_rss_kb);
    }
  DpCommStats cs;
  dp_comm_stats (&cs);
  f->bytes_sent = cs.bytes_sent;
  f->bytes_received = cs.bytes_received;
  f->wait_us = cs.wait_us;
  f->run_us = p->run_start_us ? g_get_monotonic_time () - p->run_start_us : 0;
  g_strlcpy (f->host, g_get_host_name (), sizeof f->host);
}

/* The job's exchange: bytes sent between ranks and packets read. */
static void
summary_exchange (DpPipeline *p, guint64 *bytes, guint64 *packets)
{
  *bytes = *packets = 0;
  for (guint i = 0; p->ranks && i < p->ranks->len; i++)
    {
      const DpRankFigures *f = &g_array_index (p->ranks, DpRankFigures, i);
      *bytes += f->exchange_bytes;
      *packets += f->packets_read;
    }
}

static guint
summary_n_ranks (DpPipeline *p)
{
  return p->ctx->comm ? p->ctx->comm->size : 1;
}

static gint64
summary_peak_kb (DpPipeline *p)
{
  gint64 peak = dp_peak_rss_kb ();
  for (guint r = 0; r < p->order->len; r++)
    peak = MAX (peak, spec_at (p, r)->stage->peak_rss_kb);
  return peak;
}

static gint64
summary_run_us (DpPipeline *p)
{
  return p->run_us ? p->run_us : (p->run_start_us ? g_get_monotonic_time () - p->run_start_us : 0);
}

void
dp_pipeline_print_summary (DpPipeline *p, FILE *out)
{
  dp_stage_clear_progress_line (p->ctx);
  fprintf (out, "%-18s %-16s %12s %12s %9s %9s\n", "stage", "plugin", "rows in", "rows out", "seconds", "peak MB");
  for (guint r = 0; r < p->order->len; r++)
    {
      DpStage *st = spec_at (p, r)->stage;
      fprintf (out, "%-18s %-16s %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT " %9.3f %9.1f\n",
               st->name, st->desc->name, st->rows_in, st->rows_out, st->time_us / 1e6,
               st->peak_rss_kb / 1024.0);
      for (guint i = 0; i < st->counters->len; i++)
        {
          DpCounter *c = &g_array_index (st->counters, DpCounter, i);
          fprintf (out, "%-18s   %s: %" G_GUINT64_FORMAT "\n", "", c->name, c->value);
        }
    }
  guint n = summary_n_ranks (p);
  if (n > 1 && !p->ranks_reduced)
    fprintf (out, "ranks: %u; these are rank 0's own figures (the job did not finish)\n", n);
  else if (n > 1)
    {
      guint64 bytes, packets;
      summary_exchange (p, &bytes, &packets);
      fprintf (out, "ranks: %u; rows and counters of all, seconds and peak MB of the largest; "
               "%.1f MB exchanged, %.1f bytes a packet read\n",
               n, bytes / 1e6, packets ? (double) bytes / (double) packets : 0.0);
    }
  fprintf (out, "total %.3f s, peak memory %.1f MB\n", summary_run_us (p) / 1e6, summary_peak_kb (p) / 1024.0);
}

void
dp_pipeline_print_ranks (DpPipeline *p, FILE *out)
{
  if (p->ranks == NULL)
    return;
  fprintf (out, "%-5s %12s %11s %11s %9s %9s %9s %9s %9s  %s\n", "rank", "packets read", "routed out",
           "routed in", "MB sent", "MB recv", "seconds", "waited", "peak MB", "host");
  for (guint i = 0; i < p->ranks->len; i++)
    {
      const DpRankFigures *f = &g_array_index (p->ranks, DpRankFigures, i);
      fprintf (out, "%-5u %12" G_GUINT64_FORMAT " %11" G_GUINT64_FORMAT " %11" G_GUINT64_FORMAT
               " %9.2f %9.2f %9.3f %9.3f %9.1f  %s\n",
               i, f->packets_read, f->routed_out, f->routed_in, f->bytes_sent / 1e6, f->bytes_received / 1e6,
               f->run_us / 1e6, f->wait_us / 1e6, f->peak_kb / 1024.0, f->host);
    }
}

static void
summary_json_stages (GString *s, DpPipeline *p)
{
  g_string_append (s, "\"stages\":[");
  for (guint r = 0; r < p->order->len; r++)
    {
      DpStage *st = spec_at (p, r)->stage;
      g_string_append (s, r ? ",{\"name\":" : "{\"name\":");
      dp_json_append_string (s, st->name);
      g_string_append (s, ",\"plugin\":");
      dp_json_append_string (s, st->desc->name);
      g_string_append_printf (s, ",\"rows_in\":%" G_GUINT64_FORMAT ",\"rows_out\":%" G_GUINT64_FORMAT
                              ",\"seconds\":%.6f,\"peak_mb\":%.1f,\"counters\":{",
                              st->rows_in, st->rows_out, st->time_us / 1e6, st->peak_rss_kb / 1024.0);
      for (guint i = 0; i < st->counters->len; i++)
        {
          DpCounter *c = &g_array_index (st->counters, DpCounter, i);
          if (i)
            g_string_append_c (s, ',');
          dp_json_append_string (s, c->name);
          g_string_append_printf (s, ":%" G_GUINT64_FORMAT, c->value);
        }
      g_string_append (s, "}}");
    }
  g_string_append (s, "]");
}

static void
summary_json_ranks (GString *s, DpPipeline *p)
{
  g_string_append (s, "\"per_rank\":[");
  for (guint i = 0; p->ranks && i < p->ranks->len; i++)
    {
      const DpRankFigures *f = &g_array_index (p->ranks, DpRankFigures, i);
      g_string_append_printf (s, "%s{\"rank\":%u,\"host\":", i ? "," : "", i);
      dp_json_append_string (s, f->host);
      g_string_append_printf (s, ",\"packets_read\":%" G_GUINT64_FORMAT ",\"routed_out\":%" G_GUINT64_FORMAT
                              ",\"routed_in\":%" G_GUINT64_FORMAT ",\"exchange_bytes\":%" G_GUINT64_FORMAT
                              ",\"bytes_sent\":%" G_GUINT64_FORMAT ",\"bytes_received\":%" G_GUINT64_FORMAT
                              ",\"seconds\":%.6f,\"wait_seconds\":%.6f,\"peak_mb\":%.1f}",
                              f->packets_read, f->routed_out, f->routed_in, f->exchange_bytes, f->bytes_sent,
                              f->bytes_received, f->run_us / 1e6, f->wait_us / 1e6, f->peak_kb / 1024.0);
    }
  g_string_append (s, "]");
}

gboolean
dp_pipeline_write_summary_json (DpPipeline *p, const char *path, const GError *run_error, GError **error)
{
  GString *s = g_string_new ("{\"pipeline\":");
  dp_json_append_string (s, p->name);
  g_string_append_printf (s, ",\"ok\":%s,\"error\":", run_error ? "false" : "true");
  if (run_error)
    dp_json_append_string (s, run_error->message);
  else
    g_string_append (s, "null");
  guint n = summary_n_ranks (p);
  guint64 bytes, packets;
  summary_exchange (p, &bytes, &packets);
  g_string_append_printf (s, ",\"ranks\":%u,\"figures\":\"%s\",\"seconds\":%.6f,\"peak_mb\":%.1f,", n,
                          n > 1 && !p->ranks_reduced ? "rank 0" : "job", summary_run_us (p) / 1e6,
                          summary_peak_kb (p) / 1024.0);
  summary_json_stages (s, p);
  g_string_append_printf (s, ",\"exchange\":{\"bytes\":%" G_GUINT64_FORMAT ",\"packets_read\":%" G_GUINT64_FORMAT
                          ",\"bytes_per_packet\":%.3f},", bytes, packets,
                          packets ? (double) bytes / (double) packets : 0.0);
  summary_json_ranks (s, p);
  g_string_append (s, "}\n");
  DpOutFile *f = dp_outfile_open (path, FALSE, error);
  if (f)
    dp_outfile_write (f, s->str, s->len);
  g_string_free (s, TRUE);
  return f && dp_outfile_commit (f, error);
}
