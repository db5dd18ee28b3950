/* eval.h — helpers shared by the classification and clustering plugins
 * (the convenience library plugins/common/libeval.la, linked into each of
 * them; not part of libdarkpipe): joining tables to
 * vocabularies, token key columns, per-source port counts. */
#pragma once

#include <glib.h>
#include "dp-batch.h"
#include "dp-hash.h"
#include "prefix.h"

G_BEGIN_DECLS

/* The class names of knn_classify's summary rows: scikit-learn's
 * classification_report rows, then the macro average over the
 * ground-truth classes only (support > 0, unknown excluded), which
 * scikit-learn's "macro avg" is not: that one also averages the unknown
 * and n.a. rows of predicted classes. */
#define EVAL_ROW_ACCURACY "accuracy"
#define EVAL_ROW_MACRO "macro avg"
#define EVAL_ROW_WEIGHTED "weighted avg"
#define EVAL_ROW_MACRO_TRUTH "macro avg (ground-truth classes)"

/** TRUE when @cls names one of knn_classify's summary rows (NULL too). */
static inline gboolean
eval_is_summary_row (const char *cls)
{
  return cls == NULL || g_str_equal (cls, EVAL_ROW_ACCURACY) || g_str_equal (cls, EVAL_ROW_MACRO)
         || g_str_equal (cls, EVAL_ROW_WEIGHTED) || g_str_equal (cls, EVAL_ROW_MACRO_TRUTH);
}

/* ------------------------------------------------------------------ */
/* Joining a table (labels, clusters) to tokens.
 *
 * A table names a token by its key column: `ip` (DP_COL_IPV4, or text) or
 * `token` (text).  Real addresses join by value.  Pseudonyms (names such as
 * "src_ipaddr12", kept in a DpNameMap) join by their text, because two
 * inputs may have interned the same name under different stand-in
 * addresses; so do words and any token given as text.  A table with an
 * int64 `prefix` column (labels of CIDR lists) holds ranges too: an
 * address without a row of its own takes the row of the longest range
 * that holds it. */
typedef struct {
  DpHash by_addr;          /* address -> table row */
  PrefixTrie ranges;     /* rows whose prefix is shorter than 32 */
  GHashTable *by_text;     /* token text -> table row + 1 */
  PrefixTrie ranges6;      /* IPv6 prefixes of the table -> row */
  gint key_col;
} EvalIndex;

/** Key column of @t: `ip`, else `token`, else -1. */
gint eval_key_column (const DpTable *t);
/** Indexes the rows of @t by its key column (the first row of a repeated
 * key wins).  FALSE when @t has no key column. */
gboolean eval_index_init (EvalIndex *ix, const DpTable *t);
void eval_index_clear (EvalIndex *ix);
/** Table row of address @addr (pseudonyms resolved through @names), or -1. */
gint64 eval_index_addr (const EvalIndex *ix, guint32 addr, const DpNameMap *names);
/** Table row of token @id of @v, or -1.  @scratch holds the token's text
 * (callers reuse one across a loop). */
gint64 eval_index_token (const EvalIndex *ix, const DpVocab *v, guint id, GString *scratch);

/** Column of the text `label` of a labels table, or -1 with @error set
 * when @t lacks it or a key column. */
gint eval_label_column (const DpTable *t, GError **error);
/** Column of the integer `cluster` of a clusters table, or -1 with @error
 * set when @t lacks it or a key column. */
gint eval_cluster_column (const DpTable *t, GError **error);
/** (transfer full) an empty clusters table (ip, cluster), standing in for
 * an upstream that pushed none. */
DpTable *eval_clusters_empty (void);

/* ------------------------------------------------------------------ */
/* Rows and key columns */

/** (transfer full) the embedding/graph rows to use: those whose token is an
 * address (@ip_only), else all @n; *n_out gets their number. */
guint32 *eval_select_rows (const DpVocab *v, guint n, gboolean ip_only, guint *n_out);
/** TRUE when every one of @rows (all of 0..n-1 when NULL) is an address. */
gboolean eval_rows_all_ip (const DpVocab *v, const guint32 *rows, guint n);
/** Adds the key column: `ip` (DP_COL_IPV4, the vocabulary's name map set
 * on the table) when @as_ip, else `token` (text).  Returns its index. */
guint eval_add_key_column (DpTable *t, const DpVocab *v, gboolean as_ip);
/** Writes token @id of @v into key column @col of row @row. */
void eval_set_key (DpTable *t, guint col, guint row, const DpVocab *v, guint id, GString *scratch);
/** (transfer full) a vocabulary holding the tokens @rows of @v in order
 * (names and words carried over; counts copied). */
DpVocab *eval_subvocab (const DpVocab *v, const guint32 *rows, guint n);

/** Renumbers the cluster ids @part[0..n-1] (each < @nc) by decreasing
 * cluster size, ties by the cluster's first member (then by old id, which
 * only orders empty clusters), so equal partitions print equally. */
void eval_order_clusters (guint32 *part, guint n, guint nc);

/* ------------------------------------------------------------------ */
/* Per-source port/protocol counts.
 *
 * A "pp" is 25 bits: proto << 17 | has_port << 16 | port; packets without
 * a transport port (ICMP, …) are "-/icmp" as in the authors' tokens. */
#define EVAL_PP_NONE G_MAXUINT32

static inline guint32
eval_pp (const DpPackets *p, guint i)
{
  guint32 proto = p->proto[i];
  if (p->l4[i] & DP_L4_PORTS)
    return (proto << 17) | (1u << 16) | p->dport[i];
  return proto << 17;
}

/** Appends "23/tcp", "-/icmp" or "-/proto89". */
void eval_pp_format (guint32 pp, GString *out);

typedef struct {
  DpHash pairs;            /* (src << 25 | pp) -> packets */
  DpHash sources;          /* src -> packets */
  DpNameMap *names;        /* the packets' pseudonyms (first batch that has them) */
  guint64 packets;
} EvalPortCounts;

void eval_ports_init (EvalPortCounts *pc);
void eval_ports_add (EvalPortCounts *pc, const DpPackets *p);
void eval_ports_clear (EvalPortCounts *pc);
/** Initialises @out to the packets of @pc's pairs summed per (group, pp),
 * keyed group << 25 | pp, the group of a source from @src_group (sources
 * without one left out); read it back with EVAL_PAIR_SRC/PP. */
void eval_ports_by_group (const EvalPortCounts *pc, const DpHash *src_group, DpHash *out);
#define EVAL_PAIR_SRC(key) ((guint32) ((key) >> 25))
#define EVAL_PAIR_PP(key) ((guint32) ((key) & 0x1ffffffu))

G_END_DECLS
