/* fuzz-pipeline.c — the YAML pipeline loader (parse, options of the real
 * plugins, wiring, cycle check) on arbitrary text.  Nothing is run. */
#include "config.h"

#include "dp-pipeline.h"
#include "fuzz.h"

/* One context for the whole fuzzing process: loading the plugins again for
 * each input would measure dlopen, not the loader.  DP_FUZZ_PLUGIN_DIR
 * (set by scripts/fuzz) names a plugin directory; make check finds the
 * build tree's plugins through DARKPIPE_PLUGIN_PATH. */
static DpContext *
fuzz_pipeline_context (void)
{
  static DpContext *ctx;
  if (ctx == NULL)
    {
      ctx = dp_context_new ();
      const char *dir = g_getenv ("DP_FUZZ_PLUGIN_DIR");
      if (dir && *dir)
        dp_context_add_plugin_dir (ctx, dir);
      dp_context_set_quiet (ctx, TRUE);
    }
  return ctx;
}

int
dp_fuzz_pipeline (const guint8 *data, size_t size)
{
  if (size > 65536)
    return 0;
  g_autofree char *text = g_strndup ((const char *) data, size);
  GPtrArray *diags = NULL;
  GError *error = NULL;
  static const char *const overrides[] = { "scan.threshold=3", NULL };
  DpPipeline *p = dp_pipeline_load_text (fuzz_pipeline_context (), "fuzz.yaml", text,
                                         (size & 1) ? overrides : NULL, &diags, &error);
  DP_FUZZ_CHECK ((p == NULL) == (error != NULL));
  DP_FUZZ_CHECK (diags != NULL);
  if (p == NULL)
    {
      DP_FUZZ_CHECK (diags->len > 0);
      DP_FUZZ_CHECK (error->message && *error->message);
      for (guint i = 0; i < diags->len; i++)
        {
          DpDiagnostic *d = g_ptr_array_index (diags, i);
          DP_FUZZ_CHECK (d->message && *d->message);
        }
      g_error_free (error);
    }
  else
    {
      DP_FUZZ_CHECK (diags->len == 0);
      DP_FUZZ_CHECK (dp_pipeline_n_stages (p) > 0 || dp_pipeline_name (p) != NULL);
      dp_pipeline_free (p);
    }
  g_ptr_array_unref (diags);
  return 0;
}
