/* w2v-model.c — saving and reading the word2vec trainer's model state.
 *
 * File layout, version 1 (every number little-endian):
 *
 *   offset  size  field
 *        0     8  magic "DPW2VMDL"
 *        8     4  version (1)
 *       12     4  flags (bit 0: skip-gram)
 *       16     4  dim (vector size)
 *       20     4  reserved (0)
 *       24     8  n (tokens)
 *       32     8  rounds trained
 *       40     8  corpus tokens x epochs trained
 *       48     8  generator state of the next round
 *       56     8  day of the last round (signed)
 *       64     8  file size in bytes, trailer included
 *       72     8  reserved (0)
 *       80        n tokens: count (8), last day (8, signed), text length (4),
 *                 text (the token as dp_vocab_format prints it)
 *                 n x dim input vectors, then n x dim output vectors (float32)
 *      end-4   4  CRC-32 (zlib) of every byte before it
 *
 * Tokens are stored as text so that pseudonyms and IPv6 addresses, whose
 * keys are only meaningful inside one run's name map, come back as the same
 * tokens in the next run. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "w2v-model.h"
#include "w2v-train.h"

#define HEADER 80
/* days since 1970: +-10^7 (27,000 years) keeps every day arithmetic far
 * from overflow */
#define W2V_MAX_DAY G_GINT64_CONSTANT (10000000)
static const char w2v_magic[8] = { 'D', 'P', 'W', '2', 'V', 'M', 'D', 'L' };

W2vModel *
w2v_model_new (DpVocab *vocab, guint n, guint dim, GError **error)
{
  W2vModel *m = g_new0 (W2vModel, 1);
  m->vocab = dp_vocab_ref (vocab);
  m->n = n;
  m->dim = dim;
  m->stride = word2vec_stride (dim);
  m->syn0 = word2vec_alloc ((gsize) n * m->stride);
  m->syn1 = m->syn0 ? word2vec_alloc ((gsize) n * m->stride) : NULL;
  m->last_day = g_try_new0 (gint64, MAX (n, 1u));
  m->counts = g_try_new0 (guint64, MAX (n, 1u));
  if (m->syn1 == NULL || m->last_day == NULL || m->counts == NULL)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FAILED,
                   "not enough memory for the model: 2 x %u tokens x %u floats (%.1f GB); "
                   "lower vector_size or raise min_count", n, m->stride,
                   2.0 * n * m->stride * sizeof (float) / 1e9);
      w2v_model_free (m);
      return NULL;
    }
  return m;
}

void
w2v_model_free (W2vModel *m)
{
  if (m == NULL)
    return;
  dp_vocab_unref (m->vocab);
  free (m->syn0);
  free (m->syn1);
  g_free (m->last_day);
  g_free (m->counts);
  g_free (m);
}

/* ------------------------------------------------------------------ */
/* writing */

typedef struct {
  DpOutFile *f;
  uLong crc;
} W2vWriter;

static void
w2v_put (W2vWriter *w, const void *data, gsize len)
{
  dp_outfile_write (w->f, data, len);
  /* zlib's length is a uInt: feed it in pieces */
  const guint8 *p = data;
  while (len > 0)
    {
      uInt part = (uInt) MIN (len, (gsize) 1 << 30);
      w->crc = crc32 (w->crc, p, part);
      p += part;
      len -= part;
    }
}

static void
w2v_put_u32 (W2vWriter *w, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  w2v_put (w, &le, 4);
}

static void
w2v_put_u64 (W2vWriter *w, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);
  w2v_put (w, &le, 8);
}

static void
w2v_put_rows (W2vWriter *w, const W2vModel *m, const float *mat)
{
  g_autofree guint32 *buf = g_new (guint32, MAX (m->dim, 1u));
  for (guint i = 0; i < m->n; i++)
    {
      const float *row = mat + (gsize) i * m->stride;
      for (guint k = 0; k < m->dim; k++)
        {
          guint32 bits;
          memcpy (&bits, &row[k], 4);
          buf[k] = GUINT32_TO_LE (bits);
        }
      w2v_put (w, buf, (gsize) m->dim * 4);
    }
}

gboolean
w2v_model_save (const W2vModel *m, const char *path, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint64 size = HEADER + 4 + (guint64) m->n * (20 + 2 * (guint64) m->dim * 4);
  for (guint i = 0; i < m->n; i++)
    {
      g_string_truncate (text, 0);
      dp_vocab_format (m->vocab, i, text);
      size += text->len;
    }
  W2vWriter w = { dp_outfile_open (path, FALSE, error), crc32 (0, NULL, 0) };
  if (w.f == NULL)
    return FALSE;
  w2v_put (&w, w2v_magic, 8);
  w2v_put_u32 (&w, W2V_MODEL_VERSION);
  w2v_put_u32 (&w, m->sg ? 1 : 0);
  w2v_put_u32 (&w, m->dim);
  w2v_put_u32 (&w, 0);
  w2v_put_u64 (&w, m->n);
  w2v_put_u64 (&w, m->rounds);
  w2v_put_u64 (&w, m->words);
  w2v_put_u64 (&w, m->rng);
  w2v_put_u64 (&w, (guint64) m->day);
  w2v_put_u64 (&w, size);
  w2v_put_u64 (&w, 0);
  for (guint i = 0; i < m->n; i++)
    {
      g_string_truncate (text, 0);
      dp_vocab_format (m->vocab, i, text);
      w2v_put_u64 (&w, m->counts[i]);
      w2v_put_u64 (&w, (guint64) m->last_day[i]);
      w2v_put_u32 (&w, (guint32) text->len);
      w2v_put (&w, text->str, text->len);
    }
  w2v_put_rows (&w, m, m->syn0);
  w2v_put_rows (&w, m, m->syn1);
  guint32 crc = GUINT32_TO_LE ((guint32) w.crc);
  dp_outfile_write (w.f, &crc, 4);
  return dp_outfile_commit (w.f, error);
}

/* ------------------------------------------------------------------ */
/* reading: every field is checked against the bytes there are */

static guint32
w2v_u32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
w2v_u64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static gboolean
w2v_read_rows (W2vModel *m, float *mat, const guint8 *p, const char *name, const char *what, GError **error)
{
  for (guint i = 0; i < m->n; i++)
    for (guint k = 0; k < m->dim; k++)
      {
        guint32 bits = w2v_u32 (p + ((gsize) i * m->dim + k) * 4);
        float f;
        memcpy (&f, &bits, 4);
        if (!isfinite (f))
          {
            g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                         "%s: %s vector of token %u is not finite", name, what, i + 1);
            return FALSE;
          }
        mat[(gsize) i * m->stride + k] = f;
      }
  return TRUE;
}

static W2vModel *
w2v_truncated (const char *name, gsize len, GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED,
               "%s: truncated: %" G_GSIZE_FORMAT " bytes, shorter than its header says", name, len);
  return NULL;
}

static W2vModel *
w2v_short_body (const char *name, gsize at, GError **error)
{
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
               "%s: byte %" G_GSIZE_FORMAT ": the tokens and vectors do not add up to the file size", name, at);
  return NULL;
}

W2vModel *
w2v_model_parse (const guint8 *data, gsize len, const char *name, GError **error)
{
  if (len < 8 || memcmp (data, w2v_magic, 8) != 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: not a darkpipe word2vec model (no DPW2VMDL magic at byte 0)", name);
      return NULL;
    }
  if (len < 12)
    return w2v_truncated (name, len, error);
  guint32 version = w2v_u32 (data + 8);
  if (version != W2V_MODEL_VERSION)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
                   "%s: model file version %u; this darkpipe reads version %u", name, version,
                   W2V_MODEL_VERSION);
      return NULL;
    }
  if (len < HEADER + 4)
    return w2v_truncated (name, len, error);
  guint64 size = w2v_u64 (data + 64);
  if (size != len)
    {
      if (size > len)
        return w2v_truncated (name, len, error);
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                   "%s: %" G_GSIZE_FORMAT " bytes where the header says %" G_GUINT64_FORMAT
                   " (bytes appended or a corrupt header)", name, len, size);
      return NULL;
    }
  uLong crc = crc32 (0, NULL, 0);
  for (gsize at = 0; at < len - 4;)
    {
      uInt part = (uInt) MIN (len - 4 - at, (gsize) 1 << 30);
      crc = crc32 (crc, data + at, part);
      at += part;
    }
  if ((guint32) crc != w2v_u32 (data + len - 4))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                   "%s: checksum mismatch (CRC-32 %08x, stored %08x): the file is corrupt", name,
                   (guint32) crc, w2v_u32 (data + len - 4));
      return NULL;
    }
  guint32 flags = w2v_u32 (data + 12), dim = w2v_u32 (data + 16);
  guint64 n = w2v_u64 (data + 24);
  const gsize body = len - 4;
  if (dim == 0 || dim > 10000 || (flags & ~1u) != 0)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                   "%s: bad header (dim %u, flags %#x)", name, dim, flags);
      return NULL;
    }
  /* each token takes at least 20 + 1 + 2 x dim x 4 bytes */
  if (n > G_MAXUINT32 - 1 || n > (body - HEADER) / (21 + 8 * (guint64) dim))
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                   "%s: %" G_GUINT64_FORMAT " tokens cannot fit in %" G_GSIZE_FORMAT " bytes", name, n, len);
      return NULL;
    }
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  dp_vocab_set_names (vocab, names);
  g_autoptr (W2vModel) m = w2v_model_new (vocab, (guint) n, dim, error);
  if (m == NULL)
    return NULL;
  m->sg = flags & 1;
  m->rounds = w2v_u64 (data + 32);
  m->words = w2v_u64 (data + 40);
  m->rng = w2v_u64 (data + 48);
  m->day = (gint64) w2v_u64 (data + 56);
  if (m->day < -W2V_MAX_DAY || m->day > W2V_MAX_DAY)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                   "%s: byte 56: day %" G_GINT64_FORMAT " is out of range", name, m->day);
      return NULL;
    }
  gsize at = HEADER;
  g_autofree char *text = NULL;
  for (guint i = 0; i < m->n; i++)
    {
      if (body - at < 20)
        return w2v_short_body (name, at, error);
      guint64 count = w2v_u64 (data + at);
      gint64 last = (gint64) w2v_u64 (data + at + 8);
      if (last < -W2V_MAX_DAY || last > W2V_MAX_DAY)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                       "%s: byte %" G_GSIZE_FORMAT ": token %u: day %" G_GINT64_FORMAT " is out of range",
                       name, at + 8, i + 1, last);
          return NULL;
        }
      guint32 tl = w2v_u32 (data + at + 16);
      at += 20;
      if (tl == 0 || tl > 4096 || body - at < tl || memchr (data + at, '\0', tl) != NULL)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                       "%s: byte %" G_GSIZE_FORMAT ": token %u has a bad text (length %u)", name, at - 4, i + 1, tl);
          return NULL;
        }
      g_free (text);
      text = g_strndup ((const char *) data + at, tl);
      at += tl;
      guint64 key;
      dp_vocab_parse_token (vocab, text, &key);
      if (dp_vocab_lookup (vocab, key) >= 0)
        {
          g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED,
                       "%s: token %u (%s) appears twice", name, i + 1, text);
          return NULL;
        }
      guint id = dp_vocab_add (vocab, key);
      m->counts[id] = count;
      m->last_day[id] = last;
    }
  if (body - at != (gsize) m->n * m->dim * 8)
    return w2v_short_body (name, at, error);
  if (!w2v_read_rows (m, m->syn0, data + at, name, "input", error)
      || !w2v_read_rows (m, m->syn1, data + at + (gsize) m->n * m->dim * 4, name, "output", error))
    return NULL;
  return g_steal_pointer (&m);
}

W2vModel *
w2v_model_load (const char *path, GError **error)
{
  GError *e = NULL;
  g_autoptr (GMappedFile) f = g_mapped_file_new (path, FALSE, &e);
  if (f == NULL)
    {
      g_set_error (error, G_FILE_ERROR, e->code, "%s", e->message);
      g_error_free (e);
      return NULL;
    }
  return w2v_model_parse ((const guint8 *) g_mapped_file_get_contents (f), g_mapped_file_get_length (f),
                          path, error);
}
