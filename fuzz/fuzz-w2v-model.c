/* fuzz-w2v-model.c — the word2vec trainer's model file (model_dir's
 * model.dpw2v, read before training): a bad file must stop the stage with
 * a message, a good one must train and be written back readable. */
#include "config.h"

#include <string.h>
#include <zlib.h>
#include <glib/gstdio.h>
#include "fuzz.h"

DP_FUZZ_DECLARE_PLUGIN (word2vec);

/* A small corpus of two days after any day a seed model holds. */
static DpCorpus *
fuzz_w2v_model_corpus (void)
{
  g_autoptr (DpVocab) v = dp_vocab_new ();
  DpCorpus *c = dp_corpus_new (v, DP_CORPUS_SENTENCES);
  dp_corpus_enable_metadata (c);
  for (guint s = 0; s < 8; s++)
    {
      guint32 ids[6];
      for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
        ids[k] = dp_vocab_add (v, DP_TOKEN (DP_TOK_IP, 0x0a000000u + (s + 3 * k) % 11));
      guint64 at = dp_corpus_add_sentence (c, ids, G_N_ELEMENTS (ids));
      c->sentence_time[at] = (G_GINT64_CONSTANT (30000) + s / 4) * G_GINT64_CONSTANT (86400000000000);
    }
  return c;
}

static gboolean
fuzz_w2v_model_train (const char *dir, const char *dim, GError **error)
{
  g_autofree char *opts = g_strdup_printf ("model_dir: '%s'\nvector_size: %s\nwindow: 2\nmin_count: 1\n"
                                           "epochs: 1\nsg: true\nrounds: daily\nretire_days: 1\n", dir, dim);
  DpHarness *h = DP_FUZZ_HARNESS (word2vec, opts, error);
  DP_FUZZ_CHECK (h != NULL);
  DpCorpus *c = fuzz_w2v_model_corpus ();
  gboolean ok = dp_harness_push (h, 0, c, error) && dp_harness_finish (h, error);
  DP_FUZZ_CHECK (ok == (*error == NULL));
  DP_FUZZ_CHECK (ok || ((*error)->message && strstr ((*error)->message, "model") != NULL));
  dp_batch_unref (c);
  dp_harness_free (h);
  return ok;
}

int
dp_fuzz_w2v_model (const guint8 *data, size_t size)
{
  if (size > 1 << 20)
    return 0;
  static char *dir;
  if (dir == NULL)
    {
      dir = g_build_filename (g_get_tmp_dir (), "darkpipe-fuzz-w2v-model-XXXXXX", NULL);
      DP_FUZZ_CHECK (g_mkdtemp (dir) != NULL);
    }
  g_autofree char *path = g_build_filename (dir, "model.dpw2v", NULL);
  /* half of the inputs get a true size field and checksum, so that the
   * parser behind the checksum sees the mutated fields */
  g_autofree guint8 *copy = g_memdup2 (data, size);
  if (size >= 84 && (size & 2))
    {
      guint64 le = GUINT64_TO_LE ((guint64) size);
      memcpy (copy + 64, &le, 8);
      guint32 crc = GUINT32_TO_LE ((guint32) crc32 (crc32 (0, NULL, 0), copy, (uInt) (size - 4)));
      memcpy (copy + size - 4, &crc, 4);
    }
  DP_FUZZ_CHECK (g_file_set_contents (path, (const char *) copy, (gssize) size, NULL));
  /* the seeds are 8-dimensional models; a size divisible by 7 meets the dimension check */
  GError *error = NULL;
  gboolean ok = fuzz_w2v_model_train (dir, size % 7 == 0 ? "4" : "8", &error);
  g_clear_error (&error);
  if (ok)
    {
      /* what was written back reads again: the next day trains on it */
      gboolean ok2 = fuzz_w2v_model_train (dir, size % 7 == 0 ? "4" : "8", &error);
      /* the same days again are refused (the model is trained up to them) */
      DP_FUZZ_CHECK (!ok2 && error != NULL);
      g_clear_error (&error);
    }
  g_remove (path);
  return 0;
}
