/* dp-overrides.c — what changes a loaded pipeline before it is wired:
 * the --set overrides (plugin swaps, input options that replace the
 * file's, option values) and optional stages that are off. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dp-options.h"
#include "dp-pipeline-private.h"

/* Applies the --set overrides to the built stages, but those @used
 * (nullable) says preload_override used up. */
void
apply_overrides (DpPipeline *p, const char *const *overrides, const gboolean *used)
{
  for (guint i = 0; overrides && overrides[i]; i++)
    {
      if (used && used[i])
        continue;
      const char *eq = strchr (overrides[i], '=');
      const char *dot = eq ? memchr (overrides[i], '.', (gsize) (eq - overrides[i])) : NULL;
      if (dot == NULL)
        {
          CDIAG (p, NULL, NULL, DP_CONFIG_ERROR_STRUCTURE,
                 "--set '%s': expected stage.option=value", overrides[i]);
          continue;
        }
      g_autofree char *stage = g_strndup (overrides[i], (gsize) (dot - overrides[i]));
      g_autofree char *key = g_strndup (dot + 1, (gsize) (eq - dot - 1));
      Spec *s = find_spec (p, stage, NULL);
      if (s == NULL)
        {
          CDIAG (p, NULL, NULL, DP_CONFIG_ERROR_UNKNOWN_STAGE, "--set '%s': no stage '%s'", overrides[i], stage);
          continue;
        }
      if (s->stage == NULL)
        continue;
      /* reuse the YAML path so --set values obey the same rules */
      /* "-" (the standard input) would read as a YAML list entry */
      g_autofree char *snippet = strcmp (eq + 1, "-") == 0 ? g_strdup_printf ("%s: '-'", key)
                                                           : g_strdup_printf ("%s: %s", key, eq + 1);
      g_autoptr (DpYamlNode) map = dp_yaml_parse ("--set", snippet, strlen (snippet), NULL);
      if (map == NULL || map->type != DP_YAML_MAP)
        {
          CDIAG (p, NULL, s, DP_CONFIG_ERROR_TYPE, "--set '%s': value does not parse", overrides[i]);
          continue;
        }
      if (strcmp (key, "input") == 0 || strcmp (key, "plugin") == 0)
        {
          /* a plugin swap was used up before the stages were built */
          CDIAG (p, NULL, s, DP_CONFIG_ERROR_UNKNOWN_KEY, "--set cannot change '%s'", key);
          continue;
        }
      if (strcmp (key, "optional") == 0)
        {
          if (!dp_parse_bool (eq + 1, &s->optional))
            CDIAG (p, NULL, s, DP_CONFIG_ERROR_TYPE, "--set '%s': 'optional' must be true or false", overrides[i]);
          continue;
        }
      guint n_before = p->diags->len;
      apply_options_full (p, s, s->stage, map, NULL);
      for (guint d = n_before; d < p->diags->len; d++)
        {
          DpDiagnostic *dg = g_ptr_array_index (p->diags, d);
          g_autofree char *old = dg->message;
          dg->message = g_strdup_printf ("--set %s: %s", overrides[i], strstr (old, "stage '") ? strstr (old, "stage '") : old);
          dg->line = dg->col = 0;
        }
      /* remember it was given, for required non-string options */
      g_ptr_array_add (s->node->items, dp_yaml_parse ("--set", key, strlen (key), NULL));
      DpYamlNode *dummy = g_new0 (DpYamlNode, 1);
      dummy->type = DP_YAML_SCALAR;
      dummy->value = g_strdup (eq + 1);
      g_ptr_array_add (s->node->items, dummy);
    }
}

/* What --set changes before the stages are built: `stage.plugin=NAME`
 * replaces the stage's plugin (its other options stay and must suit the new
 * plugin), and setting one of the plugin's input options (`paths` on a
 * stage that says `path:`) drops the pipeline's other input options of that
 * stage, so a command line can swap the input whatever form the file used.
 * Returns TRUE for an override it used up (a plugin swap). */
static gboolean
preload_override (DpPipeline *p, DpYamlNode *stages, const char *stage, const char *key,
                  const char *value)
{
  DpYamlNode *node = stages && stages->type == DP_YAML_MAP ? dp_yaml_map_get (stages, stage) : NULL;
  if (node == NULL || node->type != DP_YAML_MAP)
    return FALSE;   /* apply_overrides says what is wrong */
  DpYamlNode *plugin = dp_yaml_map_get (node, "plugin");
  if (plugin == NULL || plugin->type != DP_YAML_SCALAR)
    return FALSE;
  if (strcmp (key, "plugin") == 0)
    {
      g_free (plugin->value);
      plugin->value = g_strdup (value);
      return TRUE;
    }
  DpPlugin *pl = dp_context_get_plugin (p->ctx, plugin->value, NULL);
  const DpOptionDesc *opt = pl ? dp_option_find (pl->desc, key) : NULL;
  if (opt == NULL || !(opt->flags & DP_OPT_INPUT))
    return FALSE;
  for (guint i = 0; i < dp_yaml_map_size (node);)
    {
      DpYamlNode *k = dp_yaml_map_key (node, i);
      const DpOptionDesc *o = k->type == DP_YAML_SCALAR ? dp_option_find (pl->desc, k->value) : NULL;
      if (o && o != opt && (o->flags & DP_OPT_INPUT))
        {
          g_ptr_array_remove_range (node->items, 2 * i, 2);
          continue;
        }
      i++;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* optional stages */

/* TRUE when @ref (an `input:` value: "stage", "stage.port", a list of
 * them, or a mapping of ports to either) names a stage marked in @off. */
static gboolean
reads_from_off (DpPipeline *p, DpYamlNode *ref, const gboolean *off)
{
  if (ref == NULL)
    return FALSE;
  if (ref->type == DP_YAML_SCALAR)
    {
      const char *dot = strchr (ref->value, '.');
      g_autofree char *up = dot ? g_strndup (ref->value, (gsize) (dot - ref->value)) : g_strdup (ref->value);
      guint i;
      return find_spec (p, up, &i) != NULL && off[i];
    }
  if (ref->type == DP_YAML_SEQ)
    {
      for (guint i = 0; i < ref->items->len; i++)
        if (reads_from_off (p, g_ptr_array_index (ref->items, i), off))
          return TRUE;
      return FALSE;
    }
  if (ref->type == DP_YAML_MAP)
    for (guint i = 0; i < dp_yaml_map_size (ref); i++)
      if (reads_from_off (p, dp_yaml_map_value (ref, i), off))
        return TRUE;
  return FALSE;
}

/* A stage marked `optional: true` whose required options are not all given
 * is off, and so is every stage that reads from a stage that is off (on
 * any input, optional ports included: a classifier without its labels is
 * not the same stage).  Stages that are off are dropped before the wiring,
 * so their missing options and paths are not errors; their options were
 * still parsed, so a misspelt one is.  Their names go to p->off. */
void
drop_off_stages (DpPipeline *p)
{
  guint n = p->specs->len;
  g_autofree gboolean *off = g_new0 (gboolean, MAX (n, 1u));
  g_autofree const DpOptionDesc **why = g_new0 (const DpOptionDesc *, MAX (n, 1u));
  for (guint i = 0; i < n; i++)
    {
      Spec *s = g_ptr_array_index (p->specs, i);
      if (!s->optional || s->stage == NULL || s->stage->config == NULL)
        continue;
      g_autoptr (GHashTable) given = given_keys (s->node);
      why[i] = first_missing (s->stage, given);
      off[i] = why[i] != NULL;
    }
  for (gboolean more = TRUE; more;)
    {
      more = FALSE;
      for (guint i = 0; i < n; i++)
        if (!off[i] && reads_from_off (p, ((Spec *) g_ptr_array_index (p->specs, i))->input, off))
          off[i] = more = TRUE;
    }
  g_autoptr (GString) roots = g_string_new (NULL);
  g_autoptr (GString) fed = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    if (off[i])
      {
        Spec *s = g_ptr_array_index (p->specs, i);
        g_ptr_array_add (p->off, g_strdup (s->name));
        if (why[i])
          g_string_append_printf (roots, "%s'%s' (no '%s')", roots->len ? ", " : "", s->name, why[i]->name);
        else
          g_string_append_printf (fed, "%s%s", fed->len ? ", " : "", s->name);
      }
  for (guint i = n; i-- > 0;)
    if (off[i])
      g_ptr_array_remove_index (p->specs, i);
  if (p->off->len > 0 && !p->ctx->quiet)
    fprintf (stderr, "darkpipe: %s: optional %s off%s%s\n", p->file, roots->str,
             fed->len ? ", and what reads from it: " : "", fed->str);
}

/* Runs preload_override over every --set of @overrides: a new array
 * (transfer full) saying which ones it used up. */
gboolean *
preload_overrides (DpPipeline *p, const char *const *overrides)
{
  guint n_over = overrides ? g_strv_length ((char **) overrides) : 0;
  gboolean *used = g_new0 (gboolean, n_over + 1);
  for (guint i = 0; i < n_over; i++)
    {
      const char *eq = strchr (overrides[i], '=');
      const char *dot = eq ? memchr (overrides[i], '.', (gsize) (eq - overrides[i])) : NULL;
      if (dot == NULL)
        continue;
      g_autofree char *stage = g_strndup (overrides[i], (gsize) (dot - overrides[i]));
      g_autofree char *key = g_strndup (dot + 1, (gsize) (eq - dot - 1));
      used[i] = preload_override (p, dp_yaml_map_get (p->root, "stages"), stage, key, eq + 1);
    }
  return used;
}
