/* pg-copy.c — rows into PostgreSQL through COPY … FROM STDIN in the binary
 * format: every value is sent as the server stores it (no text to parse,
 * doubles and NaN exact), in chunks of COPY_CHUNK bytes. */
#include "config.h"

#include <string.h>
#include "postgres.h"

#define COPY_CHUNK (256 * 1024)
/* seconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC */
#define PG_EPOCH_S G_GINT64_CONSTANT (946684800)
#define PG_EPOCH_US (PG_EPOCH_S * G_GINT64_CONSTANT (1000000))
#define PGSQL_AF_INET 2   /* AF_INET + 0, as the server's inet wants it */
#define PGSQL_AF_INET6 3  /* AF_INET + 1 */

static inline void
put16 (GString *b, guint16 v)
{
  v = GUINT16_TO_BE (v);
  g_string_append_len (b, (const char *) &v, 2);
}

static inline void
put32 (GString *b, guint32 v)
{
  v = GUINT32_TO_BE (v);
  g_string_append_len (b, (const char *) &v, 4);
}

static inline void
put64 (GString *b, guint64 v)
{
  v = GUINT64_TO_BE (v);
  g_string_append_len (b, (const char *) &v, 8);
}

static inline void
put_text (GString *b, const char *s)
{
  if (!s)
    {
      put32 (b, (guint32) -1);
      return;
    }
  gsize n = strlen (s);
  put32 (b, (guint32) n);
  g_string_append_len (b, s, (gssize) n);
}

/* @v in @unit as microseconds since 2000-01-01; FALSE when out of gint64 */
static gboolean
time_us (gint64 v, PgUnit unit, gint64 *us)
{
  gint64 k;
  switch (unit)
    {
    case PG_UNIT_S: k = 1000000; break;
    case PG_UNIT_MS: k = 1000; break;
    case PG_UNIT_US: k = 1; break;
    default:
      *us = dp_floor_div (v, 1000) - PG_EPOCH_US;
      return TRUE;
    }
  if (__builtin_mul_overflow (v, k, us))
    return FALSE;
  return !__builtin_sub_overflow (*us, PG_EPOCH_US, us);
}

/* "COLUMN=VALUE" of the first column of row @r (a packet: its ts in ns) */
static void
row_label (PgSink *st, const DpBatch *b, guint r, GString *out)
{
  if (b->type == DP_TYPE_PACKETS)
    {
      g_string_printf (out, "ts=%" G_GINT64_FORMAT, ((const DpPackets *) b)->ts[r]);
      return;
    }
  const DpTable *t = (const DpTable *) b;
  g_string_truncate (st->cell, 0);
  dp_table_format_cell (t, 0, r, st->cell);
  g_string_printf (out, "%s=%s", t->cols[0].name, st->cell->str);
}

/* Address @addr of darkpipe column @src, row @r of @b, as an inet: an IPv6
 * entry of the name map is a real address, which inet takes; a pseudonym
 * needs the table's NAME_name column. */
static gboolean
put_inet (PgSink *st, const PgTable *s, const DpBatch *b, const DpNameMap *names, guint src, guint32 addr, guint r,
          GError **error)
{
  GString *buf = st->buf;
  guint plen;
  const guint8 *a6 = dp_name_map_lookup_ip6 (names, addr, &plen);
  if (a6)
    {
      put32 (buf, 20);
      g_string_append_c (buf, PGSQL_AF_INET6);
      g_string_append_c (buf, (char) plen);   /* bits: a prefix keeps its length */
      g_string_append_c (buf, 0);
      g_string_append_c (buf, 16);
      g_string_append_len (buf, (const char *) a6, 16);
      return TRUE;
    }
  put32 (buf, 8);
  g_string_append_c (buf, PGSQL_AF_INET);
  g_string_append_c (buf, 32);   /* bits */
  g_string_append_c (buf, 0);    /* not cidr */
  g_string_append_c (buf, 4);
  put32 (buf, addr);
  if (names && s->name_col[src] < 0 && dp_name_map_lookup (names, addr))
    {
      const char *col = s->dp_cols.names->pdata[src];
      g_autoptr (GString) where = g_string_new (NULL);
      row_label (st, b, r, where);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: table '%s', row %" G_GUINT64_FORMAT " (%s): column %s holds a pseudonym, "
                   "but the table was made for real addresses (no %s_name column); write "
                   "pseudonymised input into another table",
                   st->where, s->name, s->rows + s->rows_open + 1, where->str, col, col);
      return FALSE;
    }
  return TRUE;
}

/* the pseudonym of @addr, NULL for a real address (IPv4 or IPv6) */
static const char *
addr_name (const DpNameMap *names, guint32 addr)
{
  return dp_name_map_lookup_ip6 (names, addr, NULL) ? NULL : dp_name_map_lookup (names, addr);
}

/* the nanoseconds below the microsecond of @ns */
static inline guint16
nsec (gint64 ns)
{
  return (guint16) (ns - dp_floor_div (ns, 1000) * 1000);
}

/* Packet @r of @p into the COPY buffer: NULL for a field it lacks. */
static gboolean
encode_packet (PgSink *st, const PgTable *s, const DpPackets *p, guint r, GError **error)
{
  GString *b = st->buf;
  put16 (b, (guint16) s->cols->len);
  for (guint c = 0; c < s->cols->len; c++)
    {
      const PgCol *col = &g_array_index (s->cols, PgCol, c);
      gint64 v;
      if (!db_packet_field (p, r, col->src, &v))
        {
          put32 (b, (guint32) -1);
          continue;
        }
      switch (col->type)
        {
        case PG_INET:
          if (!put_inet (st, s, &p->base, p->names, col->src, (guint32) v, r, error))
            return FALSE;
          break;
        case PG_TEXT:
          put_text (b, addr_name (p->names, (guint32) v));
          break;
        case PG_TSTZ:
          put32 (b, 8);
          put64 (b, (guint64) (dp_floor_div (v, 1000) - PG_EPOCH_US));
          break;
        case PG_INT2:
          put32 (b, 2);
          put16 (b, col->role == PG_ROLE_NSEC ? nsec (v) : (guint16) v);
          break;
        case PG_INT4:
          put32 (b, 4);
          put32 (b, (guint32) v);
          break;
        default:
          put32 (b, 8);
          put64 (b, (guint64) v);
          break;
        }
    }
  return TRUE;
}

/* Row @r of @t into the COPY buffer; FALSE with @error when a value has
 * no place in the table. */
static gboolean
encode_row (PgSink *st, const PgTable *s, const DpTable *t, guint r, GError **error)
{
  GString *b = st->buf;
  put16 (b, (guint16) s->cols->len);
  for (guint c = 0; c < s->cols->len; c++)
    {
      const PgCol *col = &g_array_index (s->cols, PgCol, c);
      const DpColumn *dc = &t->cols[col->src];
      if (dp_table_is_null (t, col->src, r))
        {
          /* a null cell: NULL in the value and in its _nsec or _name column */
          put32 (b, (guint32) -1);
          continue;
        }
      switch (col->type)
        {
        case PG_BIGINT:
          put32 (b, 8);
          put64 (b, (guint64) dc->i64[r]);
          break;
        case PG_FLOAT8:
          {
            guint64 bits;
            memcpy (&bits, &dc->f64[r], 8);
            put32 (b, 8);
            put64 (b, bits);
            break;
          }
        case PG_INET:
          if (!put_inet (st, s, &t->base, t->names, col->src, dc->ip[r], r, error))
            return FALSE;
          break;
        case PG_TEXT:
          /* the name column holds pseudonyms; an IPv6 address is in the inet */
          put_text (b, col->role != PG_ROLE_NAME ? dc->str[r] : addr_name (t->names, dc->ip[r]));
          break;
        case PG_TSTZ:
          {
            gint64 us;
            if (!time_us (dc->i64[r], col->unit, &us))
              {
                g_autoptr (GString) where = g_string_new (NULL);
                row_label (st, &t->base, r, where);
                g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                             "%s: table '%s', row %" G_GUINT64_FORMAT " (%s): %s = %" G_GINT64_FORMAT
                             " is out of the range of a time",
                             st->where, s->name, s->rows + s->rows_open + 1, where->str, dc->name, dc->i64[r]);
                return FALSE;
              }
            put32 (b, 8);
            put64 (b, (guint64) us);
            break;
          }
        case PG_INT2:
          put32 (b, 2);
          put16 (b, nsec (dc->i64[r]));
          break;
        case PG_INT4:   /* only in packet tables */
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

/* The row number a COPY error names in its context ("COPY t, line 3"),
 * or 0. */
static guint64
error_line (const PGresult *res)
{
  const char *ctx = res ? PQresultErrorField (res, PG_DIAG_CONTEXT) : NULL;
  const char *p = ctx ? strstr (ctx, ", line ") : NULL;
  return p ? g_ascii_strtoull (p + 7, NULL, 10) : 0;
}

static gboolean
flush (PgSink *st)
{
  if (st->buf->len == 0)
    return TRUE;
  gboolean ok = PQputCopyData (st->conn, st->buf->str, (int) st->buf->len) == 1;
  g_string_truncate (st->buf, 0);
  return ok;
}

/* Drains the results of the COPY (ending it if the server still waits
 * for data); the first that failed, or NULL. */
static PGresult *
copy_result (PgSink *st)
{
  PGresult *res, *bad = NULL;
  for (guint guard = 0; guard < 16 && (res = PQgetResult (st->conn)) != NULL; guard++)
    {
      ExecStatusType status = PQresultStatus (res);
      if (status == PGRES_COPY_IN)
        {
          PQclear (res);
          if (PQputCopyEnd (st->conn, "darkpipe: copy abandoned") != 1)
            break;
          continue;
        }
      if (!bad && status != PGRES_COMMAND_OK)
        bad = res;
      else
        PQclear (res);
    }
  return bad;
}

gboolean
pg_copy_rows (PgSink *st, PgTable *s, const DpBatch *t, guint from, guint to, GError **error)
{
  if (from == to)
    return TRUE;
  PGresult *res = PQexec (st->conn, s->copy_sql);
  if (PQresultStatus (res) != PGRES_COPY_IN)
    {
      g_autofree char *msg = pg_message (st, res);
      PQclear (res);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED, "%s: table '%s': cannot start copying rows: %s",
                   st->where, s->name, msg);
      return FALSE;
    }
  PQclear (res);
  static const char header[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  g_string_truncate (st->buf, 0);
  g_string_append_len (st->buf, header, 19);
  gboolean sent = TRUE;
  GError *local = NULL;
  for (guint r = from; r < to && sent; r++)
    {
      if (t->type == DP_TYPE_PACKETS ? !encode_packet (st, s, (const DpPackets *) t, r, &local)
                                     : !encode_row (st, s, (const DpTable *) t, r, &local))
        break;
      if (st->buf->len >= COPY_CHUNK)
        sent = flush (st);
    }
  if (local)
    {
      PQputCopyEnd (st->conn, "darkpipe: a value that does not fit");
      PGresult *bad = copy_result (st);
      PQclear (bad);
      g_propagate_error (error, local);
      return FALSE;
    }
  if (sent)
    {
      put16 (st->buf, 0xffff);
      sent = flush (st);
    }
  if (sent)
    sent = PQputCopyEnd (st->conn, NULL) == 1;
  PGresult *bad = copy_result (st);
  if (!bad && sent && PQstatus (st->conn) == CONNECTION_OK)
    {
      s->rows_open += to - from;
      return TRUE;
    }
  g_autofree char *msg = pg_message (st, bad);
  guint64 line = error_line (bad);
  PQclear (bad);
  guint64 first = s->rows + s->rows_open + 1;
  if (line > 0 && line <= to - from)
    {
      g_autoptr (GString) where = g_string_new (NULL);
      row_label (st, t, from + (guint) line - 1, where);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "%s: table '%s', row %" G_GUINT64_FORMAT " (%s): cannot insert it: %s",
                   st->where, s->name, first + line - 1, where->str, msg);
    }
  else
    g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                 "%s: table '%s', rows %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ": cannot copy them: %s",
                 st->where, s->name, first, first + (to - from) - 1, msg);
  return FALSE;
}
