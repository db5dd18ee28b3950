/* dp-table.c — DpTable: typed columns with null bitmaps, rows appended or
 * reserved, cells formatted as text without printf. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dp-batch.h"

static gsize
col_elem_size (DpColType t)
{
  switch (t)
    {
    case DP_COL_INT64: return sizeof (gint64);
    case DP_COL_DOUBLE: return sizeof (double);
    case DP_COL_IPV4: return sizeof (guint32);
    case DP_COL_STRING: default: return sizeof (char *);
    }
}

static void
table_free (DpBatch *b)
{
  DpTable *t = (DpTable *) b;
  for (guint c = 0; c < t->n_cols; c++)
    {
      g_free (t->cols[c].name);
      g_free (t->cols[c].data);
      g_free (t->cols[c].nulls);
    }
  g_free (t->cols);
  g_free (t->name);
  g_string_chunk_free (t->strings);
  dp_name_map_unref (t->names);
  g_free (t);
}

DpTable *
dp_table_new (const char *name)
{
  DpTable *t = g_new0 (DpTable, 1);
  t->base.type = DP_TYPE_TABLE;
  t->base.ref_count = 1;
  t->base.free_func = table_free;
  t->name = g_strdup (name ? name : "table");
  t->strings = g_string_chunk_new (4096);
  return t;
}

guint
dp_table_add_column_flags (DpTable *t, const char *name, DpColType type, guint flags)
{
  flags &= DP_COLUMN_TIME | DP_COLUMN_NULLABLE;
  if ((flags & DP_COLUMN_TIME) && type != DP_COL_INT64)
    {
      g_critical ("dp_table_add_column_flags: time column '%s' is not int64", name);
      flags &= ~DP_COLUMN_TIME;
    }
  t->cols = g_renew (DpColumn, t->cols, t->n_cols + 1);
  DpColumn *c = &t->cols[t->n_cols];
  c->name = g_strdup (name);
  c->type = type;
  c->flags = flags;
  c->data = g_malloc0 (MAX (t->capacity, 1u) * col_elem_size (type));
  c->nulls = NULL;
  return t->n_cols++;
}

guint
dp_table_add_column (DpTable *t, const char *name, DpColType type)
{
  return dp_table_add_column_flags (t, name, type, 0);
}

/* bytes of a null bitmap for @rows rows */
static gsize
nulls_size (guint rows)
{
  return ((gsize) rows + 7) / 8;
}

void
dp_table_set_null (DpTable *t, guint col, guint row)
{
  g_return_if_fail (col < t->n_cols && row < t->n_rows);
  DpColumn *c = &t->cols[col];
  if (c->nulls == NULL)
    c->nulls = g_malloc0 (nulls_size (t->capacity));
  c->nulls[row >> 3] |= (guint8) (1u << (row & 7));
  c->flags |= DP_COLUMN_NULLABLE;
  memset ((char *) c->data + (gsize) row * col_elem_size (c->type), 0, col_elem_size (c->type));
}

/* A cell that gets a value is not null any more. */
static inline void
clear_null (DpColumn *c, guint row)
{
  if (c->nulls)
    c->nulls[row >> 3] &= (guint8) ~(1u << (row & 7));
}

void
dp_table_copy_nulls (DpTable *t, guint col, const DpTable *src, guint src_col)
{
  g_return_if_fail (col < t->n_cols && src_col < src->n_cols);
  guint n = MIN (t->n_rows, src->n_rows);
  for (guint r = 0; r < n; r++)
    if (src->cols[src_col].nulls && (src->cols[src_col].nulls[r >> 3] & (1u << (r & 7))))
      dp_table_set_null (t, col, r);
}

gint
dp_table_find_column (const DpTable *t, const char *name)
{
  for (guint c = 0; c < t->n_cols; c++)
    if (strcmp (t->cols[c].name, name) == 0)
      return (gint) c;
  return -1;
}

/* Room for @cap rows (more than the table has), the new cells zero. */
static void
table_grow (DpTable *t, guint cap)
{
  for (guint c = 0; c < t->n_cols; c++)
    {
      gsize es = col_elem_size (t->cols[c].type);
      if (t->n_rows == 0)
        {
          /* nothing to keep: zeroed memory as the allocator has it (fresh
           * pages are zero already), not a copy and a memset */
          g_free (t->cols[c].data);
          t->cols[c].data = g_malloc0 ((gsize) cap * es);
        }
      else
        {
          t->cols[c].data = g_realloc (t->cols[c].data, (gsize) cap * es);
          memset ((char *) t->cols[c].data + (gsize) t->capacity * es, 0, (gsize) (cap - t->capacity) * es);
        }
      if (t->cols[c].nulls)
        {
          gsize had = nulls_size (t->capacity), want = nulls_size (cap);
          t->cols[c].nulls = g_realloc (t->cols[c].nulls, want);
          memset (t->cols[c].nulls + had, 0, want - had);
        }
    }
  t->capacity = cap;
}

void
dp_table_reserve (DpTable *t, guint rows)
{
  g_return_if_fail (t != NULL);
  if (rows > t->capacity)
    table_grow (t, rows);
}

guint
dp_table_append_row (DpTable *t)
{
  if (t->n_rows == t->capacity)
    table_grow (t, MAX (64u, t->capacity * 2));
  return t->n_rows++;
}

void
dp_table_set_i64 (DpTable *t, guint col, guint row, gint64 v)
{
  g_return_if_fail (col < t->n_cols && row < t->n_rows && t->cols[col].type == DP_COL_INT64);
  t->cols[col].i64[row] = v;
  clear_null (&t->cols[col], row);
}

void
dp_table_set_f64 (DpTable *t, guint col, guint row, double v)
{
  g_return_if_fail (col < t->n_cols && row < t->n_rows && t->cols[col].type == DP_COL_DOUBLE);
  t->cols[col].f64[row] = v;
  clear_null (&t->cols[col], row);
}

void
dp_table_set_ip (DpTable *t, guint col, guint row, guint32 v)
{
  g_return_if_fail (col < t->n_cols && row < t->n_rows && t->cols[col].type == DP_COL_IPV4);
  t->cols[col].ip[row] = v;
  clear_null (&t->cols[col], row);
}

void
dp_table_set_str (DpTable *t, guint col, guint row, const char *v)
{
  g_return_if_fail (col < t->n_cols && row < t->n_rows && t->cols[col].type == DP_COL_STRING);
  /* equal short strings (labels, patterns, names) stored once; long ones
   * (lists of ports or addresses) are seldom equal, and hashing each cost
   * more than storing it twice */
  t->cols[col].str[row] = v == NULL ? NULL
                          : strlen (v) < 64 ? g_string_chunk_insert_const (t->strings, v)
                                            : g_string_chunk_insert (t->strings, v);
  if (v)
    clear_null (&t->cols[col], row);
}

void
dp_table_set_names (DpTable *t, DpNameMap *names)
{
  DpNameMap *old = t->names;
  t->names = dp_name_map_ref (names);
  dp_name_map_unref (old);
}

/* Sinks format millions of cells: printf costs more than the rest.  Two
 * digits a step from a table of the hundred pairs (half the divisions of
 * one digit a step). */
static const char append_pairs[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

static void
append_int64 (GString *out, gint64 v)
{
  if ((guint64) v < 10)
    {
      /* most cells of count tables are 0 */
      g_string_append_c (out, (char) ('0' + v));
      return;
    }
  guint64 u = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;
  char tmp[24];
  char *end = tmp + sizeof tmp, *dst = end;
  while (u >= 100)
    {
      guint d = (guint) (u % 100) * 2;
      u /= 100;
      *--dst = append_pairs[d + 1];
      *--dst = append_pairs[d];
    }
  if (u >= 10)
    {
      *--dst = append_pairs[u * 2 + 1];
      *--dst = append_pairs[u * 2];
    }
  else
    *--dst = (char) ('0' + u);
  if (v < 0)
    *--dst = '-';
  gsize n = (gsize) (end - dst);
  g_string_set_size (out, out->len + n);
  memcpy (out->str + out->len - n, dst, n);
}

/* A decimal that reads back to the same double, as short as the usual
 * cases allow: durations and ratios (at most nine decimals, e.g. seconds
 * from nanoseconds) come from integer digits; anything else takes the
 * fewest of 15, 16 or 17 significant digits that round-trips. */
static void
append_double (GString *out, double v)
{
  if (isnan (v))
    {
      g_string_append (out, "nan");
      return;
    }
  if (isinf (v))
    {
      g_string_append (out, v < 0 ? "-inf" : "inf");
      return;
    }
  double a = fabs (v);
  if (a < 9e6)
    {
      /* k / 1e9 with k and 1e9 exact is the correctly rounded quotient, so
       * when it equals v, strtod of the decimal k / 1e9 gives v back */
      gint64 k = (gint64) llround (a * 1e9);
      if ((double) k / 1e9 == a)
        {
          if (signbit (v) && k != 0)
            g_string_append_c (out, '-');
          append_int64 (out, k / 1000000000);
          int frac = (int) (k % 1000000000), digits = 9;
          for (; frac != 0 && frac % 10 == 0; frac /= 10)
            digits--;
          if (frac != 0)
            {
              char tmp[10];
              for (int i = digits - 1; i >= 0; i--, frac /= 10)
                tmp[i] = (char) ('0' + frac % 10);
              g_string_append_c (out, '.');
              g_string_append_len (out, tmp, digits);
            }
          return;
        }
    }
  char d[G_ASCII_DTOSTR_BUF_SIZE];
  static const char *const fmts[] = { "%.15g", "%.16g", "%.17g" };
  for (guint i = 0; i < G_N_ELEMENTS (fmts); i++)
    {
      g_ascii_formatd (d, sizeof d, fmts[i], v);
      if (i + 1 == G_N_ELEMENTS (fmts) || g_ascii_strtod (d, NULL) == v)
        break;
    }
  g_string_append (out, d);
}

static void
append_ipv4 (GString *out, guint32 a)
{
  char buf[16];
  g_string_append_len (out, buf, dp_ipv4_put (buf, a) - buf);
}

void
dp_table_format_cell (const DpTable *t, guint col, guint row, GString *out)
{
  const DpColumn *c = &t->cols[col];
  if (c->nulls && (c->nulls[row >> 3] & (1u << (row & 7))))
    return;
  switch (c->type)
    {
    case DP_COL_INT64:
      append_int64 (out, c->i64[row]);
      break;
    case DP_COL_DOUBLE:
      append_double (out, c->f64[row]);
      break;
    case DP_COL_IPV4:
      {
        const char *name = dp_name_map_lookup (t->names, c->ip[row]);
        if (name)
          g_string_append (out, name);
        else
          append_ipv4 (out, c->ip[row]);
      }
      break;
    case DP_COL_STRING:
      if (c->str[row])
        g_string_append (out, c->str[row]);
      break;
    }
}
