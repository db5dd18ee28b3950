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

DP_API const char *dp_batch_type_name (DpBatchType type);

typedef struct _DpBatch DpBatch;
struct _DpBatch {
  DpBatchType type;
  gint ref_count;
  void (*free_func) (DpBatch *self);
};

/** dp_batch_ref: (transfer full) returns @b with one more reference. */
DP_API gpointer dp_batch_ref (gpointer b);
/** dp_batch_unref: drops one reference; frees on the last.  NULL is fine. */
DP_API void dp_batch_unref (gpointer b);

/* ------------------------------------------------------------------ */
/* Address names: pseudonymised traces (e.g. "src_ipaddr12") map tokens to
 * stable IPv4 keys; the map keeps the original token so sinks can print it
 * back.  Refcounted and shared by every batch derived from the same input.
 * Thread-safe for lookups after the source has finished adding names.
 */
typedef struct _DpNameMap DpNameMap;

DP_API DpNameMap *dp_name_map_new (void);
DP_API DpNameMap *dp_name_map_ref (DpNameMap *m);
DP_API void dp_name_map_unref (DpNameMap *m);
/** Returns the stable address for @token, allocating one from 240.0.0.0/4
 * (reserved, never routed) the first time it is seen. */
DP_API guint32 dp_name_map_intern (DpNameMap *m, const char *token);
/** (transfer none) the token behind @addr, or NULL if @addr is a real address. */
DP_API const char *dp_name_map_lookup (const DpNameMap *m, guint32 addr);
DP_API guint dp_name_map_size (const DpNameMap *m);

/** Formats @addr (host order) as dotted quad, or as its pseudonym when
 * @names knows it.  @buf holds 64 bytes; returns @buf or the pseudonym. */
DP_API const char *dp_ipv4_format (guint32 addr, const DpNameMap *names, char buf[static 64]);
/** Strict dotted-quad parser, host order. */
DP_API gboolean dp_ipv4_parse (const char *s, guint32 *addr);

/** Nanoseconds since the epoch from whole seconds and a fraction in
 * [0, 1e9): FALSE when the result leaves gint64 (before 1678 or after 2262),
 * which hostile timestamps in captures and text traces do. */
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
 * a time before the epoch is the one that starts before it. */
static inline gint64
dp_floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ------------------------------------------------------------------ */
/* packets: columnar, 4k–64k rows per batch. */

#define DP_PACKETS_DEFAULT_ROWS 16384

/* bits of DpPackets.frag: the IPv4 MF flag and the 13-bit offset (8-byte units) */
#define DP_FRAG_MF 0x2000u
#define DP_FRAG_OFFSET_MASK 0x1fffu
#define DP_FRAG_IS_FRAGMENT(f) (((f) & (DP_FRAG_MF | DP_FRAG_OFFSET_MASK)) != 0)

/* bits of DpPackets.l4: which transport fields are present */
#define DP_L4_PORTS 0x01u  /* sport/dport valid (TCP/UDP header present) */
#define DP_L4_TCP   0x02u  /* tcp_flags/tcp_seq valid */
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
  guint16 *frag;       /* DP_FRAG_MF | offset */
  guint8 *l4;          /* DP_L4_* bits */
  DpNameMap *names;    /* nullable; pseudonyms of src/dst */
} DpPackets;

/** Calls X (column) for every column of DpPackets, e.g. to copy a row. */
#define DP_PACKET_COLUMNS(X) \
  X (ts) X (src) X (dst) X (sport) X (dport) X (proto) X (tcp_flags) X (tcp_seq) \
  X (ip_id) X (icmp_type) X (icmp_code) X (ttl) X (ip_len) X (frag) X (l4)

/** (transfer full) new batch with room for @capacity rows, n_rows = 0,
 * all columns zero-filled. */
DP_API DpPackets *dp_packets_new (guint capacity);
/** Appends one row (growing if needed) and returns its index: zeroed in a
 * new batch, but holding the old values in one refilled by
 * dp_stage_push_packets, so a source that refills writes every column. */
DP_API guint dp_packets_append (DpPackets *p);
/** (transfer full) a deep copy of rows [@first, @first+@n). */
DP_API DpPackets *dp_packets_slice (const DpPackets *p, guint first, guint n);
DP_API void dp_packets_set_names (DpPackets *p, DpNameMap *names);

/* ------------------------------------------------------------------ */
/* table: named typed columns. */

typedef enum {
  DP_COL_INT64 = 0,
  DP_COL_DOUBLE,
  DP_COL_IPV4,
  DP_COL_STRING,
} DpColType;

typedef struct {
  char *name;
  DpColType type;
  union {
    gint64 *i64;
    double *f64;
    guint32 *ip;
    const char **str;  /* strings live in the table's string chunk */
    void *data;
  };
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

/** (transfer full) empty table named @name. */
DP_API DpTable *dp_table_new (const char *name);
/** Adds a column (existing rows get 0 / NULL) and returns its index. */
DP_API guint dp_table_add_column (DpTable *t, const char *name, DpColType type);
/** Column index by name, or -1. */
DP_API gint dp_table_find_column (const DpTable *t, const char *name);
/** Appends one zeroed row and returns its index. */
DP_API guint dp_table_append_row (DpTable *t);
DP_API void dp_table_set_i64 (DpTable *t, guint col, guint row, gint64 v);
DP_API void dp_table_set_f64 (DpTable *t, guint col, guint row, double v);
DP_API void dp_table_set_ip (DpTable *t, guint col, guint row, guint32 v);
/** Copies @v into the table's string storage; NULL stays NULL. */
DP_API void dp_table_set_str (DpTable *t, guint col, guint row, const char *v);
DP_API void dp_table_set_names (DpTable *t, DpNameMap *names);
/** Formats one cell as text (empty string for NULL strings) into @out. */
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

DP_API DpVocab *dp_vocab_new (void);
DP_API DpVocab *dp_vocab_ref (DpVocab *v);
DP_API void dp_vocab_unref (DpVocab *v);
/** Id of @key, adding it (count 0) when absent. */
DP_API guint dp_vocab_add (DpVocab *v, guint64 key);
/** Id of @key or -1. */
DP_API gint64 dp_vocab_lookup (const DpVocab *v, guint64 key);
/** Key for a text word (interning the string). */
DP_API guint64 dp_vocab_word_key (DpVocab *v, const char *word);
/** Looks a text word up without adding it: its token key or 0. */
DP_API guint64 dp_vocab_word_lookup (const DpVocab *v, const char *word);
DP_API void dp_vocab_set_names (DpVocab *v, DpNameMap *names);
/** Formats token @id: "1.2.3.4" (or its pseudonym), "23/tcp", "tcp", the word. */
DP_API void dp_vocab_format (const DpVocab *v, guint id, GString *out);
/** Parses text written by dp_vocab_format back into a key (adds words). */
DP_API gboolean dp_vocab_parse_token (DpVocab *v, const char *text, guint64 *key);
DP_API const char *dp_proto_name (guint8 proto); /* "tcp", "udp", "icmp", "gre" or NULL */

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

/** (transfer full) empty corpus over @vocab (a ref is taken). */
DP_API DpCorpus *dp_corpus_new (DpVocab *vocab, DpCorpusMode mode);
/** Appends a sentence of @n token ids; returns its index. */
DP_API guint64 dp_corpus_add_sentence (DpCorpus *c, const guint32 *ids, guint64 n);
/** Writes @c as text, one sentence per line, tokens as dp_vocab_format
 * prints them, separated by spaces (gzip when @path ends in .gz); atomic. */
DP_API gboolean dp_corpus_write_text (const DpCorpus *c, const char *path, GError **error);
/** Allocates the optional per-sentence metadata arrays (kept in step from now on). */
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

/** A zeroed @n x @dim embedding; aborts when memory is short, as g_malloc
 * does: for sizes the caller knows to be small. */
DP_API DpEmbedding *dp_embedding_new (DpVocab *vocab, guint n, guint dim);
/** The same, or NULL with DP_DATA_ERROR_FAILED naming the size when memory
 * is short: for sizes that come from the user's options or data. */
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
