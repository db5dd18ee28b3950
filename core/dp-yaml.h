/* dp-yaml.h — a small YAML tree that keeps line:column for every node. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum { DP_YAML_SCALAR, DP_YAML_MAP, DP_YAML_SEQ } DpYamlType;

typedef struct _DpYamlNode DpYamlNode;
struct _DpYamlNode {
  DpYamlType type;
  char *value;          /* scalars */
  gboolean quoted;      /* scalar was quoted (a string even if it looks like a number) */
  guint line, col;      /* 1-based */
  GPtrArray *items;     /* MAP: key, value, key, value…; SEQ: values */
};

/* Collections (mappings and lists) nested deeper than this are refused
 * while parsing, aliases expanded included: a pipeline needs about 5, and
 * hostile nesting (100,000 levels) must fail fast with a position. */
#define DP_YAML_MAX_DEPTH 64

/** Parses @text (named @filename in messages): one document, aliases
 * expanded (copied).  On a syntax error returns NULL and sets
 * DP_CONFIG_ERROR_SYNTAX with "file:line:col: message"; also for nesting
 * deeper than DP_YAML_MAX_DEPTH, a second document, a '<<' merge key (not
 * supported), an undefined, recursive or redefined anchor.  More than
 * 200,000 nodes (an alias bomb) is DP_CONFIG_ERROR_STRUCTURE. */
DpYamlNode *dp_yaml_parse (const char *filename, const char *text, gsize len, GError **error);
/** Same, also giving the 1-based position of a syntax error in @line/@col. */
DpYamlNode *dp_yaml_parse_at (const char *filename, const char *text, gsize len,
                              guint *line, guint *col, GError **error);
void dp_yaml_free (DpYamlNode *node);
guint dp_yaml_map_size (const DpYamlNode *map);
DpYamlNode *dp_yaml_map_key (const DpYamlNode *map, guint i);
DpYamlNode *dp_yaml_map_value (const DpYamlNode *map, guint i);
/** First value for @key in @map or NULL. */
DpYamlNode *dp_yaml_map_get (const DpYamlNode *map, const char *key);
const char *dp_yaml_type_name (DpYamlType t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpYamlNode, dp_yaml_free)

G_END_DECLS
