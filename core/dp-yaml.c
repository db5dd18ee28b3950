/* dp-yaml.c — libyaml document → DpYamlNode tree with positions. */
#include "config.h"

#include <string.h>
#include <yaml.h>

#include "dp-error.h"
#include "dp-yaml.h"

const char *
dp_yaml_type_name (DpYamlType t)
{
  switch (t)
    {
    case DP_YAML_SCALAR: return "a scalar";
    case DP_YAML_MAP: return "a mapping";
    case DP_YAML_SEQ: default: return "a list";
    }
}

void
dp_yaml_free (DpYamlNode *n)
{
  if (n == NULL)
    return;
  if (n->items)
    g_ptr_array_unref (n->items);
  g_free (n->value);
  g_free (n);
}

/* Aliases are expanded; a few lines of "billion laughs" would expand to
 * millions of nodes, so the tree has a budget. */
#define DP_YAML_MAX_NODES 200000

static DpYamlNode *
convert (yaml_document_t *doc, yaml_node_t *yn, guint depth, guint *budget)
{
  DpYamlNode *n = g_new0 (DpYamlNode, 1);
  n->line = (guint) yn->start_mark.line + 1;
  n->col = (guint) yn->start_mark.column + 1;
  if (*budget > 0)
    (*budget)--;
  if (depth > 64 || *budget == 0)   /* hostile nesting or expansion: stop here */
    {
      n->type = DP_YAML_SCALAR;
      n->value = g_strdup ("");
      return n;
    }
  switch (yn->type)
    {
    case YAML_SCALAR_NODE:
      n->type = DP_YAML_SCALAR;
      n->value = g_strndup ((const char *) yn->data.scalar.value, yn->data.scalar.length);
      n->quoted = yn->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                  || yn->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
      break;
    case YAML_MAPPING_NODE:
      n->type = DP_YAML_MAP;
      n->items = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_yaml_free);
      for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top; p++)
        {
          g_ptr_array_add (n->items, convert (doc, yaml_document_get_node (doc, p->key), depth + 1, budget));
          g_ptr_array_add (n->items, convert (doc, yaml_document_get_node (doc, p->value), depth + 1, budget));
        }
      break;
    case YAML_SEQUENCE_NODE:
      n->type = DP_YAML_SEQ;
      n->items = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_yaml_free);
      for (yaml_node_item_t *it = yn->data.sequence.items.start; it < yn->data.sequence.items.top; it++)
        g_ptr_array_add (n->items, convert (doc, yaml_document_get_node (doc, *it), depth + 1, budget));
      break;
    default:
      n->type = DP_YAML_SCALAR;
      n->value = g_strdup ("");
    }
  return n;
}

DpYamlNode *
dp_yaml_parse (const char *filename, const char *text, gsize len, GError **error)
{
  return dp_yaml_parse_at (filename, text, len, NULL, NULL, error);
}

/* Deeper nesting is refused while parsing; a pipeline needs about 5. */
#define DP_YAML_MAX_DEPTH 64

static void
prescan_error (GError **error, guint *line, guint *col, const char *filename, const yaml_mark_t *m,
               gint code, const char *what)
{
  if (line)
    *line = (guint) m->line + 1;
  if (col)
    *col = (guint) m->column + 1;
  g_set_error (error, DP_CONFIG_ERROR, code, "%s:%zu:%zu: %s", filename, m->line + 1, m->column + 1, what);
}

/* One pass over the parser's events before the document is built: stops
 * at the first collection nested deeper than DP_YAML_MAX_DEPTH (libyaml's
 * loader is quadratic in the depth: 100,000 levels took minutes), a second
 * document (it would be ignored), and a merge key '<<' (not supported: it
 * would read as a key named '<<').  Syntax errors are left to the loader,
 * which reports them the same way. */
static gboolean
yaml_prescan (const char *filename, const char *text, gsize len, guint *line, guint *col, GError **error)
{
  yaml_parser_t parser;
  if (!yaml_parser_initialize (&parser))
    return TRUE;
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  guint depth = 0, documents = 0;
  /* per open collection: is it a mapping, and is its next node a key */
  guint8 is_map[DP_YAML_MAX_DEPTH + 1], at_key[DP_YAML_MAX_DEPTH + 1];
  gboolean ok = TRUE, more = TRUE;
  while (ok && more)
    {
      yaml_event_t ev;
      if (!yaml_parser_parse (&parser, &ev))
        break;   /* the loader reports the syntax error */
      gboolean node = FALSE;
      switch (ev.type)
        {
        case YAML_STREAM_END_EVENT:
          more = FALSE;
          break;
        case YAML_DOCUMENT_START_EVENT:
          if (++documents > 1)
            {
              prescan_error (error, line, col, filename, &ev.start_mark, DP_CONFIG_ERROR_SYNTAX,
                             "a second YAML document; a pipeline file holds one (remove the '---' "
                             "and what follows, or put it in a file of its own)");
              ok = FALSE;
            }
          break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
          if (depth > 0 && is_map[depth - 1])
            at_key[depth - 1] = !at_key[depth - 1];
          if (depth == DP_YAML_MAX_DEPTH)
            {
              g_autofree char *what = g_strdup_printf ("YAML nested deeper than %u levels", DP_YAML_MAX_DEPTH);
              prescan_error (error, line, col, filename, &ev.start_mark, DP_CONFIG_ERROR_SYNTAX, what);
              ok = FALSE;
              break;
            }
          is_map[depth] = ev.type == YAML_MAPPING_START_EVENT;
          at_key[depth] = TRUE;
          depth++;
          break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          if (depth > 0)
            depth--;
          break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
          node = TRUE;
          break;
        default:
          break;
        }
      if (node && depth > 0 && is_map[depth - 1])
        {
          if (at_key[depth - 1] && ev.type == YAML_SCALAR_EVENT && ev.data.scalar.plain_implicit
              && strcmp ((const char *) ev.data.scalar.value, "<<") == 0)
            {
              prescan_error (error, line, col, filename, &ev.start_mark, DP_CONFIG_ERROR_SYNTAX,
                             "YAML merge keys ('<<') are not supported; write the options out, "
                             "or use --set");
              ok = FALSE;
            }
          at_key[depth - 1] = !at_key[depth - 1];
        }
      yaml_event_delete (&ev);
    }
  yaml_parser_delete (&parser);
  return ok;
}

DpYamlNode *
dp_yaml_parse_at (const char *filename, const char *text, gsize len,
                  guint *line, guint *col, GError **error)
{
  if (!yaml_prescan (filename, text, len, line, col, error))
    return NULL;
  yaml_parser_t parser;
  yaml_document_t doc;
  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "%s: cannot start the YAML parser", filename);
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  if (!yaml_parser_load (&parser, &doc))
    {
      if (line)
        *line = (guint) parser.problem_mark.line + 1;
      if (col)
        *col = (guint) parser.problem_mark.column + 1;
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "%s:%zu:%zu: YAML syntax error: %s%s%s",
                   filename, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                   parser.problem ? parser.problem : "unknown problem",
                   parser.context ? " " : "", parser.context ? parser.context : "");
      yaml_parser_delete (&parser);
      return NULL;
    }
  yaml_node_t *root = yaml_document_get_root_node (&doc);
  DpYamlNode *tree = NULL;
  if (root == NULL)
    {
      tree = g_new0 (DpYamlNode, 1);
      tree->type = DP_YAML_MAP;
      tree->line = tree->col = 1;
      tree->items = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_yaml_free);
    }
  else
    {
      guint budget = DP_YAML_MAX_NODES;
      tree = convert (&doc, root, 0, &budget);
      if (budget == 0)
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
                       "%s:1:1: more than %u YAML nodes (aliases expanding without bound?)",
                       filename, DP_YAML_MAX_NODES);
          g_clear_pointer (&tree, dp_yaml_free);
        }
    }
  yaml_document_delete (&doc);
  yaml_parser_delete (&parser);
  return tree;
}

guint
dp_yaml_map_size (const DpYamlNode *map)
{
  return map->type == DP_YAML_MAP ? map->items->len / 2 : 0;
}

DpYamlNode *
dp_yaml_map_key (const DpYamlNode *map, guint i)
{
  return g_ptr_array_index (map->items, 2 * i);
}

DpYamlNode *
dp_yaml_map_value (const DpYamlNode *map, guint i)
{
  return g_ptr_array_index (map->items, 2 * i + 1);
}

DpYamlNode *
dp_yaml_map_get (const DpYamlNode *map, const char *key)
{
  for (guint i = 0; i < dp_yaml_map_size (map); i++)
    {
      DpYamlNode *k = dp_yaml_map_key (map, i);
      if (k->type == DP_YAML_SCALAR && strcmp (k->value, key) == 0)
        return dp_yaml_map_value (map, i);
    }
  return NULL;
}
