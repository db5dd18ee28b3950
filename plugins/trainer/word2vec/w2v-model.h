/* w2v-model.h — the word2vec trainer's whole model state, as kept between
 * daily runs (i-DarkVec): vocabulary with cumulative counts and last day
 * seen, input and output vectors, rounds done, corpus tokens trained, and
 * the generator state the next round starts from.  Saved to and read from
 * a versioned, checksummed binary file (internal to the word2vec plugin and
 * its fuzz target; nothing here is exported). */
#pragma once

#include <glib.h>
#include "darkpipe.h"

#define W2V_MODEL_VERSION 1
#define W2V_MODEL_NAME "model.dpw2v"

typedef struct {
  DpVocab *vocab;        /* row i is token id i */
  guint64 *counts;       /* per token: corpus count summed over the rounds */
  guint n;
  guint dim;
  guint stride;          /* word2vec_stride (dim); the pad is 0 */
  float *syn0;           /* n x stride input vectors (64-byte aligned, free()) */
  float *syn1;           /* n x stride output vectors */
  gint64 *last_day;      /* per token: day of the last round whose corpus held it */
  guint64 rounds;        /* rounds (days) trained */
  guint64 words;         /* corpus tokens x epochs trained over all rounds */
  guint64 rng;           /* seed of the next round */
  gint64 day;            /* day of the last round (days since 1970, UTC), or the round count */
  gboolean sg;
} W2vModel;

/** A model of @n tokens over @vocab (transfer none: a reference is taken),
 * vectors zeroed; NULL with @error when memory is short. */
W2vModel *w2v_model_new (DpVocab *vocab, guint n, guint dim, GError **error);
void w2v_model_free (W2vModel *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (W2vModel, w2v_model_free)

/** Writes @m to @path atomically (temp file + rename).  FALSE with @error. */
gboolean w2v_model_save (const W2vModel *m, const char *path, GError **error);

/** Parses a model from @len bytes at @data; @name names it in messages.
 * Never crashes on bad bytes: NULL with @error (DP_DATA_ERROR_FORMAT for
 * another format or version, _TRUNCATED for a cut file, _MALFORMED for a
 * bad checksum or content). */
W2vModel *w2v_model_parse (const guint8 *data, gsize len, const char *name, GError **error);

/** Reads the model at @path (NULL with @error, naming @path). */
W2vModel *w2v_model_load (const char *path, GError **error);
