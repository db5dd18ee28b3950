/* dp-stage.c — a running plugin instance and what it may ask of the core. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dp-options.h"
#include "dp-private.h"

const char *
dp_plugin_kind_name (DpPluginKind kind)
{
  static const char *names[] = { "source", "detector", "corpus", "trainer", "clusterer", "sink", "transform",
                                 "evaluator" };
  return (guint) kind < G_N_ELEMENTS (names) ? names[kind] : "unknown";
}

/* VmHWM from /proc (resettable through clear_refs), else getrusage's
 * whole-run maximum. */
gint64
dp_peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *hwm = strstr (status, "VmHWM:");
      if (hwm)
        return g_ascii_strtoll (hwm + 6, NULL, 10);
    }
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return ru.ru_maxrss;
}

gboolean
dp_peak_rss_reset (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  if (f == NULL)
    return FALSE;
  gboolean ok = fputs ("5", f) >= 0;
  return (fclose (f) == 0) && ok;
}

DpStage *
dp_stage_new_internal (DpContext *ctx, const char *name, const DpPluginDesc *desc)
{
  DpStage *s = g_new0 (DpStage, 1);
  s->ctx = ctx;
  s->name = g_strdup (name);
  s->desc = desc;
  s->threads = ctx ? MAX (ctx->threads, 1u) : 1;
  s->consumers = g_new0 (GPtrArray *, MAX (desc->n_outputs, 1u));
  for (guint i = 0; i < desc->n_outputs; i++)
    s->consumers[i] = g_ptr_array_new_with_free_func (g_free);
  s->counters = g_array_new (FALSE, TRUE, sizeof (DpCounter));
  s->upstreams = g_ptr_array_new ();
  s->in_links = g_new0 (guint, MAX (desc->n_inputs, 1u));
  g_mutex_init (&s->inbox_lock);
  s->prov_first = G_MAXINT64;
  s->prov_last = G_MININT64;
  if (ctx)
    g_ptr_array_add (ctx->stages, s);
  return s;
}

void
dp_stage_free_internal (DpStage *s)
{
  if (s == NULL)
    return;
  if (s->live && s->ctx)
    g_atomic_int_add (&s->ctx->live_sources, -1);
  if (s->desc->finalize && s->state)
    s->desc->finalize (s->state);
  s->state = NULL;
  if (s->config)
    dp_config_free (s->desc, s->config);
  for (guint i = 0; i < s->desc->n_outputs; i++)
    {
      g_ptr_array_unref (s->consumers[i]);
      if (s->captured)
        g_ptr_array_unref (s->captured[i]);
    }
  g_free (s->consumers);
  g_free (s->captured);
  for (guint i = 0; i < s->counters->len; i++)
    g_free (g_array_index (s->counters, DpCounter, i).name);
  g_array_unref (s->counters);
  g_ptr_array_unref (s->upstreams);
  g_free (s->in_links);
  g_free (s->error_option);
  if (s->prov_files)
    g_ptr_array_unref (s->prov_files);
  g_free (s->prov_origin);
  if (s->column_checked)
    g_hash_table_destroy (s->column_checked);
  dp_sched_fanouts_clear (s);
  dp_sched_inbox_clear (s);
  g_mutex_clear (&s->inbox_lock);
  if (s->ctx)
    g_ptr_array_remove (s->ctx->stages, s);
  g_clear_error (&s->error);
  g_free (s->name);
  g_free (s->pipeline_name);
  g_free (s->pipeline_file);
  g_free (s);
}

void
dp_stage_link (DpStage *from, guint out_port, DpStage *to, guint in_port)
{
  DpLink *l = g_new (DpLink, 1);
  l->to = to;
  l->port = in_port;
  l->stopped = FALSE;
  g_ptr_array_add (from->consumers[out_port], l);
  if (!g_ptr_array_find (to->upstreams, from, NULL))
    g_ptr_array_add (to->upstreams, from);
}

guint64
batch_rows (const DpBatch *b)
{
  switch (b->type)
    {
    case DP_TYPE_PACKETS: return ((const DpPackets *) b)->n_rows;
    case DP_TYPE_TABLE: return ((const DpTable *) b)->n_rows;
    case DP_TYPE_CORPUS: return ((const DpCorpus *) b)->n_tokens;
    case DP_TYPE_EMBEDDING: return ((const DpEmbedding *) b)->n;
    case DP_TYPE_GRAPH: return ((const DpGraph *) b)->n_edges;
    default: return 0;
    }
}

/* TRUE once any stage of the run failed (a harness: this one). */
static gboolean
stage_run_failed (const DpStage *s)
{
  return s->ctx ? g_atomic_int_get (&s->ctx->failed) != 0 : s->error != NULL;
}

void
dp_stage_note_error (DpStage *s, GError *error)
{
  if (s->error == NULL)
    s->error = error;
  else
    g_error_free (error);
  if (s->ctx)
    g_atomic_int_set (&s->ctx->failed, 1);
}

/* A callback that fails must say why; one that forgot still gets a message. */
static gboolean
stage_failed (DpStage *s, const char *what, GError **error)
{
  if (error && *error == NULL)
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s() failed without saying why", what);
  g_prefix_error (error, "stage '%s' (%s): ", s->name, s->desc->name);
  return FALSE;
}

/* Peak memory per stage while stages run at the same time: the kernel's
 * high-water mark is one per process, so a reset for a stage that starts
 * first gives every running stage what it has seen; a stage's figure is
 * then the process's peak during its run (its own memory and that of
 * whatever ran beside it). */
static void
peak_begin (DpStage *s)
{
  DpContext *ctx = s->ctx;
  if (ctx == NULL)
    {
      dp_peak_rss_reset ();
      return;
    }
  g_mutex_lock (&ctx->peak_lock);
  gint64 now = dp_peak_rss_kb ();
  for (guint i = 0; i < ctx->peak_active->len; i++)
    {
      DpStage *o = g_ptr_array_index (ctx->peak_active, i);
      o->peak_rss_kb = MAX (o->peak_rss_kb, now);
    }
  dp_peak_rss_reset ();
  g_ptr_array_add (ctx->peak_active, s);
  g_mutex_unlock (&ctx->peak_lock);
}

static void
peak_end (DpStage *s)
{
  DpContext *ctx = s->ctx;
  if (ctx)
    g_mutex_lock (&ctx->peak_lock);
  s->peak_rss_kb = MAX (s->peak_rss_kb, dp_peak_rss_kb ());
  if (ctx)
    {
      g_ptr_array_remove_fast (ctx->peak_active, s);
      g_mutex_unlock (&ctx->peak_lock);
    }
}

gboolean
dp_stage_call_check (DpStage *s, GError **error)
{
  g_clear_pointer (&s->error_option, g_free);
  if (s->desc->check == NULL)
    return TRUE;
  if (s->desc->check (s, s->config, error))
    return TRUE;
  if (error && *error == NULL)
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE, "check() failed without saying why");
  return FALSE;
}

gboolean
dp_stage_call_init (DpStage *s, GError **error)
{
  if (s->desc->init == NULL)
    return TRUE;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = s->desc->init (s, s->config, &s->state, error);
  s->time_us += g_get_monotonic_time () - t0;
  if (!ok)
    return stage_failed (s, "init", error);
  return TRUE;
}

gboolean
dp_stage_call_run (DpStage *s, GError **error)
{
  if (s->desc->run == NULL)
    return TRUE;
  peak_begin (s);
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = s->desc->run (s, s->state, error);
  s->time_us += g_get_monotonic_time () - t0;
  /* its input ended: an interruption now cancels the run again */
  if (s->live && s->ctx)
    g_atomic_int_add (&s->ctx->live_sources, -1);
  s->live = FALSE;
  peak_end (s);
  if (!ok)
    return stage_failed (s, "run", error);
  return TRUE;
}

/* (transfer full) "a (int64), b (string)" of @t's columns. */
static char *
table_column_list (const DpTable *t)
{
  GString *s = g_string_new (NULL);
  for (guint c = 0; c < t->n_cols; c++)
    g_string_append_printf (s, "%s%s (%s)", c ? ", " : "", t->cols[c].name, dp_col_type_name (t->cols[c].type));
  if (s->len == 0)
    g_string_append (s, "no columns");
  return g_string_free (s, FALSE);
}

/* The first table from each upstream on an input that declares columns:
 * each needed column that is missing, or of another type, is reported by
 * name (a chart or a file would otherwise just come out empty). */
static gboolean
stage_check_columns (DpStage *s, guint port, const char *upstream, const DpTable *t, GError **error)
{
  const DpPortDesc *in = &s->desc->inputs[port];
  if (s->column_checked == NULL)
    s->column_checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* every table batch passes here: no allocation once checked (stage
   * names have at most 64 characters) */
  char key[96];
  g_snprintf (key, sizeof key, "%u/%s", port, upstream);
  if (g_hash_table_contains (s->column_checked, key))
    return TRUE;
  g_hash_table_add (s->column_checked, g_strdup (key));
  for (guint i = 0; i < in->n_columns; i++)
    {
      const DpColumnDesc *want = &in->columns[i];
      if (want->flags & DP_COLUMN_OPTIONAL)
        continue;
      gint c = dp_table_find_column (t, want->name);
      if (c >= 0 && t->cols[c].type == want->type)
        continue;
      g_autofree char *cols = table_column_list (t);
      if (!dp_stage_data_error (s, error, "missing-column",
                                "input '%s': the table '%s' from stage '%s' has %s column '%s' (%s), "
                                "which this stage reads; it has: %s",
                                in->name, t->name ? t->name : "?", upstream, c >= 0 ? "a mistyped" : "no",
                                want->name, dp_col_type_name (want->type), cols))
        return FALSE;
    }
  return TRUE;
}

DpFlow
dp_stage_call_process (DpStage *s, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  if (s->error)
    return DP_FLOW_ERROR;     /* a stage that failed takes no more data */
  s->rows_in += batch_rows (batch);
  if (batch->type == DP_TYPE_TABLE && port < s->desc->n_inputs && s->desc->inputs[port].n_columns > 0
      && !stage_check_columns (s, port, upstream, (const DpTable *) batch, error))
    {
      stage_failed (s, "process", error);
      return DP_FLOW_ERROR;
    }
  if (s->desc->process == NULL)
    return DP_FLOW_OK;
  gint64 t0 = g_get_monotonic_time ();
  GError *err = NULL;
  DpFlow flow = s->desc->process (s, s->state, port, upstream, batch, &err);
  s->time_us += g_get_monotonic_time () - t0;
  if (err != NULL && flow != DP_FLOW_ERROR)
    {
      g_critical ("stage '%s' (%s): process() set an error but returned flow %d", s->name, s->desc->name,
                  (int) flow);
      flow = DP_FLOW_ERROR;
    }
  if (flow == DP_FLOW_ERROR && err == NULL && !stage_run_failed (s))
    /* nobody downstream failed, so the error is this stage's own */
    g_set_error (&err, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "process() failed without saying why");
  if (err != NULL)
    {
      stage_failed (s, "process", &err);
      g_propagate_error (error, err);
    }
  return flow;
}

gboolean
dp_stage_call_finish (DpStage *s, GError **error)
{
  if (s->error)
    {
      g_propagate_error (error, g_steal_pointer (&s->error));
      return FALSE;
    }
  if (s->desc->finish == NULL)
    {
      s->finished = TRUE;
      return TRUE;
    }
  peak_begin (s);
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = s->desc->finish (s, s->state, error);
  s->time_us += g_get_monotonic_time () - t0;
  peak_end (s);
  if (!ok)
    return stage_failed (s, "finish", error);
  /* a sink whose finish succeeded has written its outputs, even when a
   * signal came meanwhile: say so in the interruption message; another
   * stage that saw the signal may have stopped early */
  s->finished = s->desc->kind == DP_KIND_SINK || !dp_stage_cancelled (s);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* public stage API */

DpFlow
dp_stage_push_packets (DpStage *s, guint out_port, DpPackets **batch)
{
  DpPackets *p = *batch;
  DpFlow flow = dp_stage_push (s, out_port, dp_batch_ref (p));
  if (g_atomic_int_get (&p->base.ref_count) == 1)
    {
      p->n_rows = 0;
      return flow;
    }
  *batch = dp_packets_new (p->capacity);
  if (p->names)
    dp_packets_set_names (*batch, p->names);
  dp_batch_unref (p);
  return flow;
}

/* The state of the run as a flow value: an interruption or a failure
 * anywhere ends every stream. */
DpFlow
dp_stage_run_flow (const DpStage *s)
{
  if (g_atomic_int_get (&s->harness_cancelled) || (s->ctx && g_atomic_int_get (&s->ctx->cancelled)))
    return DP_FLOW_CANCELLED;
  if (stage_run_failed (s))
    return DP_FLOW_ERROR;
  return DP_FLOW_OK;
}

/* One batch to one consumer, now: its error is kept, its STOP closes the link. */
void
dp_stage_deliver (DpStage *from, DpLink *l, DpBatch *batch)
{
  GError *err = NULL;
  DpFlow f = dp_stage_call_process (l->to, l->port, from->name, batch, &err);
  if (err)
    dp_stage_note_error (l->to, err);
  if (f == DP_FLOW_STOP)
    l->stopped = TRUE;
}

DpFlow
dp_stage_push (DpStage *s, guint out_port, gpointer batch_ptr)
{
  DpBatch *batch = batch_ptr;
  g_return_val_if_fail (batch != NULL, DP_FLOW_ERROR);
  if (out_port >= s->desc->n_outputs)
    {
      g_critical ("stage '%s' (%s) pushed on port %u but declares %u outputs",
                  s->name, s->desc->name, out_port, s->desc->n_outputs);
      dp_batch_unref (batch);
      return DP_FLOW_ERROR;
    }
  DpFlow flow = dp_stage_run_flow (s);
  if (flow != DP_FLOW_OK)
    {
      dp_batch_unref (batch);
      return flow;
    }
  s->rows_out += batch_rows (batch);
  if (batch->type == DP_TYPE_PACKETS && s->desc->kind == DP_KIND_SOURCE)
    {
      /* provenance: the time range and count of what the source read */
      const DpPackets *p = (const DpPackets *) batch;
      gint64 lo = s->prov_first, hi = s->prov_last;
      for (guint i = 0; i < p->n_rows; i++)
        {
          lo = MIN (lo, p->ts[i]);
          hi = MAX (hi, p->ts[i]);
        }
      s->prov_first = lo;
      s->prov_last = hi;
      s->prov_packets += p->n_rows;
    }
  if (s->captured)
    g_ptr_array_add (s->captured[out_port], dp_batch_ref (batch));
  /* the producer's time must not include its consumers' work */
  gint64 t0 = g_get_monotonic_time ();
  dp_sched_deliver_all (s, out_port, batch);
  s->time_us -= g_get_monotonic_time () - t0;
  dp_batch_unref (batch);
  flow = dp_stage_run_flow (s);
  if (flow != DP_FLOW_OK)
    return flow;
  /* a port nobody consumes wants nothing (GStreamer's "not linked"); a
   * harness captures everything */
  GPtrArray *links = s->consumers[out_port];
  for (guint i = 0; i < links->len; i++)
    if (!((DpLink *) g_ptr_array_index (links, i))->stopped)
      return DP_FLOW_OK;
  return s->captured ? DP_FLOW_OK : DP_FLOW_STOP;
}

const char *
dp_stage_name (const DpStage *s)
{
  return s->name;
}

/* What the stage may use at most: its `threads` key (else --threads),
 * never more than the run's budget. */
guint
dp_stage_threads_wanted (const DpStage *s)
{
  guint want = MAX (s->threads, 1u);
  return s->ctx ? MIN (want, MAX (s->ctx->threads, 1u)) : want;
}

guint
dp_stage_threads_max (const DpStage *s)
{
  return dp_stage_threads_wanted (s);
}

guint
dp_stage_threads (const DpStage *s)
{
  gint grant = g_atomic_int_get (&s->grant);
  return grant > 0 ? (guint) grant : dp_stage_threads_wanted (s);
}

gboolean
dp_stage_cancelled (const DpStage *s)
{
  if (g_atomic_int_get (&s->harness_cancelled))
    return TRUE;
  return s->ctx && (g_atomic_int_get (&s->ctx->cancelled) || g_atomic_int_get (&s->ctx->failed));
}

void
dp_stage_set_live (DpStage *s)
{
  if (s->live)
    return;
  s->live = TRUE;
  if (s->ctx)
    g_atomic_int_inc (&s->ctx->live_sources);
}

gboolean
dp_stage_input_stopped (const DpStage *s)
{
  return s->ctx && g_atomic_int_get (&s->ctx->input_stopped);
}

static void
draw_progress (DpStage *s)
{
  DpContext *ctx = s->ctx;
  if (ctx == NULL || !ctx->progress)
    return;
  gint64 now = g_get_monotonic_time ();
  /* stages running at once share the bar: the time is read under the lock */
  g_mutex_lock (&ctx->log_lock);
  if (now - ctx->last_progress_us < 200000)
    {
      g_mutex_unlock (&ctx->log_lock);
      return;
    }
  ctx->last_progress_us = now;
  if (s->progress_total > 0)
    {
      double f = (double) s->progress_done / (double) s->progress_total;
      if (f > 1)
        f = 1;
      int w = 30, fill = (int) (f * w);
      char bar[31];
      memset (bar, '#', (size_t) fill);
      memset (bar + fill, '.', (size_t) (w - fill));
      bar[w] = 0;
      fprintf (stderr, "\r\033[K%-16.16s [%s] %5.1f%%", s->name, bar, 100 * f);
    }
  else
    fprintf (stderr, "\r\033[K%-16.16s %" G_GUINT64_FORMAT " done", s->name, s->progress_done);
  fflush (stderr);
  g_mutex_unlock (&ctx->log_lock);
}

void
dp_stage_progress (DpStage *s, guint64 done, guint64 total)
{
  s->progress_done = done;
  s->progress_total = total;
  draw_progress (s);
}

static DpCounter *
stage_counter (DpStage *s, const char *name)
{
  for (guint i = 0; i < s->counters->len; i++)
    {
      DpCounter *c = &g_array_index (s->counters, DpCounter, i);
      if (strcmp (c->name, name) == 0)
        return c;
    }
  DpCounter c = { g_strdup (name), 0 };
  g_array_append_val (s->counters, c);
  return &g_array_index (s->counters, DpCounter, s->counters->len - 1);
}

void
dp_stage_count (DpStage *s, const char *counter, guint64 n)
{
  stage_counter (s, counter)->value += n;
}

void
dp_stage_clear_progress_line (DpContext *ctx)
{
  if (ctx && ctx->progress && ctx->last_progress_us)
    {
      fprintf (stderr, "\r\033[K");
      ctx->last_progress_us = 0;
    }
}

static void
stage_log_always (DpStage *s, const char *prefix, const char *msg, gboolean always)
{
  if (s->ctx && s->ctx->quiet && !always)
    return;
  if (s->ctx)
    g_mutex_lock (&s->ctx->log_lock);
  if (s->ctx)
    dp_stage_clear_progress_line (s->ctx);
  g_autofree char *safe = dp_escape_controls (msg, FALSE);
  fprintf (stderr, "darkpipe: %s%s: %s\n", prefix, s->name, safe);
  if (s->ctx)
    g_mutex_unlock (&s->ctx->log_lock);
}

static void
stage_log (DpStage *s, const char *prefix, const char *msg)
{
  stage_log_always (s, prefix, msg, FALSE);
}

#define DP_ERRORS_SHOWN 5

gboolean
dp_stage_data_error (DpStage *s, GError **error, const char *category, const char *format, ...)
{
  DpCounter *c = stage_counter (s, category);
  c->value++;
  /* past the first few only counted: no message to format per bad record */
  if (!s->fail_on_error && c->value > DP_ERRORS_SHOWN)
    return TRUE;
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (s->fail_on_error)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED, "%s (%s; on_error: fail)", msg, category);
      return FALSE;
    }
  g_autofree char *line = c->value == DP_ERRORS_SHOWN
    ? g_strdup_printf ("%s (%s; skipped; further ones only counted)", msg, category)
    : g_strdup_printf ("%s (%s; skipped)", msg, category);
  stage_log (s, "warning: ", line);
  return TRUE;
}

static void
stage_logv (DpStage *s, const char *prefix, gboolean always, const char *format, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  stage_log_always (s, prefix, msg, always);
}

void
dp_stage_info (DpStage *s, const char *format, ...)
{
  /* under MPI rank 0 speaks for the job */
  if (dp_stage_rank (s) != 0)
    return;
  va_list ap;
  va_start (ap, format);
  stage_logv (s, "", FALSE, format, ap);
  va_end (ap);
}

void
dp_stage_warning (DpStage *s, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  stage_logv (s, "warning: ", TRUE, format, ap);
  va_end (ap);
}

gboolean
dp_stage_config_error (DpStage *s, GError **error, gint code, const char *option, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, DP_CONFIG_ERROR, code, msg);
  dp_stage_check_option (s, option);
  return FALSE;
}

void
dp_stage_check_option (DpStage *s, const char *option)
{
  g_free (s->error_option);
  s->error_option = g_strdup (option);
}

gboolean
dp_stage_input_connected (const DpStage *s, guint in_port)
{
  return in_port < s->desc->n_inputs && s->in_links[in_port] > 0;
}

static DpStage *
find_peer (const DpStage *s, const char *name)
{
  if (s->ctx == NULL)
    return NULL;
  for (guint i = 0; i < s->ctx->stages->len; i++)
    {
      DpStage *p = g_ptr_array_index (s->ctx->stages, i);
      if (strcmp (p->name, name) == 0)
        return p;
    }
  return NULL;
}

gboolean
dp_stage_peer_stats (const DpStage *s, const char *name, DpStageStats *out)
{
  DpStage *p = find_peer (s, name);
  if (p == NULL)
    return FALSE;
  out->plugin = p->desc->name;
  out->kind = p->desc->kind;
  out->rows_in = p->rows_in;
  out->rows_out = p->rows_out;
  out->seconds = p->time_us / 1e6;
  out->peak_mb = p->peak_rss_kb / 1024.0;
  out->finished = p->finished;
  return TRUE;
}

char *
dp_stage_peer_option (const DpStage *s, const char *name, const char *option)
{
  DpStage *p = find_peer (s, name);
  if (p == NULL || p->config == NULL)
    return NULL;
  const DpOptionDesc *opt = dp_option_find (p->desc, option);
  return opt ? dp_option_format (opt, p->config) : NULL;
}

void
dp_stage_provenance_add_file (DpStage *s, const char *path)
{
  if (s->prov_files == NULL)
    {
      s->prov_files = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (s->prov_files, NULL);
    }
  /* kept NULL-terminated */
  g_ptr_array_insert (s->prov_files, (gint) s->prov_files->len - 1, g_strdup (path));
}

void
dp_stage_provenance_set_origin (DpStage *s, const char *origin)
{
  g_free (s->prov_origin);
  s->prov_origin = g_strdup (origin);
}

gboolean
dp_stage_peer_provenance (const DpStage *s, const char *name, DpProvenance *out)
{
  DpStage *p = find_peer (s, name);
  if (p == NULL)
    return FALSE;
  out->files = p->prov_files ? (const char *const *) p->prov_files->pdata : NULL;
  out->origin = p->prov_origin;
  out->first_ns = p->prov_first;
  out->last_ns = p->prov_last;
  out->packets = p->prov_packets;
  return TRUE;
}

const char *
dp_stage_pipeline_name (const DpStage *s)
{
  return s->pipeline_name;
}

const char *
dp_stage_pipeline_file (const DpStage *s)
{
  return s->pipeline_file;
}

char **
dp_stage_peer_inputs (const DpStage *s, const char *name)
{
  DpStage *p = find_peer (s, name);
  GPtrArray *names = g_ptr_array_new ();
  for (guint i = 0; p && i < p->upstreams->len; i++)
    g_ptr_array_add (names, g_strdup (((DpStage *) g_ptr_array_index (p->upstreams, i))->name));
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

DpContext *
dp_stage_context (const DpStage *s)
{
  return s->ctx;
}

const char *
dp_context_output_dir (const DpContext *ctx)
{
  return ctx && ctx->output_dir ? ctx->output_dir : ".";
}

char *
dp_stage_output_path (const DpStage *s, const char *path)
{
  if (path == NULL)
    return NULL;
  /* "-" is the standard output, wherever the outputs go */
  if (g_path_is_absolute (path) || strcmp (path, "-") == 0)
    return g_strdup (path);
  return g_build_filename (dp_context_output_dir (s->ctx), path, NULL);
}

guint
dp_stage_rank (const DpStage *s)
{
  return s->ctx && s->ctx->comm ? s->ctx->comm->rank : 0;
}

guint
dp_stage_n_ranks (const DpStage *s)
{
  return s->ctx && s->ctx->comm ? s->ctx->comm->size : 1;
}

/* The stage's communicator when it has other ranks, else NULL. */
static const DpComm *
stage_comm (const DpStage *s)
{
  return s->ctx && s->ctx->comm && s->ctx->comm->size > 1 ? s->ctx->comm : NULL;
}

gboolean
dp_stage_ranks_share (DpStage *s, GBytes **bytes, GError **error)
{
  const DpComm *c = stage_comm (s);
  if (c == NULL)
    return *bytes != NULL;
  /* the length first, G_MAXUINT64 for a failure */
  gsize len = c->rank == 0 && *bytes ? g_bytes_get_size (*bytes) : 0;
  guint64 flag[1] = { c->rank == 0 && *bytes == NULL ? 1 : 0 };
  /* (a collective stage's waits are not interrupted: dp-comm.h) */
  if (!dp_comm_allreduce_sum (c, flag, 1) || flag[0])
    {
      if (c->rank != 0)
        g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "stage '%s': rank 0 failed", s->name);
      return FALSE;
    }
  guint8 *buf = c->rank == 0 ? (guint8 *) g_bytes_get_data (*bytes, NULL) : NULL;
  if (!dp_comm_bcast (c, &buf, &len))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED, "stage '%s': interrupted", s->name);
      return FALSE;
    }
  if (c->rank != 0)
    *bytes = g_bytes_new_take (buf, len);
  return TRUE;
}

void
dp_stage_ranks_sum (DpStage *s, float *v, gsize n)
{
  const DpComm *c = stage_comm (s);
  if (c)
    dp_comm_allreduce_sum_f32 (c, v, n);
}

GPtrArray *
dp_stage_ranks_gather (DpStage *s, GBytes *mine)
{
  const DpComm *c = stage_comm (s);
  guint n = c ? c->size : 1;
  gsize len = 0;
  gconstpointer data = g_bytes_get_data (mine, &len);
  g_autofree GByteArray **all = g_new0 (GByteArray *, n);
  if (c)
    {
      /* a collective stage's waits are not interrupted (dp-comm.h): this
       * fails only when called after an interruption, which the core does
       * not do */
      if (!dp_comm_gather (c, data, len, all))
        g_error ("stage '%s': a gather after an interruption (a bug)", s->name);
    }
  else
    {
      all[0] = g_byte_array_new ();
      g_byte_array_append (all[0], data, (guint) len);
    }
  if (c && c->rank != 0)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint r = 0; r < n; r++)
    g_ptr_array_add (out, g_byte_array_free_to_bytes (all[r]));
  return out;
}
