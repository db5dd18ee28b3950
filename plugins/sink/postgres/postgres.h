/* postgres.h — the parts of the postgres sink: postgres.c (options,
 * connection, transactions), pg-table.c (how a table maps to SQL columns,
 * creating or checking it), pg-copy.c (rows through binary COPY). */
#pragma once

#include <libpq-fe.h>
#include "darkpipe.h"
#include "../db-sink.h"

/* PostgreSQL types a darkpipe column maps to */
typedef enum { PG_BIGINT, PG_FLOAT8, PG_INET, PG_TEXT, PG_TSTZ, PG_INT2, PG_INT4 } PgType;
/* what an SQL column holds of its darkpipe column */
typedef enum {
  PG_ROLE_VALUE,    /* the value (a time as timestamptz) */
  PG_ROLE_NSEC,     /* nanoseconds below the microsecond of an ns time */
  PG_ROLE_NAME,     /* the pseudonym of an address (NULL for a real one) */
} PgRole;
/* units of an int64 time column */
typedef enum { PG_UNIT_NONE = -1, PG_UNIT_S, PG_UNIT_MS, PG_UNIT_US, PG_UNIT_NS } PgUnit;

typedef struct {
  char *name;
  PgType type;
  PgRole role;
  guint src;        /* column of the DpTable, or DB_PKT_* of a packet stream */
  PgUnit unit;
} PgCol;

/* One SQL table written by this run. */
typedef struct {
  char *name;
  GArray *cols;            /* PgCol */
  gint *name_col;          /* per DpTable column: its PG_ROLE_NAME column or -1 */
  DbColumns dp_cols;       /* the first table's columns, which later ones must have */
  char *copy_sql;
  char *stage;             /* upsert: the temporary table rows are copied into */
  char *merge_sql;         /* upsert: from there into the table */
  gboolean ready, ready_committed;    /* created or checked (in the open / a committed transaction) */
  gboolean temp_ready, temp_committed;
  gboolean drop_pending, replaced;    /* mode replace: dropped in the open / a committed transaction */
  guint64 rows, rows_open;            /* rows committed / written in the open transaction */
} PgTable;

typedef struct {
  DpStage *stage;
  DbConfig cfg;            /* copies of the lists */
  gint64 reconnect_ns;
  GHashTable *units;       /* time column -> PgUnit + 1 */
  char *conninfo;
  PGconn *conn;
  char *where;             /* "postgres database D on H:P", for messages */
  GHashTable *tables;      /* SQL name -> PgTable */
  DbDriver *driver;
  GString *sql;
  GString *buf;            /* COPY data */
  GString *cell;
  gint64 lost_at;          /* monotonic µs of the first failure being recovered, 0 */
  guint64 reconnects;
} PgSink;

/* pg-table.c */
/* @b: the first DpTable or DpPackets written to SQL table @name */
PgTable *pg_table_new (PgSink *st, const char *name, const DpBatch *b, GError **error);
void pg_table_free (gpointer p);
gboolean pg_table_open (PgSink *st, PgTable *s, GError **error);

/* pg-copy.c */
gboolean pg_copy_rows (PgSink *st, PgTable *s, const DpBatch *b, guint from, guint to, GError **error);

/* postgres.c */
/* runs @sql (no result rows wanted); FALSE with @error naming @table */
gboolean pg_exec (PgSink *st, const char *sql, const char *table, const char *what, GError **error);
/* "the server's message" of @res (nullable) or of the connection */
char *pg_message (PgSink *st, const PGresult *res);
