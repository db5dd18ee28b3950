/* dp-yaml.c — libyaml events → DpYamlNode tree with positions.
 *
 * The tree is built from the parser's events here rather than with
 * yaml_parser_load: the loader is quadratic in the nesting depth (100,000
 * levels in 200 KB ran for minutes) and looks anchors up linearly.  Built
 * from events, nesting is refused at the first collection deeper than
 * DP_YAML_MAX_DEPTH with its position, a second document and '<<' merge
 * keys are refused where they start, and aliases are expanded (copied)
 * under a node budget. */
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

DpYamlNode *
dp_yaml_parse (const char *filename, const char *text, gsize len, GError **error)
{
  return dp_yaml_parse_at (filename, text, len, NULL, NULL, error);
}

/* A finished anchored node: aliases copy it. */
typedef struct {
  DpYamlNode *node;     /* owned by the tree */
  guint size;           /* nodes in it */
  guint height;         /* collections on its deepest path (0 for a scalar) */
  guint line;           /* where the anchor was defined */
} Anchor;

/* An open collection. */
typedef struct {
  DpYamlNode *node;     /* owned by its parent (or is the root) */
  char *anchor;         /* its anchor, registered when it ends */
  guint size, height;   /* of what it holds so far (itself included) */
} Frame;

typedef struct {
  const char *filename;
  guint *line, *col;
  GError **error;
  Frame stack[DP_YAML_MAX_DEPTH];
  guint depth;          /* open collections */
  GHashTable *anchors;  /* name → Anchor */
  guint nodes;          /* in the tree, aliases expanded */
  DpYamlNode *root;
  guint documents;
} Builder;

/* Sets the error "file:line:col: message" at @m; returns FALSE. */
static gboolean G_GNUC_PRINTF (4, 5)
fail (Builder *b, const yaml_mark_t *m, gint code, const char *fmt, ...)
{
  guint line = (guint) m->line + 1, col = (guint) m->column + 1;
  if (b->line)
    *b->line = line;
  if (b->col)
    *b->col = col;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (b->error, DP_CONFIG_ERROR, code, "%s:%u:%u: %s", b->filename, line, col, what);
  return FALSE;
}

static DpYamlNode *
copy_node (const DpYamlNode *n)
{
  DpYamlNode *c = g_new0 (DpYamlNode, 1);
  c->type = n->type;
  c->value = g_strdup (n->value);
  c->quoted = n->quoted;
  c->line = n->line;
  c->col = n->col;
  if (n->items)
    {
      c->items = g_ptr_array_new_full (n->items->len, (GDestroyNotify) dp_yaml_free);
      for (guint i = 0; i < n->items->len; i++)   /* depth ≤ DP_YAML_MAX_DEPTH */
        g_ptr_array_add (c->items, copy_node (g_ptr_array_index (n->items, i)));
    }
  return c;
}

/* The anchor is free to define: not defined before, not an open collection's. */
static gboolean
check_anchor (Builder *b, const yaml_char_t *anchor, const yaml_mark_t *m)
{
  if (anchor == NULL)
    return TRUE;
  Anchor *a = g_hash_table_lookup (b->anchors, anchor);
  guint first = a ? a->line : 0;
  for (guint i = 0; !first && i < b->depth; i++)
    if (b->stack[i].anchor && strcmp (b->stack[i].anchor, (const char *) anchor) == 0)
      first = b->stack[i].node->line;
  if (first)
    return fail (b, m, DP_CONFIG_ERROR_SYNTAX, "YAML anchor '&%s' defined twice (first at line %u)",
                 (const char *) anchor, first);
  return TRUE;
}

static void
register_anchor (Builder *b, char *anchor, DpYamlNode *n, guint size, guint height)
{
  Anchor *a = g_new (Anchor, 1);
  a->node = n;
  a->size = size;
  a->height = height;
  a->line = n->line;
  g_hash_table_insert (b->anchors, anchor, a);
}

/* @n (@size nodes, @height collections deep) is complete: attach it. */
static gboolean
add_node (Builder *b, DpYamlNode *n, guint size, guint height)
{
  if (b->depth == 0)
    {
      b->root = n;
      return TRUE;
    }
  Frame *f = &b->stack[b->depth - 1];
  g_ptr_array_add (f->node->items, n);
  f->size += size;
  f->height = MAX (f->height, height + 1);
  return TRUE;
}

/* A scalar or an alias is about to be added: refuse '<<' in key position. */
static gboolean
check_merge_key (Builder *b, const yaml_event_t *ev)
{
  if (b->depth == 0 || ev->type != YAML_SCALAR_EVENT || !ev->data.scalar.plain_implicit)
    return TRUE;
  Frame *f = &b->stack[b->depth - 1];
  if (f->node->type == DP_YAML_MAP && f->node->items->len % 2 == 0
      && strcmp ((const char *) ev->data.scalar.value, "<<") == 0)
    return fail (b, &ev->start_mark, DP_CONFIG_ERROR_SYNTAX,
                 "YAML merge keys ('<<') are not supported; write the options out, or use --set");
  return TRUE;
}

static gboolean
on_event (Builder *b, yaml_event_t *ev, gboolean *done)
{
  const yaml_mark_t *m = &ev->start_mark;
  switch (ev->type)
    {
    case YAML_STREAM_END_EVENT:
      *done = TRUE;
      return TRUE;
    case YAML_DOCUMENT_START_EVENT:
      if (++b->documents > 1)
        return fail (b, m, DP_CONFIG_ERROR_SYNTAX,
                     "a second YAML document; a pipeline file holds one (remove the '---' "
                     "and what follows, or put it in a file of its own)");
      return TRUE;
    case YAML_SCALAR_EVENT:
      {
        if (!check_merge_key (b, ev) || !check_anchor (b, ev->data.scalar.anchor, m))
          return FALSE;
        if (b->nodes >= DP_YAML_MAX_NODES)
          return fail (b, m, DP_CONFIG_ERROR_STRUCTURE, "more than %u YAML nodes", DP_YAML_MAX_NODES);
        b->nodes++;
        DpYamlNode *n = g_new0 (DpYamlNode, 1);
        n->type = DP_YAML_SCALAR;
        n->line = (guint) m->line + 1;
        n->col = (guint) m->column + 1;
        n->value = g_strndup ((const char *) ev->data.scalar.value, ev->data.scalar.length);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                    || ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        if (ev->data.scalar.anchor)
          register_anchor (b, g_strdup ((const char *) ev->data.scalar.anchor), n, 1, 0);
        return add_node (b, n, 1, 0);
      }
    case YAML_ALIAS_EVENT:
      {
        const char *name = (const char *) ev->data.alias.anchor;
        Anchor *a = g_hash_table_lookup (b->anchors, name);
        if (a == NULL)
          {
            for (guint i = 0; i < b->depth; i++)
              if (b->stack[i].anchor && strcmp (b->stack[i].anchor, name) == 0)
                return fail (b, m, DP_CONFIG_ERROR_SYNTAX,
                             "YAML alias '*%s' is inside the node it names (a recursive structure)", name);
            return fail (b, m, DP_CONFIG_ERROR_SYNTAX, "YAML syntax error: found undefined alias '*%s'", name);
          }
        if (b->depth + a->height > DP_YAML_MAX_DEPTH)
          return fail (b, m, DP_CONFIG_ERROR_SYNTAX, "YAML nested deeper than %u levels (through alias '*%s')",
                       DP_YAML_MAX_DEPTH, name);
        if (a->size > DP_YAML_MAX_NODES - b->nodes)
          return fail (b, m, DP_CONFIG_ERROR_STRUCTURE,
                       "more than %u YAML nodes (aliases expanding without bound?)", DP_YAML_MAX_NODES);
        b->nodes += a->size;
        return add_node (b, copy_node (a->node), a->size, a->height);
      }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      {
        gboolean map = ev->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        if (b->depth == DP_YAML_MAX_DEPTH)
          return fail (b, m, DP_CONFIG_ERROR_SYNTAX, "YAML nested deeper than %u levels", DP_YAML_MAX_DEPTH);
        if (!check_anchor (b, anchor, m))
          return FALSE;
        if (b->nodes >= DP_YAML_MAX_NODES)
          return fail (b, m, DP_CONFIG_ERROR_STRUCTURE, "more than %u YAML nodes", DP_YAML_MAX_NODES);
        b->nodes++;
        DpYamlNode *n = g_new0 (DpYamlNode, 1);
        n->type = map ? DP_YAML_MAP : DP_YAML_SEQ;
        n->line = (guint) m->line + 1;
        n->col = (guint) m->column + 1;
        n->items = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_yaml_free);
        /* attached now so that the root owns everything if parsing fails */
        if (b->depth == 0)
          b->root = n;
        else
          g_ptr_array_add (b->stack[b->depth - 1].node->items, n);
        Frame *f = &b->stack[b->depth++];
        f->node = n;
        f->anchor = g_strdup ((const char *) anchor);
        f->size = 1;
        f->height = 1;
        return TRUE;
      }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      {
        if (b->depth == 0)   /* libyaml balances its events; never */
          return fail (b, m, DP_CONFIG_ERROR_SYNTAX, "YAML syntax error: unbalanced collection end");
        Frame f = b->stack[--b->depth];
        if (f.anchor)
          register_anchor (b, f.anchor, f.node, f.size, f.height);
        if (b->depth > 0)
          {
            Frame *p = &b->stack[b->depth - 1];
            p->size += f.size;
            p->height = MAX (p->height, f.height + 1);
          }
        return TRUE;
      }
    default:
      return TRUE;
    }
}

DpYamlNode *
dp_yaml_parse_at (const char *filename, const char *text, gsize len,
                  guint *line, guint *col, GError **error)
{
  yaml_parser_t parser;
  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "%s: cannot start the YAML parser", filename);
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  Builder b = { .filename = filename, .line = line, .col = col, .error = error };
  b.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gboolean ok = TRUE, done = FALSE;
  while (ok && !done)
    {
      yaml_event_t ev;
      if (!yaml_parser_parse (&parser, &ev))
        {
          if (line)
            *line = (guint) parser.problem_mark.line + 1;
          if (col)
            *col = (guint) parser.problem_mark.column + 1;
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "%s:%zu:%zu: YAML syntax error: %s%s%s",
                       filename, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                       parser.problem ? parser.problem : "unknown problem",
                       parser.context ? " " : "", parser.context ? parser.context : "");
          ok = FALSE;
          break;
        }
      ok = on_event (&b, &ev, &done);
      yaml_event_delete (&ev);
    }
  for (guint i = 0; i < b.depth; i++)   /* open collections: only on failure */
    g_free (b.stack[i].anchor);
  g_hash_table_unref (b.anchors);
  yaml_parser_delete (&parser);
  if (!ok)
    {
      dp_yaml_free (b.root);
      return NULL;
    }
  if (b.root == NULL)   /* no document, or only comments */
    {
      b.root = g_new0 (DpYamlNode, 1);
      b.root->type = DP_YAML_MAP;
      b.root->line = b.root->col = 1;
      b.root->items = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_yaml_free);
    }
  return b.root;
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
