/* w2v-sync.h — the word2vec trainer across the ranks of an MPI job
 * (internal to the word2vec plugin; w2v-sync.c). */
#pragma once

#include <glib.h>
#include "darkpipe.h"
#include "w2v-train.h"

/** Rank 0's corpus to every rank (a collective: every rank calls it). */
gboolean word2vec_share_corpus (DpStage *stage, DpCorpus **corpus, GError **error);
/** Trains this rank's share of @m's jobs, combining the ranks' models at
 * the end of each period; @tick as for word2vec_model_train.  Returns the
 * most workers that ran. */
guint word2vec_train_ranks (DpStage *stage, Word2vecModel *m,
                            guint (*tick) (Word2vecModel *m, gpointer data), gpointer tick_data);
