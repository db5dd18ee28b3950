/* corpus-common.h — what the corpus builders (darkvec_corpus,
 * ip2vec_corpus, dante_corpus) share; header-only, included by each. */
#pragma once

#include "darkpipe.h"

/* The activity filter: a source is kept when it
 * sent at least @min_packets packets over the whole input.  Counts the
 * sources of @src_packets (address -> packets) on each side of it into the
 * counters sources-kept and sources-dropped and returns the kept ones. */
static inline guint64
corpus_report_sources (DpStage *stage, const DpHash *src_packets, guint64 min_packets)
{
  guint64 kept = 0;
  for (gsize i = 0; i <= src_packets->mask; i++)
    if (src_packets->keys[i] != DP_HASH_EMPTY && src_packets->vals[i] >= min_packets)
      kept++;
  dp_stage_count (stage, "sources-kept", kept);
  dp_stage_count (stage, "sources-dropped", src_packets->n - kept);
  return kept;
}
