/* topts — test sink with one option of every type (and one required),
 * which writes the parsed values to `path` at finish. */
#include "config.h"
#include "darkpipe.h"
#include "dp-pipeline.h"

typedef struct {
  gboolean flag; gint64 level; guint64 count; double ratio; char *name; char *path;
  int mode; gint64 window; guint64 buffer; DpCidr block; char **tags; guint64 needed;
  gboolean interrupt;
} ToptsConfig;

static const char *const topts_modes[] = { "fast", "slow", "careful", NULL };

static const DpPortDesc topts_inputs[] = { { "input", DP_TYPE_ANY, DP_PORT_OPTIONAL | DP_PORT_MULTI, "anything" } };
static const DpOptionDesc topts_options[] = {
  DP_OPTION ("flag", DP_OPT_BOOL, "false", ToptsConfig, flag, "A boolean."),
  DP_OPTION_RANGE ("level", DP_OPT_INT, "0", ToptsConfig, level, -5, 5, "An integer in [-5, 5]."),
  DP_OPTION ("count", DP_OPT_UINT, "3", ToptsConfig, count, "A count."),
  DP_OPTION_RANGE ("ratio", DP_OPT_DOUBLE, "0.5", ToptsConfig, ratio, 0, 1, "A fraction."),
  DP_OPTION ("name", DP_OPT_STRING, "x", ToptsConfig, name, "A string."),
  DP_OPTION ("path", DP_OPT_PATH, NULL, ToptsConfig, path, "Where to write the values (unset: nowhere)."),
  DP_OPTION_ENUM ("mode", "fast", ToptsConfig, mode, topts_modes, "A choice."),
  DP_OPTION_RANGE ("window", DP_OPT_DURATION, "1h", ToptsConfig, window, 1, 86400 * 7, "A duration of one second to a week."),
  DP_OPTION ("buffer", DP_OPT_SIZE, "64M", ToptsConfig, buffer, "A size."),
  DP_OPTION ("block", DP_OPT_CIDR, "192.0.2.0/24", ToptsConfig, block, "An address block."),
  DP_OPTION ("tags", DP_OPT_STRLIST, NULL, ToptsConfig, tags, "A list of strings."),
  DP_OPTION_REQUIRED ("needed", DP_OPT_UINT, ToptsConfig, needed, "A required count."),
  DP_OPTION ("interrupt", DP_OPT_BOOL, "false", ToptsConfig, interrupt,
             "Cancel the run (as SIGINT does) while finishing, before the file is complete."),
};

static gboolean
topts_init (DpStage *stage, const void *config, void **state, GError **error)
{
  *state = (void *) config;   /* the core owns the config for the stage's life */
  return TRUE;
}

static gboolean
topts_finish (DpStage *stage, void *state, GError **error)
{
  const ToptsConfig *c = state;
  if (c->path == NULL)
    return TRUE;
  g_autofree char *path = dp_stage_output_path (stage, c->path);
  g_autoptr (DpOutFile) f = dp_outfile_open (path, FALSE, error);
  if (f == NULL)
    return FALSE;
  g_autofree char *tags = c->tags ? g_strjoinv ("|", c->tags) : g_strdup ("-");
  dp_outfile_printf (f, "%d %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %g %s %d %" G_GINT64_FORMAT
                     " %" G_GUINT64_FORMAT " %08x/%u %s %" G_GUINT64_FORMAT "\n",
                     c->flag, c->level, c->count, c->ratio, c->name, c->mode, c->window, c->buffer,
                     c->block.addr, c->block.prefix, tags, c->needed);
  if (c->interrupt)
    dp_context_cancel (dp_stage_context (stage));
  return dp_outfile_commit (g_steal_pointer (&f), error);
}

static void topts_finalize (void *state) { }

DP_PLUGIN_DEFINE (topts,
  .kind = DP_KIND_SINK, .summary = "Test sink with every option type.", .version = "0",
  .inputs = topts_inputs, .n_inputs = G_N_ELEMENTS (topts_inputs),
  .options = topts_options, .n_options = G_N_ELEMENTS (topts_options),
  .config_size = sizeof (ToptsConfig),
  .init = topts_init, .finish = topts_finish, .finalize = topts_finalize)
