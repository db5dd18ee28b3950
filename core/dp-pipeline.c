/* dp-pipeline.c — YAML pipelines: load, validate (all problems at once, with
 * positions), wire, and run. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dp-options.h"
#include "dp-pipeline-private.h"

static const char *const reserved_keys[] = { "plugin", "input", "threads", "on_error", "description", "optional",
                                             NULL };
static const char *const top_keys[] = { "pipeline", "description", "output_dir", "allow_outside_output_dir",
                                        "stages", NULL };

void
dp_diagnostic_free (DpDiagnostic *d)
{
  g_free (d->file);
  g_free (d->message);
  g_free (d);
}

void
diag (DpPipeline *p, const DpYamlNode *at, const Spec *s, GQuark domain, gint code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  DpDiagnostic *d = g_new0 (DpDiagnostic, 1);
  d->file = g_strdup (p->file);
  d->line = at ? at->line : 0;
  d->col = at ? at->col : 0;
  d->domain = domain;
  d->code = code;
  GString *m = g_string_new (p->file);
  if (at)
    g_string_append_printf (m, ":%u:%u", at->line, at->col);
  g_string_append (m, ": ");
  if (s)
    {
      ((Spec *) s)->bad = TRUE;
      DpYamlNode *pl = s->node && s->node->type == DP_YAML_MAP ? dp_yaml_map_get (s->node, "plugin") : NULL;
      g_string_append_printf (m, "stage '%s' (%s): ", s->name,
                              s->stage ? s->stage->desc->name
                              : pl && pl->type == DP_YAML_SCALAR ? pl->value : "?");
    }
  g_string_append (m, msg);
  d->message = g_string_free (m, FALSE);
  g_ptr_array_add (p->diags, d);
}


/* ------------------------------------------------------------------ */
/* options */

static gboolean
apply_value (const DpOptionDesc *opt, DpYamlNode *v, void *config, GError **error)
{
  if (v->type == DP_YAML_SCALAR)
    return dp_option_parse (opt, v->value, config, error);
  if (v->type == DP_YAML_SEQ && opt->type == DP_OPT_STRLIST)
    {
      g_autoptr (GPtrArray) items = g_ptr_array_new ();
      for (guint i = 0; i < v->items->len; i++)
        {
          DpYamlNode *it = g_ptr_array_index (v->items, i);
          if (it->type != DP_YAML_SCALAR)
            {
              g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                           "option '%s': list items must be scalars", opt->name);
              return FALSE;
            }
          g_ptr_array_add (items, it->value);
        }
      g_ptr_array_add (items, NULL);
      return dp_option_set_list (opt, (const char *const *) items->pdata, config, error);
    }
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE, "option '%s' takes %s, not %s",
               opt->name, opt->type == DP_OPT_STRLIST ? "a list" : dp_opt_type_name (opt->type),
               dp_yaml_type_name (v->type));
  return FALSE;
}

static char *
allowed_options (const DpPluginDesc *d)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < d->n_options; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", d->options[i].name);
  for (guint i = 0; reserved_keys[i]; i++)
    if (strcmp (reserved_keys[i], "plugin") != 0 && (d->n_inputs > 0 || strcmp (reserved_keys[i], "input") != 0))
      g_string_append_printf (s, ", %s", reserved_keys[i]);
  return g_string_free (s, FALSE);
}

static gboolean
is_reserved (const char *key)
{
  return g_strv_contains (reserved_keys, key);
}

static gboolean
check_duplicate_key (DpYamlNode *map, guint i, GError **error)
{
  DpYamlNode *k = dp_yaml_map_key (map, i);
  for (guint j = 0; j < i; j++)
    {
      DpYamlNode *prev = dp_yaml_map_key (map, j);
      if (prev->type == DP_YAML_SCALAR && strcmp (prev->value, k->value) == 0)
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_DUPLICATE_KEY,
                       "duplicate key '%s' (first at line %u)", k->value, prev->line);
          return FALSE;
        }
    }
  return TRUE;
}

/* on_error and threads; plugin, input, description and optional are the caller's. */
static gboolean
apply_reserved (DpStage *stage, gboolean in_pipeline, DpYamlNode *k, DpYamlNode *v, GError **error)
{
  const char *val = v->type == DP_YAML_SCALAR ? v->value : "?";
  if (strcmp (k->value, "on_error") == 0)
    {
      if (strcmp (val, "skip") && strcmp (val, "fail"))
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_CHOICE,
                       "on_error: '%s' is not a choice; allowed: skip, fail", val);
          return FALSE;
        }
      stage->fail_on_error = strcmp (val, "fail") == 0;
    }
  else if (strcmp (k->value, "threads") == 0)
    {
      guint64 t;
      if (!g_ascii_string_to_unsigned (val, 10, 1, 1024, &t, NULL))
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_RANGE, "threads: must be an integer in [1, 1024]");
          return FALSE;
        }
      stage->threads = (guint) t;
    }
  else if (!in_pipeline)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY, "'%s' is not an option here", k->value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_plugin_option (DpStage *stage, DpYamlNode *k, DpYamlNode *v, GError **error)
{
  const DpPluginDesc *d = stage->desc;
  const DpOptionDesc *opt = dp_option_find (d, k->value);
  if (opt)
    return apply_value (opt, v, stage->config, error);
  g_autofree char *allowed = allowed_options (d);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint o = 0; o < d->n_options; o++)
    g_ptr_array_add (names, (gpointer) d->options[o].name);
  g_autofree char *near = dp_did_you_mean (k->value, (const char *const *) names->pdata, names->len);
  /* a series of runs that expects this stage to resume is told it cannot */
  static const char *const state_keys[] = { "state", "state_path", "state_final", "state_dir", NULL };
  gboolean stateful = FALSE;
  for (guint o = 0; o < d->n_options; o++)
    stateful = stateful || g_str_has_prefix (d->options[o].name, "state");
  if (!stateful && g_strv_contains (state_keys, k->value))
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY,
                 "unknown option '%s': plugin %s carries no state between runs through it (what it "
                 "writes covers one run's input; docs/state.md lists the stages that carry state, and "
                 "how); allowed: %s",
                 k->value, d->name, allowed);
  else
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_UNKNOWN_KEY,
                 "unknown option '%s'%s; allowed: %s", k->value, near, allowed);
  return FALSE;
}

/* Applies every option key of @map (a stage mapping or a harness snippet).
 * Without a pipeline @p (harness) it stops at the first problem; with one,
 * each problem becomes a diagnostic and the rest is still checked. */
gboolean
apply_options_full (DpPipeline *p, Spec *spec, DpStage *stage, DpYamlNode *map, GError **error)
{
  if (map->type != DP_YAML_MAP)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE, "options must be a mapping");
      return FALSE;
    }
  gboolean ok = TRUE;
  for (guint i = 0; i < dp_yaml_map_size (map); i++)
    {
      DpYamlNode *k = dp_yaml_map_key (map, i), *v = dp_yaml_map_value (map, i);
      GError *err = NULL;
      if (k->type != DP_YAML_SCALAR)
        g_set_error (&err, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE, "keys must be scalars");
      else if (check_duplicate_key (map, i, &err))
        {
          if (is_reserved (k->value))
            apply_reserved (stage, spec != NULL, k, v, &err);
          else
            apply_plugin_option (stage, k, v, &err);
        }
      if (err == NULL)
        continue;
      ok = FALSE;
      DpYamlNode *at = (err->code == DP_CONFIG_ERROR_UNKNOWN_KEY || err->code == DP_CONFIG_ERROR_DUPLICATE_KEY) ? k : v;
      if (p == NULL)
        {
          g_propagate_prefixed_error (error, err, "%u:%u: ", at->line, at->col);
          return FALSE;
        }
      CDIAG (p, at, spec, err->code, "%s", err->message);
      g_error_free (err);
    }
  return ok;
}

gboolean
dp_stage_apply_options (DpStage *stage, DpYamlNode *map, const char *file, GError **error)
{
  if (!apply_options_full (NULL, NULL, stage, map, error))
    {
      g_prefix_error (error, "%s:", file);
      return FALSE;
    }
  return TRUE;
}

/* Required options still unset (NULL strings, or never given). */
const DpOptionDesc *
first_missing (DpStage *stage, GHashTable *given)
{
  const DpPluginDesc *d = stage->desc;
  for (guint i = 0; i < d->n_options; i++)
    {
      const DpOptionDesc *o = &d->options[i];
      if (!(o->flags & DP_OPT_REQUIRED))
        continue;
      const char *field = (const char *) stage->config + o->offset;
      gboolean set;
      if (o->type == DP_OPT_STRING || o->type == DP_OPT_PATH || o->type == DP_OPT_STRLIST)
        set = *(void *const *) field != NULL;
      else
        set = given && g_hash_table_contains (given, o->name);
      if (!set)
        return o;
    }
  return NULL;
}

gboolean
dp_stage_check_required (DpStage *stage, GHashTable *given, const char *file, GError **error)
{
  const DpOptionDesc *o = first_missing (stage, given);
  if (o == NULL)
    return TRUE;
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED,
               "%s: plugin %s: missing required option '%s' (%s)", file, stage->desc->name, o->name, o->doc);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* loading */

static void
spec_free (Spec *s)
{
  dp_stage_free_internal (s->stage);
  g_array_unref (s->links);
  g_free (s->name);
  g_free (s);
}

GHashTable *
given_keys (DpYamlNode *map)
{
  GHashTable *h = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; map && i < dp_yaml_map_size (map); i++)
    {
      DpYamlNode *k = dp_yaml_map_key (map, i);
      if (k->type == DP_YAML_SCALAR)
        g_hash_table_add (h, k->value);
    }
  return h;
}

static DpYamlNode *
scalar_child (DpPipeline *p, DpYamlNode *map, const char *key, Spec *s)
{
  DpYamlNode *v = dp_yaml_map_get (map, key);
  if (v && v->type != DP_YAML_SCALAR)
    {
      CDIAG (p, v, s, DP_CONFIG_ERROR_TYPE, "'%s' must be a scalar, not %s", key, dp_yaml_type_name (v->type));
      return NULL;
    }
  return v;
}

static Spec *
load_stage (DpPipeline *p, DpYamlNode *key, DpYamlNode *node)
{
  Spec *s = g_new0 (Spec, 1);
  s->name = g_strdup (key->value);
  s->key = key;
  s->node = node;
  s->links = g_array_new (FALSE, FALSE, sizeof (Wire));
  if (node->type != DP_YAML_MAP)
    {
      CDIAG (p, node, s, DP_CONFIG_ERROR_STRUCTURE, "a stage must be a mapping with at least 'plugin:'");
      return s;
    }
  DpYamlNode *plugin = scalar_child (p, node, "plugin", s);
  s->input = dp_yaml_map_get (node, "input");
  DpYamlNode *optional = scalar_child (p, node, "optional", s);
  if (optional && !dp_parse_bool (optional->value, &s->optional))
    CDIAG (p, optional, s, DP_CONFIG_ERROR_TYPE, "'optional' must be true or false, not '%s'", optional->value);
  if (plugin == NULL)
    {
      if (dp_yaml_map_get (node, "plugin") == NULL)
        CDIAG (p, key, s, DP_CONFIG_ERROR_REQUIRED, "missing 'plugin:'");
      return s;
    }
  GError *err = NULL;
  DpPlugin *pl = dp_context_get_plugin (p->ctx, plugin->value, &err);
  if (pl == NULL)
    {
      gint code = err->domain == DP_PLUGIN_ERROR && err->code == DP_PLUGIN_ERROR_NOT_FOUND
                  ? DP_CONFIG_ERROR_UNKNOWN_PLUGIN : -1;
      if (code >= 0)
        CDIAG (p, plugin, s, code, "%s", err->message);
      else
        diag (p, plugin, s, err->domain, err->code, "%s", err->message);
      g_error_free (err);
      return s;
    }
  s->stage = dp_stage_new_internal (p->ctx, s->name, pl->desc);
  s->stage->plugin = pl;
  s->stage->pipeline_name = g_strdup (p->name);
  s->stage->pipeline_file = g_strdup (p->file);
  s->stage->config = dp_config_new (pl->desc, &err);
  if (s->stage->config == NULL)
    {
      diag (p, plugin, s, err->domain, err->code, "%s", err->message);
      g_error_free (err);
      return s;
    }
  apply_options_full (p, s, s->stage, node, NULL);
  return s;
}

Spec *
find_spec (DpPipeline *p, const char *name, guint *index)
{
  for (guint i = 0; i < p->specs->len; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      if (strcmp (s->name, name) == 0)
        {
          if (index)
            *index = i;
          return s;
        }
    }
  return NULL;
}

static gboolean
valid_stage_name (const char *name)
{
  gsize n = strlen (name);
  if (n == 0 || n > 64)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
load_stages (DpPipeline *p, DpYamlNode *stages)
{
  if (stages == NULL)
    {
      CDIAG (p, p->root, NULL, DP_CONFIG_ERROR_REQUIRED, "missing 'stages:'");
      return FALSE;
    }
  if (stages->type != DP_YAML_MAP)
    {
      CDIAG (p, stages, NULL, DP_CONFIG_ERROR_STRUCTURE, "'stages' must be a mapping of stage name to stage");
      return FALSE;
    }
  for (guint i = 0; i < dp_yaml_map_size (stages); i++)
    {
      DpYamlNode *k = dp_yaml_map_key (stages, i), *v = dp_yaml_map_value (stages, i);
      if (k->type != DP_YAML_SCALAR)
        {
          CDIAG (p, k, NULL, DP_CONFIG_ERROR_STRUCTURE, "stage names must be scalars");
          continue;
        }
      if (!valid_stage_name (k->value))
        {
          g_autofree char *shown = g_strescape (k->value, NULL);
          CDIAG (p, k, NULL, DP_CONFIG_ERROR_STRUCTURE,
                 "stage name '%s': use 1 to 64 letters, digits, '_' or '-' (it names files and "
                 "appears in 'stage.port' references)", shown);
          continue;
        }
      Spec *prev = find_spec (p, k->value, NULL);
      if (prev)
        {
          CDIAG (p, k, NULL, DP_CONFIG_ERROR_DUPLICATE_STAGE,
                 "duplicate stage name '%s' (first at line %u)", k->value, prev->key->line);
          continue;
        }
      g_ptr_array_add (p->specs, load_stage (p, k, v));
    }
  return TRUE;
}

static void
check_top_keys (DpPipeline *p)
{
  for (guint i = 0; i < dp_yaml_map_size (p->root); i++)
    {
      DpYamlNode *k = dp_yaml_map_key (p->root, i);
      if (k->type != DP_YAML_SCALAR)
        continue;
      for (guint j = 0; j < i; j++)
        {
          DpYamlNode *prev = dp_yaml_map_key (p->root, j);
          if (prev->type == DP_YAML_SCALAR && strcmp (prev->value, k->value) == 0)
            CDIAG (p, k, NULL, DP_CONFIG_ERROR_DUPLICATE_KEY, "duplicate key '%s' (first at line %u)",
                   k->value, prev->line);
        }
      if (!g_strv_contains (top_keys, k->value))
        {
          guint n = g_strv_length ((char **) top_keys);
          g_autofree char *near = dp_did_you_mean (k->value, top_keys, n);
          g_autofree char *allowed = g_strjoinv (", ", (char **) top_keys);
          CDIAG (p, k, NULL, DP_CONFIG_ERROR_UNKNOWN_KEY, "unknown key '%s'%s; allowed: %s", k->value, near, allowed);
        }
    }
}

/* ------------------------------------------------------------------ */
/* wiring */

static gint
port_index (const DpPortDesc *ports, guint n, const char *name)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (ports[i].name, name) == 0)
      return (gint) i;
  return -1;
}

static char *
port_list (const DpPortDesc *ports, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s%s (%s)", i ? ", " : "", ports[i].name, dp_batch_type_name (ports[i].type));
  return g_string_free (s, FALSE);
}

/* A table input that declares the columns it reads, wired to an output
 * that declares the columns it has: every needed column must be there,
 * of its type.  (An undeclared side is checked at run time, on the first
 * table.) */
static gboolean
columns_fit (DpPipeline *p, Spec *s, const DpPortDesc *in, Spec *up, const DpPortDesc *out, DpYamlNode *ref)
{
  if (in->n_columns == 0 || out->n_columns == 0)
    return TRUE;
  gboolean ok = TRUE;
  for (guint i = 0; i < in->n_columns; i++)
    {
      const DpColumnDesc *want = &in->columns[i];
      if (want->flags & DP_COLUMN_OPTIONAL)
        continue;
      const DpColumnDesc *have = NULL;
      for (guint j = 0; j < out->n_columns && have == NULL; j++)
        if (strcmp (out->columns[j].name, want->name) == 0)
          have = &out->columns[j];
      if (have && have->type == want->type)
        continue;
      GString *list = g_string_new (NULL);
      for (guint j = 0; j < out->n_columns; j++)
        g_string_append_printf (list, "%s%s (%s)", j ? ", " : "", out->columns[j].name,
                                dp_col_type_name (out->columns[j].type));
      CDIAG (p, ref, s, DP_CONFIG_ERROR_PORT_TYPE,
             "input '%s' reads column '%s' (%s), which %s.%s (stage '%s' (%s), line %u) %s; it has: %s",
             in->name, want->name, dp_col_type_name (want->type), up->name, out->name, up->name,
             up->stage->desc->name, up->key->line,
             have ? "has with another type" : "does not have", list->str);
      g_string_free (list, TRUE);
      ok = FALSE;
    }
  return ok;
}

/* Connects input @in_port of @s to the upstream named by @ref ("stage" or
 * "stage.port"). */
static void
wire_one (DpPipeline *p, Spec *s, guint in_port, DpYamlNode *ref)
{
  const DpPluginDesc *d = s->stage->desc;
  const DpPortDesc *in = &d->inputs[in_port];
  if (ref->type != DP_YAML_SCALAR)
    {
      CDIAG (p, ref, s, DP_CONFIG_ERROR_STRUCTURE, "input '%s': expected stage or stage.port", in->name);
      return;
    }
  const char *dot = strchr (ref->value, '.');
  g_autofree char *up_name = dot ? g_strndup (ref->value, (gsize) (dot - ref->value)) : g_strdup (ref->value);
  guint up_idx;
  Spec *up = find_spec (p, up_name, &up_idx);
  if (up == NULL)
    {
      g_autoptr (GPtrArray) names = g_ptr_array_new ();
      for (guint i = 0; i < p->specs->len; i++)
        g_ptr_array_add (names, ((Spec *) g_ptr_array_index (p->specs, i))->name);
      g_autofree char *near = dp_did_you_mean (up_name, (const char *const *) names->pdata, names->len);
      CDIAG (p, ref, s, DP_CONFIG_ERROR_UNKNOWN_STAGE, "input '%s' names unknown stage '%s'%s",
             in->name, up_name, near);
      return;
    }
  if (up->stage == NULL)
    return;   /* already reported */
  const DpPluginDesc *ud = up->stage->desc;
  gint out = -1;
  if (dot)
    {
      out = port_index (ud->outputs, ud->n_outputs, dot + 1);
      if (out < 0)
        {
          g_autofree char *list = port_list (ud->outputs, ud->n_outputs);
          CDIAG (p, ref, s, DP_CONFIG_ERROR_UNKNOWN_PORT, "stage '%s' (%s) has no output '%s'; outputs: %s",
                 up->name, ud->name, dot + 1, list[0] ? list : "none");
          return;
        }
    }
  else
    {
      guint matches = 0;
      for (guint o = 0; o < ud->n_outputs; o++)
        if (in->type == DP_TYPE_ANY || ud->outputs[o].type == in->type)
          {
            if (matches++ == 0)
              out = (gint) o;
          }
      if (matches > 1)
        {
          g_autofree char *list = port_list (ud->outputs, ud->n_outputs);
          CDIAG (p, ref, s, DP_CONFIG_ERROR_UNKNOWN_PORT,
                 "input '%s': stage '%s' has several outputs that fit; name one as %s.PORT: %s",
                 in->name, up->name, up->name, list);
          return;
        }
      if (matches == 0)
        {
          g_autofree char *list = port_list (ud->outputs, ud->n_outputs);
          CDIAG (p, ref, s, DP_CONFIG_ERROR_PORT_TYPE,
                 "input '%s' takes %s, but stage '%s' (%s) outputs %s", in->name,
                 dp_batch_type_name (in->type), up->name, ud->name, list[0] ? list : "nothing");
          return;
        }
    }
  DpBatchType ot = ud->outputs[out].type;
  if (in->type != DP_TYPE_ANY && ot != in->type)
    {
      CDIAG (p, ref, s, DP_CONFIG_ERROR_PORT_TYPE, "input '%s' takes %s, but %s.%s is %s",
             in->name, dp_batch_type_name (in->type), up->name, ud->outputs[out].name, dp_batch_type_name (ot));
      return;
    }
  if (!columns_fit (p, s, in, up, &ud->outputs[out], ref))
    return;
  Wire w = { in_port, up_idx, (guint) out };
  g_array_append_val (s->links, w);
}

static void
wire_port_value (DpPipeline *p, Spec *s, guint in_port, DpYamlNode *v)
{
  const DpPortDesc *in = &s->stage->desc->inputs[in_port];
  if (v->type == DP_YAML_SEQ)
    {
      if (!(in->flags & DP_PORT_MULTI) && v->items->len != 1)
        {
          CDIAG (p, v, s, DP_CONFIG_ERROR_STRUCTURE, "input '%s' takes one upstream, not a list", in->name);
          return;
        }
      for (guint i = 0; i < v->items->len; i++)
        wire_one (p, s, in_port, g_ptr_array_index (v->items, i));
    }
  else
    wire_one (p, s, in_port, v);
}

static void
wire_stage (DpPipeline *p, Spec *s)
{
  const DpPluginDesc *d = s->stage->desc;
  DpYamlNode *v = s->input;
  if (v && d->n_inputs == 0)
    {
      CDIAG (p, v, s, DP_CONFIG_ERROR_UNKNOWN_KEY, "this plugin takes no input");
      return;
    }
  if (v && v->type == DP_YAML_MAP)
    {
      for (guint i = 0; i < dp_yaml_map_size (v); i++)
        {
          DpYamlNode *k = dp_yaml_map_key (v, i);
          gint port = k->type == DP_YAML_SCALAR ? port_index (d->inputs, d->n_inputs, k->value) : -1;
          if (port < 0)
            {
              g_autofree char *list = port_list (d->inputs, d->n_inputs);
              CDIAG (p, k, s, DP_CONFIG_ERROR_UNKNOWN_PORT, "no input port '%s'; inputs: %s",
                     k->type == DP_YAML_SCALAR ? k->value : "?", list);
              continue;
            }
          wire_port_value (p, s, (guint) port, dp_yaml_map_value (v, i));
        }
    }
  else if (v)
    wire_port_value (p, s, 0, v);
  for (guint port = 0; port < d->n_inputs; port++)
    {
      gboolean connected = FALSE;
      for (guint i = 0; i < s->links->len; i++)
        connected |= g_array_index (s->links, Wire, i).in_port == port;
      if (!connected && !(d->inputs[port].flags & DP_PORT_OPTIONAL) && (v == NULL || port > 0 || v->type == DP_YAML_MAP))
        CDIAG (p, v ? v : s->key, s, DP_CONFIG_ERROR_UNCONNECTED, "input '%s' (%s) is not connected",
               d->inputs[port].name, dp_batch_type_name (d->inputs[port].type));
    }
}

/* Kahn's algorithm; stages left over sit on a cycle. */
static void
sort_stages (DpPipeline *p)
{
  guint n = p->specs->len;
  g_autofree guint *indeg = g_new0 (guint, n);
  for (guint i = 0; i < n; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      indeg[i] = s->links->len;
    }
  g_autofree gboolean *done = g_new0 (gboolean, n);
  gboolean progress = TRUE;
  while (progress)
    {
      progress = FALSE;
      for (guint i = 0; i < n; i++)
        {
          if (done[i] || indeg[i] != 0)
            continue;
          done[i] = TRUE;
          progress = TRUE;
          g_array_append_val (p->order, i);
          for (guint j = 0; j < n; j++)
            {
              Spec *t = g_ptr_array_index (p->specs, j);
              for (guint l = 0; l < t->links->len; l++)
                if (g_array_index (t->links, Wire, l).from == i)
                  indeg[j]--;
            }
        }
    }
  for (guint i = 0; i < n; i++)
    if (!done[i])
      {
        Spec *s = g_ptr_array_index (p->specs, i);
        CDIAG (p, s->input ? s->input : s->key, s, DP_CONFIG_ERROR_CYCLE,
               "stage is part of a cycle (its inputs depend on its own output)");
      }
}

static void
validate_stages (DpPipeline *p)
{
  for (guint i = 0; i < p->specs->len; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      if (s->stage == NULL)
        continue;
      g_autoptr (GHashTable) given = given_keys (s->node);
      const DpOptionDesc *o = first_missing (s->stage, given);
      if (o)
        CDIAG (p, s->key, s, DP_CONFIG_ERROR_REQUIRED, "missing required option '%s' (%s)", o->name, o->doc);
      wire_stage (p, s);
    }
  sort_stages (p);
}

/* The value node of option @name in stage @s's mapping, the last one
 * given, or NULL (an option without a position in the file). */
DpYamlNode *
option_node (Spec *s, const char *name)
{
  /* the last occurrence: --set appends after the file's own value */
  DpYamlNode *found = NULL;
  for (guint i = 0; s->node && s->node->type == DP_YAML_MAP && i < dp_yaml_map_size (s->node); i++)
    {
      DpYamlNode *k = dp_yaml_map_key (s->node, i);
      if (k->type == DP_YAML_SCALAR && strcmp (k->value, name) == 0)
        found = dp_yaml_map_value (s->node, i);
    }
  return found && found->line > 0 ? found : NULL;
}

/* Counts the links into each input port (for dp_stage_input_connected),
 * then runs each sound stage's check(): its problems point at the option
 * it names, else at the stage. */
static void
check_stages (DpPipeline *p)
{
  for (guint i = 0; i < p->specs->len; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      if (s->stage == NULL)
        continue;
      for (guint l = 0; l < s->links->len; l++)
        s->stage->in_links[g_array_index (s->links, Wire, l).in_port]++;
    }
  for (guint i = 0; i < p->specs->len; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      if (s->stage == NULL || s->stage->config == NULL || s->bad)
        continue;
      GError *err = NULL;
      if (dp_stage_call_check (s->stage, &err))
        continue;
      DpYamlNode *at = s->stage->error_option ? option_node (s, s->stage->error_option) : NULL;
      diag (p, at ? at : s->key, s, err->domain, err->code, "%s", err->message);
      g_error_free (err);
    }
}

static gint
diag_cmp (gconstpointer a, gconstpointer b)
{
  const DpDiagnostic *x = *(DpDiagnostic *const *) a, *y = *(DpDiagnostic *const *) b;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return x->col < y->col ? -1 : x->col > y->col;
}

static DpPipeline *
pipeline_finish_load (DpPipeline *p, GPtrArray **diagnostics, GError **error)
{
  /* stable: problems without a position (--set) keep their order at the top */
  g_ptr_array_sort (p->diags, diag_cmp);
  if (p->diags->len == 0)
    {
      if (diagnostics)
        *diagnostics = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_diagnostic_free);
      return p;
    }
  DpDiagnostic *first = g_ptr_array_index (p->diags, 0);
  GString *all = g_string_new (NULL);
  for (guint i = 0; i < p->diags->len; i++)
    g_string_append_printf (all, "%s%s", i ? "\n" : "", ((DpDiagnostic *) g_ptr_array_index (p->diags, i))->message);
  if (p->diags->len == 1)
    g_set_error_literal (error, first->domain, first->code, all->str);
  else
    g_set_error_literal (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_MULTIPLE, all->str);
  g_string_free (all, TRUE);
  if (diagnostics)
    *diagnostics = g_steal_pointer (&p->diags);
  dp_pipeline_free (p);
  return NULL;
}

DpPipeline *
dp_pipeline_load_text (DpContext *ctx, const char *name, const char *text,
                       const char *const *overrides, GPtrArray **diagnostics, GError **error)
{
  DpPipeline *p = g_new0 (DpPipeline, 1);
  p->ctx = ctx;
  p->file = g_strdup (name);
  p->specs = g_ptr_array_new_with_free_func ((GDestroyNotify) spec_free);
  p->order = g_array_new (FALSE, FALSE, sizeof (guint));
  p->diags = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_diagnostic_free);
  p->off = g_ptr_array_new_with_free_func (g_free);
  GError *err = NULL;
  guint line = 0, col = 0;
  p->root = dp_yaml_parse_at (name, text, strlen (text), &line, &col, &err);
  if (p->root == NULL)
    {
      DpDiagnostic *d = g_new0 (DpDiagnostic, 1);
      d->line = line;
      d->col = col;
      d->file = g_strdup (name);
      d->domain = err->domain;
      d->code = err->code;
      d->message = g_strdup (err->message);
      g_ptr_array_add (p->diags, d);
      g_error_free (err);
      return pipeline_finish_load (p, diagnostics, error);
    }
  if (p->root->type != DP_YAML_MAP)
    {
      CDIAG (p, p->root, NULL, DP_CONFIG_ERROR_STRUCTURE, "a pipeline must be a mapping with 'stages:'");
      return pipeline_finish_load (p, diagnostics, error);
    }
  check_top_keys (p);
  DpYamlNode *v = scalar_child (p, p->root, "pipeline", NULL);
  p->name = g_strdup (v ? v->value : name);
  v = scalar_child (p, p->root, "output_dir", NULL);
  p->output_dir = g_strdup (v ? v->value : ".");
  v = scalar_child (p, p->root, "allow_outside_output_dir", NULL);
  if (v && !dp_parse_bool (v->value, &p->allow_outside))
    CDIAG (p, v, NULL, DP_CONFIG_ERROR_TYPE, "'allow_outside_output_dir' must be true or false, not '%s'", v->value);
  g_autofree gboolean *used = preload_overrides (p, overrides);
  if (load_stages (p, dp_yaml_map_get (p->root, "stages")))
    {
      apply_overrides (p, overrides, used);
      drop_off_stages (p);
      validate_stages (p);
      if (p->diags->len == 0)
        {
          check_stages (p);
          check_paths (p);
        }
    }
  return pipeline_finish_load (p, diagnostics, error);
}

DpPipeline *
dp_pipeline_load_file (DpContext *ctx, const char *path, const char *const *overrides,
                       GPtrArray **diagnostics, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (len > 4 * 1024 * 1024)
    {
      /* libyaml slows down sharply on deep nesting; no real pipeline is this big */
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
                   "%s: %zu bytes; a pipeline file may hold at most 4 MiB", path, len);
      return NULL;
    }
  if (strlen (text) != len)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "%s: contains a NUL byte at offset %zu",
                   path, strlen (text));
      return NULL;
    }
  return dp_pipeline_load_text (ctx, path, text, overrides, diagnostics, error);
}

gboolean
dp_pipeline_stage_stats (DpPipeline *p, const char *name, DpStageStats *out)
{
  Spec *s = find_spec (p, name, NULL);
  return s && s->stage && dp_stage_peer_stats (s->stage, name, out);
}

const char *dp_pipeline_name (DpPipeline *p) { return p->name; }
const char *dp_pipeline_output_dir (DpPipeline *p) { return p->ctx->output_dir ? p->ctx->output_dir : p->output_dir; }
guint dp_pipeline_n_stages (DpPipeline *p) { return p->specs->len; }

void
dp_pipeline_free (DpPipeline *p)
{
  if (p == NULL)
    return;
  /* finalize downstream first: a sink aborts its temp file before its
   * upstream's batches go away */
  for (guint r = p->order->len; r-- > 0;)
    {
      Spec *s = spec_at (p, r);
      dp_stage_free_internal (s->stage);
      s->stage = NULL;
    }
  g_ptr_array_unref (p->specs);
  g_array_unref (p->order);
  if (p->diags)
    g_ptr_array_unref (p->diags);
  if (p->off)
    g_ptr_array_unref (p->off);
  dp_yaml_free (p->root);
  if (p->ranks)
    g_array_unref (p->ranks);
  g_free (p->file);
  g_free (p->name);
  g_free (p->output_dir);
  g_free (p);
}
