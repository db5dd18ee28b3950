/* pg-table.c — how a darkpipe table maps to PostgreSQL columns, and the
 * SQL table created for it or checked against it. */
#include "config.h"

#include <string.h>
#include "postgres.h"

static const char *const pg_type_names[] = {
  [PG_BIGINT] = "bigint",
  [PG_FLOAT8] = "double precision",
  [PG_INET] = "inet",
  [PG_TEXT] = "text",
  [PG_TSTZ] = "timestamp with time zone",
  [PG_INT2] = "smallint",
  [PG_INT4] = "integer",
};

static void
add_col (PgTable *s, const char *name, PgType type, PgRole role, guint src, PgUnit unit)
{
  PgCol c = { g_strdup (name), type, role, src, unit };
  g_array_append_val (s->cols, c);
}

static void
pg_col_clear (gpointer p)
{
  g_free (((PgCol *) p)->name);
}

void
pg_table_free (gpointer p)
{
  PgTable *s = p;
  g_free (s->name);
  g_array_unref (s->cols);
  g_free (s->name_col);
  db_columns_clear (&s->dp_cols);
  g_free (s->copy_sql);
  g_free (s->stage);
  g_free (s->merge_sql);
  g_free (s);
}

/* The columns of @t: int64 -> bigint (a time column, declared or named in `times`, ->
 * timestamptz, and an ns time gets NAME_nsec smallint beside it), double
 * -> double precision, ipv4 -> inet (and NAME_name text with the
 * pseudonyms when the table has a name map), string -> text. */
/* A packet stream: ts timestamptz and ts_nsec, the addresses inet (and
 * their names), the other fields in the smallest integer type that holds
 * them (smallint is signed: up to 32767). */
static void
packet_columns (PgTable *s, const DpPackets *p)
{
  s->name_col = g_new (gint, DB_PKT_N);
  for (guint c = 0; c < DB_PKT_N; c++)
    {
      const char *name = db_packet_columns[c];
      s->name_col[c] = -1;
      if (c == DB_PKT_TS)
        {
          add_col (s, name, PG_TSTZ, PG_ROLE_VALUE, c, PG_UNIT_NS);
          add_col (s, "ts_nsec", PG_INT2, PG_ROLE_NSEC, c, PG_UNIT_NS);
        }
      else if (c == DB_PKT_SRC || c == DB_PKT_DST)
        {
          add_col (s, name, PG_INET, PG_ROLE_VALUE, c, PG_UNIT_NONE);
          if (p->names)
            {
              g_autofree char *n = g_strdup_printf ("%s_name", name);
              s->name_col[c] = (gint) s->cols->len;
              add_col (s, n, PG_TEXT, PG_ROLE_NAME, c, PG_UNIT_NONE);
            }
        }
      else
        add_col (s, name, db_packet_max[c] <= G_MAXINT16 ? PG_INT2 : db_packet_max[c] <= G_MAXINT32 ? PG_INT4 : PG_BIGINT,
                 PG_ROLE_VALUE, c, PG_UNIT_NONE);
    }
}

PgTable *
pg_table_new (PgSink *st, const char *name, const DpBatch *b, GError **error)
{
  const DpTable *t = (const DpTable *) b;
  if (b->type == DP_TYPE_TABLE && t->n_cols == 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT, "%s: table '%s' has no columns", st->where, name);
      return NULL;
    }
  PgTable *s = g_new0 (PgTable, 1);
  s->name = g_strdup (name);
  s->cols = g_array_new (FALSE, FALSE, sizeof (PgCol));
  g_array_set_clear_func (s->cols, pg_col_clear);
  db_columns_init (&s->dp_cols, b);
  if (b->type == DP_TYPE_PACKETS)
    {
      packet_columns (s, (const DpPackets *) b);
      return s;
    }
  s->name_col = g_new (gint, t->n_cols);
  for (guint c = 0; c < t->n_cols; c++)
    {
      const DpColumn *col = &t->cols[c];
      s->name_col[c] = -1;
      switch (col->type)
        {
        case DP_COL_INT64:
          {
            /* a declared time column is ns; `times` names those of other plugins */
            gint unit = col->flags & DP_COLUMN_TIME ? PG_UNIT_NS
                                                    : GPOINTER_TO_INT (g_hash_table_lookup (st->units, col->name)) - 1;
            if (unit == PG_UNIT_NONE)
              add_col (s, col->name, PG_BIGINT, PG_ROLE_VALUE, c, PG_UNIT_NONE);
            else
              {
                add_col (s, col->name, PG_TSTZ, PG_ROLE_VALUE, c, unit);
                if (unit == PG_UNIT_NS)
                  {
                    g_autofree char *n = g_strdup_printf ("%s_nsec", col->name);
                    add_col (s, n, PG_INT2, PG_ROLE_NSEC, c, unit);
                  }
              }
            break;
          }
        case DP_COL_DOUBLE:
          add_col (s, col->name, PG_FLOAT8, PG_ROLE_VALUE, c, PG_UNIT_NONE);
          break;
        case DP_COL_IPV4:
          add_col (s, col->name, PG_INET, PG_ROLE_VALUE, c, PG_UNIT_NONE);
          if (t->names)
            {
              g_autofree char *n = g_strdup_printf ("%s_name", col->name);
              s->name_col[c] = (gint) s->cols->len;
              add_col (s, n, PG_TEXT, PG_ROLE_NAME, c, PG_UNIT_NONE);
            }
          break;
        default:
          add_col (s, col->name, PG_TEXT, PG_ROLE_VALUE, c, PG_UNIT_NONE);
          break;
        }
    }
  return s;
}

static void
describe (GString *b, const PgTable *s)
{
  for (guint c = 0; c < s->cols->len; c++)
    {
      const PgCol *col = &g_array_index (s->cols, PgCol, c);
      g_string_append_printf (b, "%s%s %s", c ? ", " : "", col->name, pg_type_names[col->type]);
    }
}

/* An existing SQL table must have these columns, names and types, in
 * order.  *exists tells whether there is one. */
static gboolean
check_existing (PgSink *st, PgTable *s, gboolean *exists, GError **error)
{
  g_autoptr (GString) ident = g_string_new (NULL);
  db_append_ident (ident, s->name);
  const char *params[] = { ident->str };
  PGresult *res = PQexecParams (st->conn,
                                "SELECT a.attname, format_type (a.atttypid, a.atttypmod) FROM pg_attribute a "
                                "WHERE a.attrelid = to_regclass ($1) AND a.attnum > 0 AND NOT a.attisdropped "
                                "ORDER BY a.attnum",
                                1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_autofree char *msg = pg_message (st, res);
      PQclear (res);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: table '%s': cannot read its columns: %s",
                   st->where, s->name, msg);
      return FALSE;
    }
  int n = PQntuples (res);
  gboolean same = (guint) n == s->cols->len;
  g_autoptr (GString) have = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      const char *col = PQgetvalue (res, i, 0), *type = PQgetvalue (res, i, 1);
      g_string_append_printf (have, "%s%s %s", i ? ", " : "", col, type);
      if (same)
        {
          const PgCol *want = &g_array_index (s->cols, PgCol, i);
          same = strcmp (col, want->name) == 0 && strcmp (type, pg_type_names[want->type]) == 0;
        }
    }
  PQclear (res);
  *exists = n > 0;
  if (n > 0 && !same)
    {
      g_autoptr (GString) want = g_string_new (NULL);
      describe (want, s);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s' exists with other columns (%s) than the input's (%s); "
                   "use mode: replace, another name (tables) or another database or schema",
                   st->where, s->name, have->str, want->str);
      return FALSE;
    }
  return TRUE;
}

/* The SQL columns of the darkpipe columns @cols ("a+b"), into @b, comma
 * separated: a time with its nanoseconds, an address with its name. */
static void
append_sql_columns (GString *b, const PgTable *s, char *const *cols)
{
  gboolean first = TRUE;
  for (guint i = 0; cols[i]; i++)
    {
      guint src = (guint) db_columns_find (&s->dp_cols, cols[i]);
      for (guint c = 0; c < s->cols->len; c++)
        {
          const PgCol *col = &g_array_index (s->cols, PgCol, c);
          if (col->src != src)
            continue;
          if (!first)
            g_string_append (b, ", ");
          db_append_ident (b, col->name);
          first = FALSE;
        }
    }
}

static gboolean
make_indexes (PgSink *st, PgTable *s, GError **error)
{
  for (guint i = 0; st->cfg.indexes && st->cfg.indexes[i]; i++)
    {
      g_auto (GStrv) cols = db_index_columns (st->cfg.indexes[i]);
      if (!db_columns_has (&s->dp_cols, cols))
        continue;
      g_autofree char *joined = g_strjoinv ("_", cols);
      g_autofree char *index = g_strdup_printf ("%s_%s", s->name, joined);
      g_string_assign (st->sql, "CREATE INDEX IF NOT EXISTS ");
      db_append_ident (st->sql, index);
      g_string_append (st->sql, " ON ");
      db_append_ident (st->sql, s->name);
      g_string_append (st->sql, " (");
      /* the value columns only: an index on a time need not hold its ns */
      for (guint k = 0; cols[k]; k++)
        {
          if (k)
            g_string_append (st->sql, ", ");
          db_append_ident (st->sql, cols[k]);
        }
      g_string_append_c (st->sql, ')');
      if (!pg_exec (st, st->sql->str, s->name, "cannot create an index", error))
        return FALSE;
    }
  return TRUE;
}

/* Upsert: a unique index on the key, a temporary table to copy into and
 * the statement that merges it into the table. */
static gboolean
prepare_upsert (PgSink *st, PgTable *s, GError **error)
{
  g_auto (GStrv) key = db_config_key (&st->cfg, s->name);
  if (!key || !db_columns_has (&s->dp_cols, key))
    {
      g_autofree char *k = key ? g_strjoinv ("+", key) : NULL;
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s': mode upsert needs its key columns (keys: [%s=COLUMN+COLUMN])%s%s%s",
                   st->where, s->name, s->name, k ? "; it has not all of " : "", k ? k : "", k ? "" : "");
      return FALSE;
    }
  g_autofree char *joined = g_strjoinv ("_", key);
  g_autofree char *index = g_strdup_printf ("%s_key_%s", s->name, joined);
  g_string_assign (st->sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
  db_append_ident (st->sql, index);
  g_string_append (st->sql, " ON ");
  db_append_ident (st->sql, s->name);
  g_string_append (st->sql, " (");
  append_sql_columns (st->sql, s, key);
  g_string_append_c (st->sql, ')');
  /* a key column may be NULL (the taxonomy's "not part of the key"): NULLs
   * must be equal in the key for a re-run to replace those rows
   * (PostgreSQL 15 and later; older servers keep such rows twice) */
  gboolean nullable = FALSE;
  for (guint k = 0; key[k]; k++)
    {
      gint c = db_columns_find (&s->dp_cols, key[k]);
      nullable |= c >= 0 && (g_array_index (s->dp_cols.flags, guint, c) & DP_COLUMN_NULLABLE);
    }
  if (nullable && PQserverVersion (st->conn) >= 150000)
    g_string_append (st->sql, " NULLS NOT DISTINCT");
  if (!pg_exec (st, st->sql->str, s->name, "cannot create the unique index of its key", error))
    return FALSE;

  g_free (s->stage);
  s->stage = g_strdup_printf ("dp_upsert_%s", s->name);
  g_autoptr (GString) b = g_string_new ("INSERT INTO ");
  db_append_ident (b, s->name);
  g_string_append (b, " SELECT * FROM ");
  db_append_ident (b, s->stage);
  g_string_append (b, " ON CONFLICT (");
  append_sql_columns (b, s, key);
  g_string_append (b, ") DO ");
  gboolean any = FALSE;
  for (guint c = 0; c < s->cols->len; c++)
    {
      const PgCol *col = &g_array_index (s->cols, PgCol, c);
      if (g_strv_contains ((const char *const *) key, s->dp_cols.names->pdata[col->src]))
        continue;
      g_string_append (b, any ? ", " : "UPDATE SET ");
      db_append_ident (b, col->name);
      g_string_append (b, " = EXCLUDED.");
      db_append_ident (b, col->name);
      any = TRUE;
    }
  if (!any)
    g_string_append (b, "NOTHING");
  g_string_append (b, "; TRUNCATE ");
  db_append_ident (b, s->stage);
  g_free (s->merge_sql);
  s->merge_sql = g_string_free (g_steal_pointer (&b), FALSE);
  return TRUE;
}

/* At the table's first rows in this transaction: drop it (replace, once
 * a run), create it and its indexes if needed or check its columns, and
 * for upsert the temporary table.  Inside the open transaction, so a
 * failure leaves the database as it was. */
gboolean
pg_table_open (PgSink *st, PgTable *s, GError **error)
{
  if (!s->ready)
    {
      if (st->cfg.mode == DB_MODE_REPLACE && !s->replaced)
        {
          g_string_assign (st->sql, "DROP TABLE IF EXISTS ");
          db_append_ident (st->sql, s->name);
          if (!pg_exec (st, st->sql->str, s->name, "cannot drop it", error))
            return FALSE;
          s->drop_pending = TRUE;
        }
      gboolean exists = FALSE;
      if (!check_existing (st, s, &exists, error))
        return FALSE;
      if (!exists)
        {
          g_string_assign (st->sql, "CREATE TABLE ");
          db_append_ident (st->sql, s->name);
          g_string_append (st->sql, " (");
          for (guint c = 0; c < s->cols->len; c++)
            {
              const PgCol *col = &g_array_index (s->cols, PgCol, c);
              if (c > 0)
                g_string_append (st->sql, ", ");
              db_append_ident (st->sql, col->name);
              g_string_append_printf (st->sql, " %s", pg_type_names[col->type]);
            }
          g_string_append_c (st->sql, ')');
          if (!pg_exec (st, st->sql->str, s->name, "cannot create it", error))
            return FALSE;
        }
      if (!make_indexes (st, s, error))
        return FALSE;
      if (st->cfg.mode == DB_MODE_UPSERT && !prepare_upsert (st, s, error))
        return FALSE;
      g_autoptr (GString) b = g_string_new ("COPY ");
      db_append_ident (b, st->cfg.mode == DB_MODE_UPSERT ? s->stage : s->name);
      g_string_append (b, " FROM STDIN (FORMAT binary)");
      g_free (s->copy_sql);
      s->copy_sql = g_string_free (g_steal_pointer (&b), FALSE);
      s->ready = TRUE;
    }
  if (st->cfg.mode == DB_MODE_UPSERT && !s->temp_ready)
    {
      g_string_assign (st->sql, "CREATE TEMPORARY TABLE IF NOT EXISTS ");
      db_append_ident (st->sql, s->stage);
      g_string_append (st->sql, " (LIKE ");
      db_append_ident (st->sql, s->name);
      g_string_append (st->sql, ")");
      if (!pg_exec (st, st->sql->str, s->name, "cannot create its temporary table for upsert", error))
        return FALSE;
      s->temp_ready = TRUE;
    }
  return TRUE;
}
