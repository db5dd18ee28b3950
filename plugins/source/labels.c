/* labels.c — ground-truth labels of source addresses as a table.
 *
 * Reads `ip,label` / `ip,class` CSV files (any column order, extra columns
 * ignored, header optional) and `ADDRESS [# LABEL]` lists such as Maltrail's
 * mass_scanner.txt, plain or gzip (detected by magic).  An address may be a
 * CIDR range (mass_scanner_cidr.txt): ranges go into a prefix trie, and
 * the table gets a `prefix` column so that joins take the longest match.  Tokens that are not
 * addresses but look like names (the pseudonyms "src_ipaddr12" of the
 * DarkVec sample traces) are interned in a name map carried by the table;
 * consumers join such rows by the token text. */
#include "config.h"

#include <string.h>

#include "dp-hash.h"
#include "darkpipe.h"
#include "../common/prefix.h"

typedef struct {
  char *path;
  int format;
  char **relabel;
  char *relabel_file;
  guint64 min_class_size;
  char *unknown_label;
  char *default_label;
  guint64 label_suffix_parts;
} LabelsConfig;

enum { LABELS_AUTO, LABELS_CSV, LABELS_LIST };

typedef struct {
  const LabelsConfig *cfg;
  GHashTable *relabel;       /* from -> to */
  DpNameMap *names;
  DpHash seen;               /* address -> row (exact entries) */
  PrefixTrie ranges;       /* CIDR entries shorter than /32 -> row */
  GArray *addrs;             /* address, or network of a range */
  GArray *prefix;            /* guint8 per row: 32 for an address */
  GPtrArray *labels;         /* interned in @strings */
  GStringChunk *strings;
  gint ip_col, label_col;    /* CSV columns */
  int format;
} Labels;

static void
labels_finalize (void *state)
{
  Labels *s = state;
  g_clear_pointer (&s->relabel, g_hash_table_destroy);
  g_clear_pointer (&s->names, dp_name_map_unref);
  dp_hash_clear (&s->seen);
  prefix_clear (&s->ranges);
  g_clear_pointer (&s->addrs, g_array_unref);
  g_clear_pointer (&s->prefix, g_array_unref);
  g_clear_pointer (&s->labels, g_ptr_array_unref);
  g_clear_pointer (&s->strings, g_string_chunk_free);
  g_free (s);
}

static gboolean
labels_check (DpStage *stage, const void *config, GError **error)
{
  const LabelsConfig *cfg = config;
  for (char **r = cfg->relabel; r && *r; r++)
    {
      const char *eq = strchr (*r, '=');
      if (eq == NULL || eq == *r || eq[1] == '\0')
        return dp_stage_config_error (stage, error, DP_CONFIG_ERROR_TYPE, "relabel",
                                      "option 'relabel': entry '%s' is not of the form from=to", *r);
    }
  return TRUE;
}

static gboolean
labels_init (DpStage *stage, const void *config, void **state, GError **error)
{
  const LabelsConfig *cfg = config;
  Labels *s = g_new0 (Labels, 1);
  *state = s;
  s->cfg = cfg;
  s->relabel = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->names = dp_name_map_new ();
  dp_hash_init (&s->seen, 1024);
  s->addrs = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->prefix = g_array_new (FALSE, FALSE, sizeof (guint8));
  prefix_init (&s->ranges);
  s->labels = g_ptr_array_new ();
  s->strings = g_string_chunk_new (4096);
  for (char **r = cfg->relabel; r && *r; r++)
    {
      const char *eq = strchr (*r, '=');
      if (eq == NULL || eq == *r || eq[1] == '\0')
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_TYPE,
                       "option 'relabel': entry '%s' is not of the form from=to", *r);
          return FALSE;
        }
      g_hash_table_replace (s->relabel, g_strndup (*r, (gsize) (eq - *r)), g_strdup (eq + 1));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* fields */

/* CSV field without its surrounding quotes (embedded commas are not
 * supported: no ground-truth file we know of has them). */
static char *
labels_unquote (char *s)
{
  s = g_strstrip (s);
  gsize n = strlen (s);
  if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
    {
      s[n - 1] = '\0';
      s++;
    }
  return s;
}

static gboolean
labels_is_ipv6 (const char *s)
{
  guint colons = 0;
  for (const char *p = s; *p; p++)
    {
      if (*p == ':')
        colons++;
      else if (!g_ascii_isxdigit (*p) && *p != '.')
        return FALSE;
    }
  return colons >= 2;
}

/* Pseudonyms are identifiers ("src_ipaddr12"); a dot means a mistyped
 * address ("C91.196.152.28" in Maltrail's list) or a host name. */
static gboolean
labels_is_name (const char *s)
{
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

typedef enum { ADDR_OK, ADDR_BAD } AddrResult;

/* "a.b.c.d/N" with N in 0..32: the network (host bits cleared, counted
 * as cidr-host-bits when the text had some) and N. */
static gboolean
labels_cidr (DpStage *stage, const char *text, const char *slash, guint32 *addr, guint *len)
{
  g_autofree char *net = g_strndup (text, (gsize) (slash - text));
  const char *p = slash + 1;
  guint n = 0, digits = 0;
  for (; g_ascii_isdigit (*p) && digits < 3; p++, digits++)
    n = n * 10 + (guint) (*p - '0');
  if (!dp_ipv4_parse (net, addr) || digits == 0 || *p != '\0' || n > 32 || (digits > 1 && slash[1] == '0'))
    return FALSE;
  guint32 host = *addr & ~prefix_mask (n);
  if (host)
    {
      dp_stage_count (stage, "cidr-host-bits", 1);
      *addr &= prefix_mask (n);
    }
  dp_stage_count (stage, "cidr", 1);
  *len = n;
  return TRUE;
}

static AddrResult
labels_address (Labels *s, DpStage *stage, const char *text, guint32 *addr, guint *len)
{
  *len = 32;
  if (dp_ipv4_parse (text, addr))
    return ADDR_OK;
  const char *slash = strchr (text, '/');
  g_autofree char *before_slash = slash ? g_strndup (text, (gsize) (slash - text)) : NULL;
  if (labels_is_ipv6 (text) || (before_slash && labels_is_ipv6 (before_slash)))
    {
      /* an IPv6 address or range: an entry of the table's name map, joined
       * by its text (an address) or its bits (a range, eval.c) */
      guint8 a6[16], host[16];
      guint plen;
      if (!dp_ip6_parse_prefix (text, a6, &plen))
        return ADDR_BAD;
      if (slash)
        {
          g_assert_true (dp_ip6_parse (before_slash, host));
          if (memcmp (host, a6, 16) != 0)
            dp_stage_count (stage, "cidr-host-bits", 1);
          dp_stage_count (stage, "cidr", 1);
        }
      if (!dp_name_map_intern_ip6 (s->names, a6, plen, addr))
        return ADDR_BAD;
      *len = plen;
      return ADDR_OK;
    }
  if (slash)
    return labels_cidr (stage, text, slash, addr, len) ? ADDR_OK : ADDR_BAD;
  if (labels_is_name (text))
    {
      *addr = dp_name_map_intern (s->names, text);
      return ADDR_OK;
    }
  return ADDR_BAD;
}

/* "scan-12b.shadowserver.org" -> "shadowserver.org" with 2 parts. */
static const char *
labels_suffix (const char *label, guint64 parts)
{
  guint32 a;
  if (parts == 0 || dp_ipv4_parse (label, &a))
    return label;
  const char *p = label + strlen (label);
  guint64 seen = 0;
  while (p > label)
    {
      p--;
      if (*p == '.' && ++seen == parts)
        return p + 1;
    }
  return label;
}

/* ------------------------------------------------------------------ */
/* records */

/* Adds @addr/@len (32: one address) with @label; a repeated address or
 * range keeps its first label (counted as duplicate or conflict). */
static void
labels_add (Labels *s, DpStage *stage, guint32 addr, guint len, const char *label)
{
  label = labels_suffix (label, s->cfg->label_suffix_parts);
  const char *to = g_hash_table_lookup (s->relabel, label);
  if (to)
    label = to;
  guint64 new_row = s->addrs->len;
  gint64 old_row = -1;
  /* an address, a pseudonym or an IPv6 entry (of any length): by its key */
  if (len == 32 || dp_name_map_lookup_ip6 (s->names, addr, NULL))
    {
      gboolean inserted;
      guint64 *row = dp_hash_upsert (&s->seen, addr, &inserted);
      if (inserted)
        *row = new_row;
      else
        old_row = (gint64) *row;
    }
  else
    old_row = prefix_insert (&s->ranges, addr, len, (gint64) new_row);
  if (old_row >= 0)
    {
      const char *old = g_ptr_array_index (s->labels, old_row);
      dp_stage_count (stage, strcmp (old, label) == 0 ? "duplicate" : "conflict", 1);
      return;
    }
  guint8 plen = (guint8) len;
  g_array_append_val (s->addrs, addr);
  g_array_append_val (s->prefix, plen);
  g_ptr_array_add (s->labels, g_string_chunk_insert_const (s->strings, label));
}

/* Entries inside a range of another label: the longest prefix wins for
 * their addresses (an address's own entry always does); counted as
 * nested-conflict, the first one shown. */
static void
labels_check_nesting (Labels *s, DpStage *stage)
{
  guint64 nested = 0;
  for (guint i = 0; i < s->addrs->len && s->ranges.n_prefixes > 0; i++)
    {
      guint len = g_array_index (s->prefix, guint8, i), cover_len = 0;
      guint32 addr = g_array_index (s->addrs, guint32, i);
      if (len == 0 || dp_name_map_lookup (s->names, addr))
        continue;
      gint64 r = prefix_lookup_upto (&s->ranges, addr, len - 1, &cover_len);
      if (r < 0 || strcmp (g_ptr_array_index (s->labels, r), g_ptr_array_index (s->labels, i)) == 0)
        continue;
      if (nested++ == 0)
        {
          char a[64], b[64];
          g_autofree char *inner = dp_escape_controls (g_ptr_array_index (s->labels, i), FALSE);
          g_autofree char *outer = dp_escape_controls (g_ptr_array_index (s->labels, r), FALSE);
          dp_stage_info (stage, "%s: %s/%u '%s' lies inside %s/%u '%s' (the longest prefix wins; "
                         "such entries are counted as nested-conflict)", s->cfg->path,
                         dp_ipv4_format (addr, NULL, a), len, inner,
                         dp_ipv4_format (g_array_index (s->addrs, guint32, r), NULL, b), cover_len, outer);
        }
    }
  if (nested)
    dp_stage_count (stage, "nested-conflict", nested);
}

static gboolean
labels_bad (DpStage *stage, DpLineReader *r, const char *what, const char *line, GError **error)
{
  return dp_stage_data_error (stage, error, "bad-line", "%s: line %" G_GUINT64_FORMAT ": %s: '%.60s'",
                              dp_line_reader_path (r), dp_line_reader_line (r), what, line);
}

/* Header of a CSV file, or FALSE when the first line is already data. */
static gboolean
labels_csv_header (Labels *s, const char *line)
{
  g_auto (GStrv) f = g_strsplit (line, ",", -1);
  s->ip_col = s->label_col = -1;
  for (gint i = 0; f[i]; i++)
    {
      const char *name = labels_unquote (f[i]);
      if (s->ip_col < 0 && (g_ascii_strcasecmp (name, "ip") == 0 || g_ascii_strcasecmp (name, "src_ip") == 0
                            || g_ascii_strcasecmp (name, "address") == 0))
        s->ip_col = i;
      else if (s->label_col < 0 && (g_ascii_strcasecmp (name, "label") == 0 || g_ascii_strcasecmp (name, "class") == 0))
        s->label_col = i;
    }
  if (s->ip_col >= 0 || s->label_col >= 0)
    return TRUE;
  s->ip_col = 0;
  s->label_col = 1;
  return FALSE;
}

static gboolean
labels_csv_line (Labels *s, DpStage *stage, DpLineReader *r, char *line, GError **error)
{
  g_auto (GStrv) f = g_strsplit (line, ",", -1);  /* copies: @line stays whole for messages */
  guint n = g_strv_length (f);
  if ((guint) MAX (s->ip_col, s->label_col) >= n)
    return labels_bad (stage, r, "too few fields", line, error);
  const char *ip = labels_unquote (f[s->ip_col]);
  const char *label = labels_unquote (f[s->label_col]);
  guint32 addr;
  guint len;
  AddrResult a = labels_address (s, stage, ip, &addr, &len);
  if (a == ADDR_BAD)
    return labels_bad (stage, r, "not an address", line, error);
  if (*label == '\0')
    return labels_bad (stage, r, "empty label", line, error);
  labels_add (s, stage, addr, len, label);
  return TRUE;
}

static gboolean
labels_list_line (Labels *s, DpStage *stage, DpLineReader *r, char *line, GError **error)
{
  g_autofree char *copy = g_strdup (line);
  char *hash = strchr (line, '#');
  const char *label = s->cfg->default_label;
  if (hash)
    {
      *hash = '\0';
      char *l = g_strstrip (hash + 1);
      if (*l)
        label = l;
    }
  char *ip = g_strstrip (line);
  guint32 addr;
  guint len;
  if (strpbrk (ip, " \t"))
    return labels_bad (stage, r, "more than one address", copy, error);
  AddrResult a = labels_address (s, stage, ip, &addr, &len);
  if (a == ADDR_BAD)
    return labels_bad (stage, r, "not an address", copy, error);
  labels_add (s, stage, addr, len, label);
  return TRUE;
}

static gboolean
labels_read (Labels *s, DpStage *stage, const char *path, GError **error)
{
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  if (r == NULL)
    return FALSE;
  gboolean first = TRUE;
  guint64 first_line = 0, held_line = 0;
  g_autofree char *held_first = NULL;   /* line 1 if it may be a header without an ip column */
  char *line;
  gsize len;
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    {
      /* a UTF-8 byte order mark (spreadsheet exports) is not data */
      if (dp_line_reader_line (r) == 1 && g_str_has_prefix (line, "\xef\xbb\xbf"))
        line += 3;
      char *t = g_strstrip (line);
      if (*t == '\0' || *t == '#')
        continue;
      if (first)
        {
          first = FALSE;
          first_line = dp_line_reader_line (r);
          if (s->format == LABELS_AUTO)
            s->format = strchr (t, ',') ? LABELS_CSV : LABELS_LIST;
          if (s->format == LABELS_CSV && labels_csv_header (s, t))
            {
              if (s->ip_col < 0 || s->label_col < 0)
                {
                  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                               "%s: line %" G_GUINT64_FORMAT ": header has no %s column",
                               path, dp_line_reader_line (r), s->ip_col < 0 ? "ip" : "label/class");
                  return FALSE;
                }
              continue;
            }
        }
      else if (held_first && s->format == LABELS_CSV)
        {
          /* line 1 was taken as data because its first field is a name; if
           * the data below starts with addresses it was a header that names
           * no ip column, and reading on would label one bogus token */
          g_auto (GStrv) f = g_strsplit (t, ",", 2);
          guint32 a;
          if (f[0] && dp_ipv4_parse (labels_unquote (f[0]), &a))
            {
              g_autofree char *shown = dp_escape_controls (held_first, FALSE);
              g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                           "%s: line %" G_GUINT64_FORMAT ": header '%s' has no ip column (name it ip, "
                           "src_ip or address, and the labels label or class)",
                           path, held_line, shown);
              return FALSE;
            }
          g_clear_pointer (&held_first, g_free);
        }
      if (dp_line_reader_line (r) == first_line && s->format == LABELS_CSV)
        {
          /* a word without digits ("addr"), not a pseudonym ("src_ipaddr12") */
          g_auto (GStrv) f = g_strsplit (t, ",", 2);
          const char *w = f[0] ? labels_unquote (f[0]) : NULL;
          if (w && labels_is_name (w) && strpbrk (w, "0123456789") == NULL)
            {
              held_first = g_strdup (t);
              held_line = first_line;
            }
        }
      gboolean ok = s->format == LABELS_CSV ? labels_csv_line (s, stage, r, t, error)
                                            : labels_list_line (s, stage, r, t, error);
      if (!ok)
        return FALSE;
      if (dp_stage_cancelled (stage))
        return TRUE;
    }
  return !dp_line_reader_error (r, error);
}

static gboolean
labels_read_relabel (Labels *s, DpStage *stage, const char *path, GError **error)
{
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, error);
  if (r == NULL)
    return FALSE;
  char *line;
  gsize len;
  while ((line = dp_line_reader_next (r, &len)) != NULL)
    {
      char *t = g_strstrip (line);
      if (*t == '\0' || *t == '#' || g_ascii_strcasecmp (t, "from,to") == 0)
        continue;
      g_auto (GStrv) f = g_strsplit (t, ",", -1);
      if (g_strv_length (f) != 2 || *labels_unquote (f[0]) == '\0' || *labels_unquote (f[1]) == '\0')
        {
          if (!labels_bad (stage, r, "expected from,to", t, error))
            return FALSE;
          continue;
        }
      /* the list option, read first, wins over the file */
      const char *from = labels_unquote (f[0]);
      if (!g_hash_table_contains (s->relabel, from))
        g_hash_table_insert (s->relabel, g_strdup (from), g_strdup (labels_unquote (f[1])));
    }
  return !dp_line_reader_error (r, error);
}

/* Classes with fewer than min_class_size members become unknown. */
static void
labels_merge_small (Labels *s, DpStage *stage)
{
  const char *unknown = s->cfg->unknown_label;
  if (s->cfg->min_class_size <= 1)
    return;
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < s->labels->len; i++)
    {
      gpointer key = g_ptr_array_index (s->labels, i);
      g_hash_table_insert (count, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (count, key)) + 1));
    }
  const char *interned = g_string_chunk_insert_const (s->strings, unknown);
  guint64 merged = 0;
  for (guint i = 0; i < s->labels->len; i++)
    {
      const char *l = g_ptr_array_index (s->labels, i);
      if (strcmp (l, unknown) != 0 && GPOINTER_TO_UINT (g_hash_table_lookup (count, l)) < s->cfg->min_class_size)
        {
          g_ptr_array_index (s->labels, i) = (gpointer) interned;
          merged++;
        }
    }
  dp_stage_count (stage, "merged-to-unknown", merged);
}

static DpTable *
labels_table (Labels *s)
{
  DpTable *t = dp_table_new ("labels");
  guint ci = dp_table_add_column (t, "ip", DP_COL_IPV4);
  guint cl = dp_table_add_column (t, "label", DP_COL_STRING);
  /* only when there are ranges: tables of addresses keep their two columns */
  gint cp = s->ranges.n_prefixes > 0 ? (gint) dp_table_add_column (t, "prefix", DP_COL_INT64) : -1;
  if (dp_name_map_size (s->names) > 0)
    dp_table_set_names (t, s->names);
  for (guint i = 0; i < s->addrs->len; i++)
    {
      guint r = dp_table_append_row (t);
      dp_table_set_ip (t, ci, r, g_array_index (s->addrs, guint32, i));
      dp_table_set_str (t, cl, r, g_ptr_array_index (s->labels, i));
      if (cp >= 0)
        dp_table_set_i64 (t, (guint) cp, r, g_array_index (s->prefix, guint8, i));
    }
  return t;
}

static gboolean
labels_run (DpStage *stage, void *state, GError **error)
{
  Labels *s = state;
  s->format = s->cfg->format;
  if (s->cfg->relabel_file && !labels_read_relabel (s, stage, s->cfg->relabel_file, error))
    return FALSE;
  dp_stage_provenance_add_file (stage, s->cfg->path);
  if (!labels_read (s, stage, s->cfg->path, error))
    return FALSE;
  if (dp_stage_cancelled (stage))
    return TRUE;
  labels_check_nesting (s, stage);
  labels_merge_small (s, stage);
  dp_stage_count (stage, "labels", s->addrs->len);
  if (s->ranges.n_prefixes > 0)
    dp_stage_count (stage, "ranges", s->ranges.n_prefixes);
  dp_stage_progress (stage, 1, 1);
  dp_stage_push (stage, 0, labels_table (s));
  return TRUE;
}

static const char *const labels_formats[] = { "auto", "csv", "list", NULL };

static const DpOptionDesc labels_options[] = {
  DP_OPTION_FLAGS ("path", DP_OPT_PATH, NULL, LabelsConfig, path, DP_OPT_REQUIRED | DP_OPT_INPUT,
                      "Ground-truth file: CSV with ip and label (or class) columns, or an 'ADDRESS # LABEL' list; gzip is detected."),
  DP_OPTION_ENUM ("format", "auto", LabelsConfig, format, labels_formats,
                  "File format; auto picks csv when the first data line has a comma, else list."),
  DP_OPTION ("relabel", DP_OPT_STRLIST, NULL, LabelsConfig, relabel,
             "Label renames as from=to entries (e.g. netscout=unknown), applied before min_class_size."),
  DP_OPTION_FLAGS ("relabel_file", DP_OPT_PATH, NULL, LabelsConfig, relabel_file, DP_OPT_INPUT,
             "CSV file of from,to label renames (the relabel list wins on a conflict)."),
  DP_OPTION_RANGE ("min_class_size", DP_OPT_UINT, "0", LabelsConfig, min_class_size, 0, 1e9,
                   "Classes with fewer members than this are merged into the unknown label (0: keep all)."),
  DP_OPTION ("unknown_label", DP_OPT_STRING, "unknown", LabelsConfig, unknown_label,
             "Label meaning 'no ground truth'; small classes are merged into it."),
  DP_OPTION ("default_label", DP_OPT_STRING, "unknown", LabelsConfig, default_label,
             "Label of list lines that name only an address."),
  DP_OPTION_RANGE ("label_suffix_parts", DP_OPT_UINT, "0", LabelsConfig, label_suffix_parts, 0, 16,
                   "Keep only the last N dot-separated parts of host-name labels (2: scan-3.shadowserver.org -> shadowserver.org; 0: whole label)."),
};

static const DpColumnDesc labels_columns[] = {
  { "ip", DP_COL_IPV4, 0 },
  { "label", DP_COL_STRING, 0 },
};

static const DpPortDesc labels_outputs[] = {
  { "labels", DP_TYPE_TABLE, 0, "Table 'labels': ip (ipv4; pseudonyms through the table's name map), label (string), and prefix (int64) when the file has ranges.", DP_PORT_COLUMNS (labels_columns) },
};

DP_PLUGIN_DEFINE (labels,
  .kind = DP_KIND_SOURCE,
  .summary = "Ground-truth labels of source addresses (CSV or address lists, plain or gzip)",
  .version = "1.0",
  .doc = "Reads a ground-truth file and emits the table `labels` (`ip`, `label`).\n\n"
         "Formats: CSV with a header naming `ip` (or `src_ip`, `address`) and `label` (or `class`), "
         "extra columns ignored, or without a header as `ip,label`; and lists of `ADDRESS # LABEL` "
         "lines (Maltrail's mass_scanner.txt) where `#` lines are comments and a line without a "
         "label gets `default_label`. IPv6 addresses and ranges (`2001:db8::/32`) are read too: "
         "they are entries of the table's name map (an address joins by its RFC 5952 text, a range "
         "by its bits, the longest range winning; `prefix` holds their length, 128 for an "
         "address); nested IPv6 ranges of different labels are not counted as nested-conflict.\n\n"
         "An address may be a CIDR range (`5.63.151.0/24`, as in Maltrail's "
         "mass_scanner_cidr.txt). Ranges go into a prefix trie; when the file has any, the table "
         "gets a third column `prefix` (int64: the range's length, 32 for an address; `ip` holds "
         "the network address), and the joins of the evaluation plugins (`knn_classify`, "
         "`port_baseline`, `cluster_profile`) give an address the label of its own entry, else of "
         "the longest range that holds it. Host bits set in a range (`1.2.3.4/24`) are cleared and "
         "counted (`cidr-host-bits`); counters `cidr` (entries written as ranges) and `ranges` "
         "(distinct ranges shorter than /32). An entry inside a range with another label is "
         "counted as `nested-conflict` and the first one is shown. Tokens that are not addresses but look like names "
         "(the pseudonyms `src_ipaddr12` of the DarkVec sample traces) are kept in a name map on "
         "the table; consumers join those rows by the token's text.\n\n"
         "A repeated address or range keeps its first label (counted as `duplicate` or `conflict`). "
         "Labels are cut to their last `label_suffix_parts` host-name parts, then renamed by "
         "`relabel`/`relabel_file`, then classes smaller than `min_class_size` become `unknown_label`. "
         "Bad lines are counted as `bad-line` with file and line number.",
  .outputs = labels_outputs, .n_outputs = DP_N_ELEMENTS (labels_outputs),
  .options = labels_options, .n_options = DP_N_ELEMENTS (labels_options),
  .config_size = sizeof (LabelsConfig),
  .check = labels_check,
  .init = labels_init,
  .run = labels_run,
  .finalize = labels_finalize)
