/* w2v-tables.h — the word2vec trainer's sampling tables (internal to the
 * word2vec plugin; w2v-tables.c). */
#pragma once

#include "w2v-train.h"

/** m->keep from the training counts (gensim's sub-sampling, `sample`). */
void word2vec_build_keep (Word2vecModel *m, const guint64 *counts);
/** m->alias: Walker's alias table over count^ns_exponent. */
void word2vec_build_alias (Word2vecModel *m, const guint64 *counts);
