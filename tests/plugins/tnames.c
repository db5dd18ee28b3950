/* tnames — test sink: writes, for each batch, who pushed it, and at finish
 * the peer statistics and inputs of the stages that fed it. */
#include "config.h"
#include "darkpipe.h"

typedef struct { char *path; } TnamesConfig;
typedef struct { const TnamesConfig *cfg; GString *log; GPtrArray *from; } TnamesState;

static const DpPortDesc tnames_inputs[] = { { "input", DP_TYPE_ANY, DP_PORT_MULTI, "anything" } };
static const DpOptionDesc tnames_options[] = {
  DP_OPTION_REQUIRED ("path", DP_OPT_PATH, TnamesConfig, path, "Where to write the log."),
};

static gboolean
tnames_init (DpStage *stage, const void *config, void **state, GError **error)
{
  TnamesState *s = g_new0 (TnamesState, 1);
  s->cfg = config;
  s->log = g_string_new (NULL);
  s->from = g_ptr_array_new_with_free_func (g_free);
  *state = s;
  return TRUE;
}

static DpFlow
tnames_process (DpStage *stage, void *state, guint port, const char *upstream, DpBatch *batch, GError **error)
{
  TnamesState *s = state;
  g_string_append_printf (s->log, "from %s\n", upstream);
  if (!g_ptr_array_find_with_equal_func (s->from, upstream, g_str_equal, NULL))
    g_ptr_array_add (s->from, g_strdup (upstream));
  return DP_FLOW_OK;
}

static gboolean
tnames_finish (DpStage *stage, void *state, GError **error)
{
  TnamesState *s = state;
  g_autofree char *count = dp_stage_peer_option (stage, "src", "count");
  g_autofree char *nothing = dp_stage_peer_option (stage, "src", "no_such_option");
  g_string_append_printf (s->log, "pipeline %s in %s; src count=%s other=%s\n",
                          dp_stage_pipeline_name (stage), dp_stage_pipeline_file (stage),
                          count ? count : "(none)", nothing ? nothing : "(none)");
  for (guint i = 0; i < s->from->len; i++)
    {
      DpStageStats st;
      const char *name = g_ptr_array_index (s->from, i);
      g_assert (dp_stage_peer_stats (stage, name, &st));
      g_auto (GStrv) inputs = dp_stage_peer_inputs (stage, name);
      g_autofree char *joined = g_strjoinv (",", inputs);
      g_string_append_printf (s->log, "%s %s in=%" G_GUINT64_FORMAT " out=%" G_GUINT64_FORMAT " inputs=%s finished=%d\n",
                              name, st.plugin, st.rows_in, st.rows_out, joined, st.finished);
    }
  g_autofree char *path = dp_stage_output_path (stage, s->cfg->path);
  g_autoptr (DpOutFile) f = dp_outfile_open (path, FALSE, error);
  if (f == NULL)
    return FALSE;
  dp_outfile_puts (f, s->log->str);
  return dp_outfile_commit (g_steal_pointer (&f), error);
}

static void
tnames_finalize (void *state)
{
  TnamesState *s = state;
  if (s == NULL)
    return;
  g_string_free (s->log, TRUE);
  g_ptr_array_unref (s->from);
  g_free (s);
}

DP_PLUGIN_DEFINE (tnames,
  .kind = DP_KIND_SINK, .summary = "Test sink logging upstream names.", .version = "0",
  .inputs = tnames_inputs, .n_inputs = G_N_ELEMENTS (tnames_inputs),
  .options = tnames_options, .n_options = G_N_ELEMENTS (tnames_options),
  .config_size = sizeof (TnamesConfig),
  .init = tnames_init, .process = tnames_process, .finish = tnames_finish, .finalize = tnames_finalize)
