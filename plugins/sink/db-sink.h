/* db-sink.h — what the database sinks (sqlite, postgres) share: the
 * options that map tables to SQL tables (renames, indexes, mode, upsert
 * keys, transactions), identifier quoting, and the driver that cuts the
 * incoming tables into windows, one transaction each.
 *
 * A window is a run of consecutive rows with the same value in the
 * `window` column (int64; the taxonomy's window_start), across tables:
 * the taxonomy pushes a window's sources and events, then its summary, so
 * with `window_ends: summary` a window's transaction commits as soon as
 * its summary is written, and otherwise when the first row of the next
 * window arrives or at the end of the run.  A table without the window
 * column closes the open window and is written in a transaction of its
 * own.  `transaction: run` makes the whole run one transaction,
 * `transaction: batch` each table pushed one (the old behaviour).
 *
 * A packet stream is written as the SQL table `packets` (renamed by
 * `tables` like a table), with the csv sink's columns; each packet batch
 * is a transaction of its own (like a table without the window column),
 * or part of the run's one with `transaction: run`. */
#pragma once

#include <stddef.h>
#include "darkpipe.h"

enum { DB_MODE_APPEND, DB_MODE_REPLACE, DB_MODE_UPSERT };
enum { DB_TXN_WINDOW, DB_TXN_RUN, DB_TXN_BATCH };

extern const char *const db_mode_choices[];
extern const char *const db_txn_choices[];

/* The options' fields, embedded in each sink's Config as `db`. */
typedef struct {
  int mode;
  char **tables;
  char **indexes;
  char **keys;
  int transaction;
  char *window;
  char *window_ends;
} DbConfig;

/* The shared option descriptors of a sink whose Config embeds a DbConfig
 * named `db`; @indexes_default differs between the sinks. */
#define DB_SINK_OPTIONS(Config, indexes_default)                                                      \
  DP_OPTION_ENUM ("mode", "append", Config, db.mode, db_mode_choices,                                  \
                  "append: add rows to tables that exist (their columns must match); replace: drop "  \
                  "and recreate each table at its first batch; upsert: a row whose key (keys) is "    \
                  "in the table replaces that row's other columns."),                                 \
  DP_OPTION ("tables", DP_OPT_STRLIST, "", Config, db.tables,                                         \
             "Renames, as FROM=SQLNAME: FROM is a table name, an upstream stage or "                  \
             "upstream.table (default: the table's own name)."),                                      \
  DP_OPTION ("indexes", DP_OPT_STRLIST, indexes_default, Config, db.indexes,                          \
             "Indexes made in every table that has their columns: a column, or COL+COL for one "      \
             "index on several ([] for none)."),                                                      \
  DP_OPTION ("keys", DP_OPT_STRLIST, "", Config, db.keys,                                             \
             "Keys of mode upsert (a unique index), as COL+COL for every table or SQLNAME=COL+COL "   \
             "for one; a table without a key cannot be upserted."),                                   \
  DP_OPTION_ENUM ("transaction", "window", Config, db.transaction, db_txn_choices,                    \
                  "window: one transaction per window (consecutive rows with one value of the "        \
                  "window column, across tables); run: one for the whole run; batch: one per table "  \
                  "pushed."),                                                                          \
  DP_OPTION ("window", DP_OPT_STRING, "window_start", Config, db.window,                              \
             "The int64 column whose value names a row's window (transaction: window)."),            \
  DP_OPTION ("window_ends", DP_OPT_STRING, "summary", Config, db.window_ends,                         \
             "A table (its name before renaming) that comes last in each window: the window commits " \
             "right after it instead of at the next window's first row (\"\" for none).")

/* A deep copy of @from into @to, for the sink's state; freed by
 * db_config_clear. */
void db_config_copy (DbConfig *to, const DbConfig *from);
void db_config_clear (DbConfig *cfg);

/* The columns of a packet stream, in the csv sink's order. */
enum {
  DB_PKT_TS, DB_PKT_SRC, DB_PKT_DST, DB_PKT_PROTO, DB_PKT_SPORT, DB_PKT_DPORT, DB_PKT_TCP_FLAGS,
  DB_PKT_TCP_SEQ, DB_PKT_IP_ID, DB_PKT_ICMP_TYPE, DB_PKT_ICMP_CODE, DB_PKT_TTL, DB_PKT_IP_LEN,
  DB_PKT_DF, DB_PKT_MF, DB_PKT_FRAG_OFFSET, DB_PKT_TCP_WIN, DB_PKT_TCP_OPTLEN, DB_PKT_N
};
#define DB_PACKETS_TABLE "packets"
extern const char *const db_packet_columns[DB_PKT_N];
/* the largest value of each field (1, 255, 8191, 65535, 2^32-1; the
 * time's is G_MAXINT64), for a sink to pick its SQL type */
extern const guint64 db_packet_max[DB_PKT_N];
/* Field @col of packet @r of @p into *v (src and dst: the 32-bit address
 * of the name map's key); FALSE when the packet does not have it, as the
 * csv sink leaves the cell empty: ports without DP_L4_PORTS, TCP fields
 * without DP_L4_TCP, ICMP fields without DP_L4_ICMP. */
gboolean db_packet_field (const DpPackets *p, guint r, guint col, gint64 *v);

/* "%s: %s writes tables and packet streams, not …" for another batch type */
gboolean db_batch_check (const DpBatch *b, const char *where, const char *plugin, GError **error);
/* rows of a table or a packet batch */
guint db_batch_rows (const DpBatch *b);

/* The darkpipe columns of a table's first batch, which later batches
 * into the same SQL table must have (names and types, in order); for a
 * packet stream db_packet_columns, int64 but src and dst ipv4. */
typedef struct {
  GPtrArray *names;
  GArray *types;         /* DpColType */
  GArray *flags;         /* guint: DP_COLUMN_TIME (a packet's ts), DP_COLUMN_NULLABLE */
  gboolean packets;
} DbColumns;
/* @b: a DpTable or DpPackets */
void db_columns_init (DbColumns *c, const DpBatch *b);
void db_columns_clear (DbColumns *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DbColumns, db_columns_clear)
/* FALSE with @error naming @where and SQL table @name when @b differs */
gboolean db_columns_check (const DbColumns *c, const char *where, const char *name, const DpBatch *b,
                           GError **error);
/* index of column @name, or -1 */
gint db_columns_find (const DbColumns *c, const char *name);
/* TRUE when @c has every column of @cols. */
gboolean db_columns_has (const DbColumns *c, char *const *cols);

/* check(): the lists are well formed, upsert has keys. */
gboolean db_config_check (DpStage *stage, const DbConfig *cfg, GError **error);

/* "name" with inner quotes doubled: any table or column name is safe in
 * SQLite and PostgreSQL alike. */
void db_append_ident (GString *b, const char *s);

/* The key columns of mode upsert for SQL table @name: (transfer full)
 * NULL-terminated, or NULL when none was declared for it. */
char **db_config_key (const DbConfig *cfg, const char *name);
/* (transfer full) the columns of index entry @entry ("a" or "a+b"). */
char **db_index_columns (const char *entry);

/* The SQL name of table @tname from @upstream: a rename, else @tname;
 * (transfer none) owned by @renames or the caller. */
typedef GHashTable DbRenames;
DbRenames *db_renames_new (const DbConfig *cfg);
const char *db_renames_lookup (DbRenames *renames, const char *upstream, const char *tname);

/* ------------------------------------------------------------------ */
/* The transaction driver. */

typedef struct _DbDriver DbDriver;

typedef struct {
  gboolean (*begin) (void *sink, GError **error);
  gboolean (*commit) (void *sink, GError **error);
  void (*rollback) (void *sink);
  /* rows [@from, @to) of @b (a DpTable or DpPackets) into SQL table
   * @name, inside a transaction */
  gboolean (*write) (void *sink, const char *name, const DpBatch *b, guint from, guint to, GError **error);
  /* optional: after a failed begin, write or commit (*error), try to get
   * a working connection back; TRUE when the open transaction's rows
   * should be written again (the driver then clears *error), FALSE to
   * fail with *error (which the sink may complete) */
  gboolean (*recover) (void *sink, GError **error);
} DbDriverFuncs;

/* A driver for @sink; @cfg is read now (copied). */
DbDriver *db_driver_new (const DbConfig *cfg, const DbDriverFuncs *funcs, void *sink);
/* A table from @upstream, written in the transactions of its windows, or
 * a packet batch (checked by db_batch_check before). */
gboolean db_driver_push (DbDriver *d, const char *upstream, const DpBatch *b, GError **error);
/* The end of the run: commits what is open. */
gboolean db_driver_finish (DbDriver *d, GError **error);
/* Rows committed so far. */
guint64 db_driver_rows (const DbDriver *d);
/* Windows committed so far (transactions, in run and batch mode). */
guint64 db_driver_commits (const DbDriver *d);
void db_driver_free (DbDriver *d);
