/* dp-batch.h — typed, refcounted, immutable batches that flow between plugins.
 *
 * Ownership is darkpipe's own and differs from GStreamer's.  GStreamer's
 * chain function takes ownership of the buffer it is given; darkpipe's
 * process() borrows its batch for the call (transfer none): one batch goes
 * to several consumers in turn, so none of them may own it or change it.
 * A consumer that keeps a batch past the call takes dp_batch_ref() on it.
 * dp_stage_push() takes over the reference it is given (transfer full), as
 * gst_pad_push() does.  A batch is immutable once pushed: to change one,
 * copy it.
 *
 * Threads: refcounting (dp_batch_ref/unref, dp_vocab_ref/unref,
 * dp_name_map_ref/unref) is atomic, and a pushed batch may be read from
 * several threads at once (the branches of a fan-out run at the same
 * time).  A batch or vocabulary being built is not thread-safe: one thread
 * fills it, and nobody reads it meanwhile.  A name map's intern is locked.
 */
#pragma once

#include "dp-api.h"

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DP_TYPE_NONE = 0,
  DP_TYPE_PACKETS,
  DP_TYPE_TABLE,
  DP_TYPE_CORPUS,
  DP_TYPE_EMBEDDING,
  DP_TYPE_GRAPH,
  /* Only in port declarations: accepts any batch type (generic sinks). */
  DP_TYPE_ANY = 100,
} DpBatchType;

/** The name of @type as pipelines and messages write it ("packets",
 * "table", "corpus", "embedding", "graph", "any"; "none" for anything
 * else).  Returns (transfer none) a static string, never NULL.
 * Thread-safe. */
DP_API const char *dp_batch_type_name (DpBatchType type);

typedef struct _DpBatch DpBatch;
struct _DpBatch {
  DpBatchType type;
  gint ref_count;
  void (*free_func) (DpBatch *self);
};

/** Takes one more reference on @b, any batch (a DpPackets *, DpTable *, …:
 * a struct that starts with DpBatch), and returns @b (transfer full: the
 * caller owns the new reference and drops it with dp_batch_unref).  This is
 * how a consumer keeps a batch that process() only lent it.  @b must not
 * be NULL (NULL gives NULL and a critical warning).  Atomic: any thread may
 * ref a batch that it can see. */
DP_API gpointer dp_batch_ref (gpointer b);
/** Drops one reference on @b (transfer full: the caller gives up the
 * reference it owned); the last one frees the batch and drops the batch's
 * own references on its vocabulary and name map.  @b may be NULL (nothing
 * happens).  Atomic: refs and unrefs may come from several threads at once;
 * whichever drops the last frees. */
DP_API void dp_batch_unref (gpointer b);

/* ------------------------------------------------------------------ */
/* Address names: a map from 32-bit keys in 240.0.0.0/4 to what they stand
 * for, refcounted and shared by every batch, table and vocabulary derived
 * from the same input.  Two kinds of entry:
 *  - pseudonyms of traces (e.g. "src_ipaddr12"), kept as their token;
 *  - IPv6 addresses and prefixes: the batches carry 32-bit address
 *    columns, and an IPv6 address travels as the key of its entry, whose
 *    token is its canonical (RFC 5952) text and which also holds the 16
 *    bytes and the prefix length (docs/architecture.md says why).
 * Keys run from 240.0.0.0 up to 255.255.255.254 (2^28 - 1 entries).
 * Interning is locked.  Lookups take no lock and are safe while another
 * thread interns, for any key that thread handed out before (entries never
 * move once published).
 */
typedef struct _DpNameMap DpNameMap;

/** The first key of a name map: 240.0.0.0 (class E, reserved). */
#define DP_NAME_BASE 0xF0000000u

/** A new, empty map with one reference (transfer full: drop it with
 * dp_name_map_unref).  Never NULL. */
DP_API DpNameMap *dp_name_map_new (void);
/** Takes one more reference on @m and returns @m (transfer full).  @m may
 * be NULL, which gives NULL.  Atomic. */
DP_API DpNameMap *dp_name_map_ref (DpNameMap *m);
/** Drops one reference on @m (transfer full); the last frees it and its
 * tokens.  @m may be NULL.  Atomic. */
DP_API void dp_name_map_unref (DpNameMap *m);
/** Returns the stable key for @token, allocating one from 240.0.0.0/4 the
 * first time it is seen.  A token that is IPv6 text (an address or a
 * prefix "a::/len", in any valid spelling) gives the key of that IPv6
 * entry, as dp_name_map_intern_ip6 does.  Past 2^28 - 1 entries, later
 * pseudonyms share the key 255.255.255.254 (warned once).  @m and @token
 * must not be NULL; @token is copied (transfer none).  Locked. */
DP_API guint32 dp_name_map_intern (DpNameMap *m, const char *token);
/** Sets *@key (not NULL) to the key of the IPv6 prefix @addr/@prefix_len
 * (bits past @prefix_len are ignored; 128 for an address), allocating it
 * the first time.  Returns FALSE, leaving *@key alone, when the map is full
 * or @prefix_len > 128.  @addr (16 bytes, network order) is copied.
 * Locked. */
DP_API gboolean dp_name_map_intern_ip6 (DpNameMap *m, const guint8 addr[16], guint prefix_len,
                                        guint32 *key);
/** The token behind @addr (a pseudonym, or the canonical text of an IPv6
 * entry), or NULL when @addr is below 240.0.0.0 or one this map never gave
 * out.  Returns (transfer none) a string owned by @m, valid while @m lives.
 * @m may be NULL (then NULL).  Lock-free: see above. */
DP_API const char *dp_name_map_lookup (const DpNameMap *m, guint32 addr);
/** The 16 bytes (network order) of the IPv6 entry @addr, or NULL when @addr
 * is not an IPv6 entry of @m (@m may be NULL).  Sets *@prefix_len
 * (nullable) to its prefix length, 128 for an address.  Returns (transfer
 * none) memory owned by @m, valid while @m lives.  Lock-free. */
DP_API const guint8 *dp_name_map_lookup_ip6 (const DpNameMap *m, guint32 addr, guint *prefix_len);
/** Number of entries interned so far; 0 for a NULL @m.  Lock-free. */
DP_API guint dp_name_map_size (const DpNameMap *m);

/** Copies the first @prefix_len bits of @addr into @out and clears the
 * rest (both 16 bytes; they may be the same).  No state: thread-safe. */
DP_API void dp_ip6_mask (const guint8 addr[16], guint prefix_len, guint8 out[16]);
/** Writes @addr as RFC 5952 text into @buf (not NULL, 64 bytes), followed
 * by "/@prefix_len" when @prefix_len < 128.  Returns (transfer none)
 * @buf.  Thread-safe. */
DP_API const char *dp_ip6_format (const guint8 addr[16], guint prefix_len, char buf[static 64]);
/** Strict IPv6 address parser (any RFC 4291 spelling, no zone, no
 * prefix): TRUE and *@addr (16 bytes) set on success, else FALSE with
 * *@addr unspecified.  @s must not be NULL.  Thread-safe. */
DP_API gboolean dp_ip6_parse (const char *s, guint8 addr[16]);
/** As dp_ip6_parse, also accepting "/len" (0..128, no leading zeros);
 * sets *@addr to the address with the bits past the prefix cleared and
 * *@prefix_len (128 without a prefix).  Thread-safe. */
DP_API gboolean dp_ip6_parse_prefix (const char *s, guint8 addr[16], guint *prefix_len);

/** Writes @addr (host order) as dotted quad at @p (room for 15 bytes; no
 * NUL) and returns (transfer none) the end, in @p.  By hand, for tables
 * that print hundreds of thousands of addresses (snprintf took 1,700
 * instructions an address).  Thread-safe. */
static inline char *
dp_ipv4_put (char *p, guint32 addr)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    {
      guint v = (addr >> shift) & 255;
      if (v >= 100)
        *p++ = (char) ('0' + v / 100);
      if (v >= 10)
        *p++ = (char) ('0' + v / 10 % 10);
      *p++ = (char) ('0' + v % 10);
      if (shift)
        *p++ = '.';
    }
  return p;
}

/** Formats @addr (host order) as dotted quad, or as the token @names
 * (nullable) has for it (a pseudonym or IPv6 text).  @buf (not NULL) holds
 * 64 bytes and is written only when @names has no token.  Returns
 * (transfer none) @buf or the token owned by @names; never NULL.
 * Thread-safe. */
DP_API const char *dp_ipv4_format (guint32 addr, const DpNameMap *names, char buf[static 64]);
/** Strict dotted-quad parser: four decimal parts of at most three digits,
 * each <= 255, nothing before or after.  On success sets *@addr (host
 * order) and returns TRUE; else returns FALSE and leaves *@addr alone.
 * @s and @addr must not be NULL.  Thread-safe (no state). */
DP_API gboolean dp_ipv4_parse (const char *s, guint32 *addr);

/** Nanoseconds since the epoch from whole seconds and a fraction in
 * [0, 1e9): FALSE when the result leaves gint64 (before 1678 or after 2262),
 * which hostile timestamps in captures and text traces do, or when
 * @frac_ns is out of range.  *@ts (not NULL) is set only on success.
 * Inline, no state: thread-safe. */
static inline gboolean
dp_ts_from_parts (gint64 sec, gint64 frac_ns, gint64 *ts)
{
  if (sec > G_GINT64_CONSTANT (9223372035) || sec < G_GINT64_CONSTANT (-9223372035)
      || frac_ns < 0 || frac_ns >= 1000000000)
    return FALSE;
  *ts = sec * G_GINT64_CONSTANT (1000000000) + frac_ns;
  return TRUE;
}

/** @a / @b rounded toward minus infinity (@b != 0): the window or bucket of
 * a time before the epoch is the one that starts before it.  Inline, no
 * state: thread-safe. */
static inline gint64
dp_floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ------------------------------------------------------------------ */
/* packets: columnar, 4k–64k rows per batch. */

#define DP_PACKETS_DEFAULT_ROWS 16384

/* bits of DpPackets.frag: the IPv4 DF and MF flags and the 13-bit offset
 * (8-byte units), where they are in the header's flags/offset word; DF
 * does not make a fragment (test with DP_FRAG_IS_FRAGMENT, not frag != 0) */
#define DP_FRAG_DF 0x4000u
#define DP_FRAG_MF 0x2000u
#define DP_FRAG_OFFSET_MASK 0x1fffu
#define DP_FRAG_IS_FRAGMENT(f) (((f) & (DP_FRAG_MF | DP_FRAG_OFFSET_MASK)) != 0)

/* bits of DpPackets.l4: which transport fields are present */
#define DP_L4_PORTS 0x01u  /* sport/dport valid (TCP/UDP header present) */
#define DP_L4_TCP   0x02u  /* tcp_flags/tcp_seq/tcp_win/tcp_optlen valid */
#define DP_L4_ICMP  0x04u  /* icmp_type/icmp_code valid */

typedef struct {
  DpBatch base;
  guint n_rows;
  guint capacity;
  gint64 *ts;          /* ns since the epoch, UTC */
  guint32 *src;        /* IPv4, host byte order */
  guint32 *dst;
  guint16 *sport;
  guint16 *dport;
  guint8 *proto;
  guint8 *tcp_flags;   /* full flag byte (CWR..FIN) */
  guint32 *tcp_seq;
  guint16 *ip_id;
  guint8 *icmp_type;
  guint8 *icmp_code;
  guint8 *ttl;
  guint16 *ip_len;
  guint16 *frag;       /* DP_FRAG_DF | DP_FRAG_MF | offset */
  guint8 *l4;          /* DP_L4_* bits */
  guint16 *tcp_win;    /* TCP window field (unscaled); 0 without a TCP header */
  guint8 *tcp_optlen;  /* TCP option bytes: data offset * 4 - 20 (0-40); 0 without */
  DpNameMap *names;    /* nullable; pseudonyms of src/dst */
} DpPackets;

/** Calls X (column) for every column of DpPackets, e.g. to copy a row. */
#define DP_PACKET_COLUMNS(X) \
  X (ts) X (src) X (dst) X (sport) X (dport) X (proto) X (tcp_flags) X (tcp_seq) \
  X (ip_id) X (icmp_type) X (icmp_code) X (ttl) X (ip_len) X (frag) X (l4) X (tcp_win) \
  X (tcp_optlen)

/* The functions below that change a batch (append, set_*, add_*) are for
 * the batch its caller is building and has not pushed yet: not thread-safe,
 * one thread fills a batch.  Those that take a const batch only read it and
 * may run on a pushed batch from several threads at once. */

/** A new batch with room for @capacity rows (at least 16), n_rows = 0, all
 * columns zero-filled, no name map.  Returns (transfer full) the batch with
 * one reference: push it or drop it with dp_batch_unref.  Never NULL
 * (aborts when memory is short, as g_malloc does). */
DP_API DpPackets *dp_packets_new (guint capacity);
/** Appends one row to @p (not NULL; growing if needed) and returns its
 * index: zeroed in a new batch, but holding the old values in one refilled
 * by dp_stage_push_packets, so a source that refills writes every column. */
DP_API guint dp_packets_append (DpPackets *p);
/** A deep copy of rows [@first, @first+@n) of @p (transfer none: only
 * read), sharing @p's name map (a reference is taken).  Returns (transfer
 * full) a new batch, or NULL with a critical warning when the range goes
 * past @p->n_rows. */
DP_API DpPackets *dp_packets_slice (const DpPackets *p, guint first, guint n);
/** Sets the name map of @p to @names (transfer none: @p takes its own
 * reference and drops the one on its old map).  @names may be NULL, which
 * clears it. */
DP_API void dp_packets_set_names (DpPackets *p, DpNameMap *names);

/* ------------------------------------------------------------------ */
/* table: named typed columns. */

typedef enum {
  DP_COL_INT64 = 0,
  DP_COL_DOUBLE,
  DP_COL_IPV4,
  DP_COL_STRING,
} DpColType;

/** (transfer none) "int64", "double", "ipv4" or "string"; thread-safe. */
DP_API const char *dp_col_type_name (DpColType type);

/* Bits of DpColumn.flags, also declared in a port's DpColumnDesc.flags
 * (dp-plugin.h), which adds DP_COLUMN_OPTIONAL (0x1). */
#define DP_COLUMN_TIME     0x2u  /* an int64 column of times: nanoseconds since
                                  * the epoch, UTC (sinks print them as ts_format says) */
#define DP_COLUMN_NULLABLE 0x4u  /* cells may be null ("not part of the key"):
                                  * see dp_table_set_null / dp_table_is_null */

typedef struct {
  char *name;
  DpColType type;
  guint flags;         /* DP_COLUMN_TIME, DP_COLUMN_NULLABLE */
  union {
    gint64 *i64;
    double *f64;
    guint32 *ip;
    const char **str;  /* strings live in the table's string chunk */
    void *data;
  };
  guint8 *nulls;       /* nullable: bit (r & 7) of byte r >> 3 set when row r is
                        * null (its value is 0); NULL when no cell is null.  A
                        * NULL string is null too. */
} DpColumn;

typedef struct {
  DpBatch base;
  char *name;          /* e.g. "sources", "report" */
  guint n_rows;
  guint n_cols;
  guint capacity;
  DpColumn *cols;
  GStringChunk *strings;
  DpNameMap *names;    /* nullable; used to print IPV4 columns */
} DpTable;

/** An empty table (no columns, no rows, no name map) named @name, which is
 * copied; NULL names it "table".  Returns (transfer full) the batch with
 * one reference.  Never NULL. */
DP_API DpTable *dp_table_new (const char *name);
/** Adds a column named @name (copied, not NULL) of @type to @t; rows that
 * exist get 0 / NULL in it.  Returns its index. */
DP_API guint dp_table_add_column (DpTable *t, const char *name, DpColType type);
/** As dp_table_add_column, with @flags (DP_COLUMN_TIME, DP_COLUMN_NULLABLE;
 * other bits are dropped) on the column.  A DP_COLUMN_TIME column must be
 * DP_COL_INT64 (else a critical warning and the flag is dropped).
 * Returns its index. */
DP_API guint dp_table_add_column_flags (DpTable *t, const char *name, DpColType type, guint flags);
/** Makes cell (@col, @row) of @t (both must exist) null: no value, written
 * as an empty cell, JSON null or SQL NULL by the sinks.  Its stored value
 * becomes 0 (NULL for a string), and the column gets DP_COLUMN_NULLABLE.
 * A later dp_table_set_* on the cell gives it a value again.  For the
 * table its caller is building (not thread-safe). */
DP_API void dp_table_set_null (DpTable *t, guint col, guint row);
/** Copies the null cells of column @src_col of @src into column @col of
 * @t, for the rows both tables have (transforms that copy a table's
 * columns keep its nulls so); flags of @src_col's column are not copied
 * (dp_table_add_column_flags does that).  Only reads @src. */
DP_API void dp_table_copy_nulls (DpTable *t, guint col, const DpTable *src, guint src_col);

/** TRUE when cell (@col, @row) of @t (both must exist, not checked) is
 * null: marked by dp_table_set_null, or a NULL string.  Inline, only reads
 * @t: thread-safe on a pushed table. */
static inline gboolean
dp_table_is_null (const DpTable *t, guint col, guint row)
{
  const DpColumn *c = &t->cols[col];
  if (c->nulls && (c->nulls[row >> 3] & (1u << (row & 7))))
    return TRUE;
  return c->type == DP_COL_STRING && c->str[row] == NULL;
}

/** Index of the first column named @name (not NULL) in @t, or -1.  Only
 * reads @t. */
DP_API gint dp_table_find_column (const DpTable *t, const char *name);
/** Appends one zeroed row to @t and returns its index. */
DP_API guint dp_table_append_row (DpTable *t);
/** Makes room in @t (not NULL) for @rows rows in all, so that appending
 * that many reallocates nothing (a producer that knows about how many
 * rows it will write skips the doublings); no change when @t has room
 * already.  Columns added later get the same room. */
DP_API void dp_table_reserve (DpTable *t, guint rows);
/** Sets cell (@col, @row) of @t, which must exist and have the type the
 * name says (DP_COL_INT64, DP_COL_DOUBLE, DP_COL_IPV4); else a critical
 * warning and nothing is written.  A null cell gets the value (not null
 * any more). */
DP_API void dp_table_set_i64 (DpTable *t, guint col, guint row, gint64 v);
DP_API void dp_table_set_f64 (DpTable *t, guint col, guint row, double v);
DP_API void dp_table_set_ip (DpTable *t, guint col, guint row, guint32 v);
/** The same for a DP_COL_STRING cell: @v (transfer none, nullable) is
 * copied into the table's string storage (equal strings shorter than 64
 * bytes are stored once); NULL makes the cell null. */
DP_API void dp_table_set_str (DpTable *t, guint col, guint row, const char *v);
/** Sets the name map used to print IPV4 columns (transfer none: @t takes
 * its own reference and drops the old one); @names may be NULL. */
DP_API void dp_table_set_names (DpTable *t, DpNameMap *names);
/** Appends cell (@col, @row) of @t as text to @out (not NULL): integers
 * (times too: nanoseconds), doubles as the shortest decimal that reads
 * back the same, addresses as dotted quads or pseudonyms, strings as they
 * are; nothing for a null cell (dp_table_is_null).
 * @col and @row must exist (not checked).  Only reads @t. */
DP_API void dp_table_format_cell (const DpTable *t, guint col, guint row, GString *out);

/* ------------------------------------------------------------------ */
/* Vocabulary: typed tokens.  A token key is (kind << 56) | value. */

typedef enum {
  DP_TOK_IP = 1,     /* value: IPv4 address */
  DP_TOK_PORT = 2,   /* value: (proto << 16) | port */
  DP_TOK_PROTO = 3,  /* value: IP protocol number */
  DP_TOK_WORD = 4,   /* value: index into the vocabulary's word strings */
  DP_TOK_LANG = 5,   /* value: language id (corpus metadata) */
} DpTokenKind;

#define DP_TOKEN(kind, value) ((((guint64) (kind)) << 56) | ((guint64) (value) & G_GUINT64_CONSTANT (0x00ffffffffffffff)))
#define DP_TOKEN_KIND(key) ((DpTokenKind) ((key) >> 56))
#define DP_TOKEN_VALUE(key) ((key) & G_GUINT64_CONSTANT (0x00ffffffffffffff))

typedef struct _DpVocab DpVocab;
struct _DpVocab {
  gint ref_count;
  guint n;
  guint capacity;
  guint64 *keys;       /* token key per id */
  guint64 *counts;     /* occurrences per id */
  GPtrArray *words;    /* DP_TOK_WORD strings, indexed by value; may be NULL */
  DpNameMap *names;    /* nullable, for DP_TOK_IP pseudonyms */
  struct _DpVocabIndex *priv;   /* private: the lookup indexes */
  gpointer reserved[2];
};

/* A vocabulary is shared by the batches made over it (each holds a
 * reference).  Adding to it (dp_vocab_add, dp_vocab_word_key,
 * dp_vocab_parse_token, dp_vocab_set_names) is not thread-safe and must not
 * overlap with readers: its builder fills it before pushing the batches
 * that use it.  The const functions only read it and may run from several
 * threads at once. */

/** A new, empty vocabulary with one reference (transfer full: drop it with
 * dp_vocab_unref).  Never NULL. */
DP_API DpVocab *dp_vocab_new (void);
/** Takes one more reference on @v and returns @v (transfer full); NULL
 * gives NULL.  Atomic. */
DP_API DpVocab *dp_vocab_ref (DpVocab *v);
/** Drops one reference on @v (transfer full); the last frees it, its word
 * strings and its reference on the name map.  @v may be NULL.  Atomic. */
DP_API void dp_vocab_unref (DpVocab *v);
/** Id of @key in @v (not NULL), adding it with count 0 when absent. */
DP_API guint dp_vocab_add (DpVocab *v, guint64 key);
/** Id of @key in @v (not NULL), or -1. */
DP_API gint64 dp_vocab_lookup (const DpVocab *v, guint64 key);
/** Token key for the text word @word (not NULL; copied the first time),
 * DP_TOKEN (DP_TOK_WORD, index of the string).  It stores the string only:
 * pass the key to dp_vocab_add to give the word an id. */
DP_API guint64 dp_vocab_word_key (DpVocab *v, const char *word);
/** Looks a text word up without adding it: its token key, or 0 when @v
 * has never stored @word (no word key is 0). */
DP_API guint64 dp_vocab_word_lookup (const DpVocab *v, const char *word);
/** Sets the name map used for DP_TOK_IP pseudonyms (transfer none: @v
 * takes its own reference and drops the old one); @names may be NULL. */
DP_API void dp_vocab_set_names (DpVocab *v, DpNameMap *names);
/** Appends token @id of @v (@id < v->n, not checked) as text to @out (not
 * NULL): "1.2.3.4" (or its pseudonym), "23/tcp", "tcp" ("proto41" for a
 * protocol without a name), the word, "lang3". */
DP_API void dp_vocab_format (const DpVocab *v, guint id, GString *out);
/** Parses text written by dp_vocab_format back into a token key in *@key
 * (not NULL).  Text that is no address, port or protocol is a word, stored
 * in @v as dp_vocab_word_key does; "src_ipaddrN" / "dst_ipaddrN" are
 * interned into @v's name map when it has one, IPv6 addresses always (a
 * map is made for @v when it has none).  Does not add the key to
 * @v's ids.  Returns TRUE (every text is some token). */
DP_API gboolean dp_vocab_parse_token (DpVocab *v, const char *text, guint64 *key);
/** "icmp", "tcp", "udp" or "gre" for IP protocol @proto, else NULL.
 * Returns (transfer none) a static string.  Thread-safe. */
DP_API const char *dp_proto_name (guint8 proto);
/** A label for IP protocol @proto as tables print it beside the number:
 * the IANA keyword of the common ones ("icmp", "igmp", "ipip", "tcp",
 * "udp", "dccp", "ipv6", "gre", "esp", "ah", "icmpv6", "ospf", "pim",
 * "sctp", "udplite"), else the decimal number written into @buf (not
 * NULL, 4 bytes).  Returns (transfer none) a static string or @buf.
 * Thread-safe. */
DP_API const char *dp_proto_label (guint8 proto, char buf[static 4]);

/* ------------------------------------------------------------------ */
/* corpus: vocabulary + sentences in CSR form. */

typedef enum {
  DP_CORPUS_SENTENCES = 0, /* windowed co-occurrence inside each sentence */
  DP_CORPUS_PAIRS = 1,     /* every sentence is one (target, context) pair */
} DpCorpusMode;

typedef struct {
  DpBatch base;
  DpVocab *vocab;
  DpCorpusMode mode;
  guint32 *tokens;         /* token ids */
  guint64 n_tokens;
  guint64 *offsets;        /* n_sentences + 1 entries */
  guint64 n_sentences;
  guint64 *sentence_key;   /* nullable: owner of each sentence (a token key, e.g. source IP) */
  gint64 *sentence_time;   /* nullable: start of each sentence's bucket (ns) */
  guint64 *sentence_lang;  /* nullable: language token key of each sentence */
  guint64 capacity_tokens, capacity_sentences;
} DpCorpus;

/** An empty corpus of @mode over @vocab (transfer none: the corpus takes
 * its own reference; not NULL).  Returns (transfer full) the batch with one
 * reference.  Never NULL. */
DP_API DpCorpus *dp_corpus_new (DpVocab *vocab, DpCorpusMode mode);
/** Appends a sentence of the @n token ids at @ids (transfer none: copied;
 * NULL only when @n is 0) to @c, which is being built; returns its index.
 * Its metadata, when enabled, starts at 0. */
DP_API guint64 dp_corpus_add_sentence (DpCorpus *c, const guint32 *ids, guint64 n);
/** Writes @c as text, one sentence per line, tokens as dp_vocab_format
 * prints them, separated by spaces (gzip when @path ends in .gz), through
 * dp_outfile_open/commit, so the file appears whole or not at all.  Returns
 * FALSE with @error set (G_FILE_ERROR) when it cannot be written.  Only
 * reads @c: safe on a pushed corpus. */
DP_API gboolean dp_corpus_write_text (const DpCorpus *c, const char *path, GError **error);
/** Allocates the optional per-sentence metadata arrays of @c, zeroed
 * (kept in step from now on); a second call does nothing. */
DP_API void dp_corpus_enable_metadata (DpCorpus *c);

/* ------------------------------------------------------------------ */
/* embedding: vocabulary + float32 n x dim, row-major. */

typedef struct {
  DpBatch base;
  DpVocab *vocab;   /* row i is token id i */
  guint n;
  guint dim;
  float *vectors;   /* 64-byte aligned */
} DpEmbedding;

/** A zeroed @n x @dim embedding over @vocab (transfer none: the batch
 * takes its own reference; not NULL).  Returns (transfer full) the batch
 * with one reference; aborts when memory is short, as g_malloc does: for
 * sizes the caller knows to be small. */
DP_API DpEmbedding *dp_embedding_new (DpVocab *vocab, guint n, guint dim);
/** The same (transfer full), or NULL with @error set to DP_DATA_ERROR_FAILED
 * naming the size when memory is short: for sizes that come from the
 * user's options or data. */
DP_API DpEmbedding *dp_embedding_try_new (DpVocab *vocab, guint n, guint dim, GError **error);

/* ------------------------------------------------------------------ */
/* graph: node keys + CSR adjacency with float weights. */

typedef struct {
  DpBatch base;
  DpVocab *vocab;   /* node i is token id i */
  guint n_nodes;
  guint64 n_edges;  /* directed entries in the CSR (an undirected edge counts twice) */
  guint64 *rowptr;  /* n_nodes + 1 */
  guint32 *col;
  float *weight;
} DpGraph;

/** A graph of @n_nodes nodes over @vocab (transfer none: the batch takes
 * its own reference; not NULL) with room for @n_edges CSR entries: rowptr,
 * col and weight allocated and zeroed, for the caller to fill.  Returns
 * (transfer full) the batch with one reference; aborts when memory is
 * short, as g_malloc does. */
DP_API DpGraph *dp_graph_new (DpVocab *vocab, guint n_nodes, guint64 n_edges);

/* g_autoptr support */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpPackets, dp_batch_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpTable, dp_batch_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpCorpus, dp_batch_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpEmbedding, dp_batch_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpGraph, dp_batch_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpVocab, dp_vocab_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpNameMap, dp_name_map_unref)

G_END_DECLS
