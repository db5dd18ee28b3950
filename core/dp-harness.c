/* dp-harness.c — run one plugin synchronously, for tests. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "dp-harness.h"
#include "dp-options.h"
#include "dp-pipeline.h"
#include "dp-private.h"
#include "dp-yaml.h"

struct _DpHarness {
  DpContext *ctx;
  DpStage *stage;
  char *tmpdir;
};

static void
rmtree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d)
    {
      const char *name;
      while ((name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rmtree (child);
          else
            g_unlink (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

static DpHarness *
harness_build (DpContext *ctx, const DpPluginDesc *desc, const char *yaml_options, GError **error)
{
  g_autoptr (DpHarness) h = g_new0 (DpHarness, 1);
  h->ctx = ctx;
  h->tmpdir = g_dir_make_tmp ("darkpipe-harness-XXXXXX", error);
  if (h->tmpdir == NULL)
    return NULL;
  dp_context_set_output_dir (ctx, h->tmpdir);
  dp_context_set_quiet (ctx, g_getenv ("DP_HARNESS_VERBOSE") == NULL);
  h->stage = dp_stage_new_internal (ctx, desc->name, desc);
  h->stage->captured = g_new0 (GPtrArray *, MAX (desc->n_outputs, 1u));
  for (guint i = 0; i < desc->n_outputs; i++)
    h->stage->captured[i] = g_ptr_array_new_with_free_func (dp_batch_unref);
  h->stage->config = dp_config_new (desc, error);
  if (h->stage->config == NULL)
    return NULL;
  g_autoptr (DpYamlNode) root = NULL;
  if (yaml_options && *yaml_options)
    {
      root = dp_yaml_parse ("<options>", yaml_options, strlen (yaml_options), error);
      if (root == NULL)
        return NULL;
      if (!dp_stage_apply_options (h->stage, root, "<options>", error))
        return NULL;
    }
  g_autoptr (GHashTable) given = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; root && i < dp_yaml_map_size (root); i++)
    if (dp_yaml_map_key (root, i)->type == DP_YAML_SCALAR)
      g_hash_table_add (given, dp_yaml_map_key (root, i)->value);
  if (!dp_stage_check_required (h->stage, given, "<options>", error))
    return NULL;
  if (!dp_stage_call_check (h->stage, error))
    return NULL;
  if (!dp_stage_call_init (h->stage, error))
    return NULL;
  return g_steal_pointer (&h);
}

DpHarness *
dp_harness_new (const char *plugin, const char *yaml_options, GError **error)
{
  DpContext *ctx = dp_context_new ();
  const DpPluginDesc *desc = dp_context_load_plugin (ctx, plugin, error);
  if (desc == NULL)
    {
      dp_context_free (ctx);
      return NULL;
    }
  return harness_build (ctx, desc, yaml_options, error);
}

DpHarness *
dp_harness_new_from_desc (const DpPluginDesc *desc, const char *yaml_options, GError **error)
{
  return harness_build (dp_context_new (), desc, yaml_options, error);
}

gboolean
dp_harness_push (DpHarness *h, guint port, gpointer batch, GError **error)
{
  return dp_harness_push_from (h, port, "upstream", batch, error) != DP_FLOW_ERROR;
}

DpFlow
dp_harness_push_from (DpHarness *h, guint port, const char *upstream, gpointer batch, GError **error)
{
  const DpPluginDesc *d = h->stage->desc;
  if (port >= d->n_inputs)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_PORT,
                   "plugin %s has no input port %u", d->name, port);
      return DP_FLOW_ERROR;
    }
  DpBatchType want = d->inputs[port].type;
  DpBatch *b = batch;
  if (want != DP_TYPE_ANY && b->type != want)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PORT_TYPE,
                   "plugin %s input '%s' takes %s, got %s", d->name, d->inputs[port].name,
                   dp_batch_type_name (want), dp_batch_type_name (b->type));
      return DP_FLOW_ERROR;
    }
  return dp_stage_call_process (h->stage, port, upstream, b, error);
}

gboolean
dp_harness_run (DpHarness *h, GError **error)
{
  return dp_stage_call_run (h->stage, error);
}

gboolean
dp_harness_finish (DpHarness *h, GError **error)
{
  return dp_stage_call_finish (h->stage, error);
}

GPtrArray *
dp_harness_outputs (DpHarness *h, guint port)
{
  g_return_val_if_fail (port < h->stage->desc->n_outputs, NULL);
  return h->stage->captured[port];
}

gint
dp_harness_output_port (DpHarness *h, const char *name)
{
  const DpPluginDesc *d = h->stage->desc;
  for (guint i = 0; i < d->n_outputs; i++)
    if (strcmp (d->outputs[i].name, name) == 0)
      return (gint) i;
  return -1;
}

gpointer
dp_harness_output (DpHarness *h, const char *port_name)
{
  gint port = dp_harness_output_port (h, port_name);
  if (port < 0)
    return NULL;
  GPtrArray *a = h->stage->captured[port];
  return a->len == 1 ? g_ptr_array_index (a, 0) : NULL;
}

DpPackets *
dp_harness_packets (DpHarness *h, const char *port_name)
{
  gint port = dp_harness_output_port (h, port_name);
  if (port < 0)
    return NULL;
  GPtrArray *a = h->stage->captured[port];
  guint total = 0;
  for (guint i = 0; i < a->len; i++)
    {
      DpPackets *p = g_ptr_array_index (a, i);
      if (p->base.type == DP_TYPE_PACKETS)
        total += p->n_rows;
    }
  DpPackets *all = dp_packets_new (total);
  for (guint i = 0; i < a->len; i++)
    {
      DpPackets *p = g_ptr_array_index (a, i);
      if (p->base.type != DP_TYPE_PACKETS)
        continue;
      if (all->names == NULL && p->names)
        dp_packets_set_names (all, p->names);
      for (guint r = 0; r < p->n_rows; r++)
        {
          guint o = dp_packets_append (all);
#define CP(c) all->c[o] = p->c[r];
          DP_PACKET_COLUMNS (CP)
#undef CP
        }
    }
  return all;
}

guint64
dp_harness_counter (DpHarness *h, const char *name)
{
  for (guint i = 0; i < h->stage->counters->len; i++)
    {
      DpCounter *c = &g_array_index (h->stage->counters, DpCounter, i);
      if (strcmp (c->name, name) == 0)
        return c->value;
    }
  return 0;
}

const char *
dp_harness_output_dir (DpHarness *h)
{
  return h->tmpdir;
}

void
dp_harness_set_threads (DpHarness *h, guint n)
{
  h->stage->threads = MAX (n, 1u);
  dp_context_set_threads (h->ctx, n);
}

void
dp_harness_cancel (DpHarness *h)
{
  g_atomic_int_set (&h->stage->harness_cancelled, TRUE);
}

void
dp_harness_free (DpHarness *h)
{
  if (h == NULL)
    return;
  dp_stage_free_internal (h->stage);
  if (h->tmpdir)
    rmtree (h->tmpdir);
  g_free (h->tmpdir);
  dp_context_free (h->ctx);
  g_free (h);
}
