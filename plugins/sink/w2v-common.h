/* w2v-common.h — word2vec file formats, shared by the w2v sink, the
 * w2v_file source and the word2vec trainer (init_path).
 *
 * Both formats start with a header line "n dim".  Text: one line per vector,
 * "token v1 … vdim".  Binary: "token", one space, dim float32 little-endian,
 * then a newline (word2vec.c writes it, gensim 4 does not; the reader takes
 * both).  Tokens are printed with dp_vocab_format and parsed back with
 * dp_vocab_parse_token, so addresses, ports and pseudonyms survive a round
 * trip.
 *
 * Everything here is static inline: each plugin is one shared object with one
 * exported symbol, and unused inline helpers cost nothing.
 */
#pragma once

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "darkpipe.h"

typedef enum {
  W2V_FORMAT_AUTO = 0,
  W2V_FORMAT_TEXT,
  W2V_FORMAT_BINARY,
} W2vFormat;

/* ------------------------------------------------------------------ */
/* writing */

static inline void
w2v_put_float (float v, gboolean c_locale, GString *buf)
{
  char tmp[G_ASCII_DTOSTR_BUF_SIZE];
  /* %.9g round-trips every float32; g_ascii_formatd only when the locale
   * would otherwise print a decimal comma (it is several times slower). */
  if (c_locale)
    g_string_append_printf (buf, " %.9g", (double) v);
  else
    {
      g_ascii_formatd (tmp, sizeof tmp, "%.9g", (double) v);
      g_string_append_c (buf, ' ');
      g_string_append (buf, tmp);
    }
}

/** Writes @e to @path atomically (temp file + rename). */
static inline gboolean
w2v_write (const DpEmbedding *e, const char *path, W2vFormat format, gboolean gzip,
           GError **error)
{
  g_autoptr (DpOutFile) f = dp_outfile_open (path, gzip, error);
  if (f == NULL)
    return FALSE;
  const struct lconv *lc = localeconv ();
  gboolean c_locale = lc->decimal_point && strcmp (lc->decimal_point, ".") == 0;
  g_autoptr (GString) line = g_string_sized_new (64 + 16 * (gsize) e->dim);
  dp_outfile_printf (f, "%u %u\n", e->n, e->dim);
  for (guint i = 0; i < e->n; i++)
    {
      const float *row = e->vectors + (gsize) i * e->dim;
      g_string_truncate (line, 0);
      dp_vocab_format (e->vocab, i, line);
      if (line->len == 0)
        g_string_append_printf (line, "tok%u", i);
      if (format == W2V_FORMAT_BINARY)
        {
          g_string_append_c (line, ' ');
          for (guint k = 0; k < e->dim; k++)
            {
              guint32 bits;
              memcpy (&bits, &row[k], 4);
              bits = GUINT32_TO_LE (bits);
              g_string_append_len (line, (const char *) &bits, 4);
            }
        }
      else
        for (guint k = 0; k < e->dim; k++)
          w2v_put_float (row[k], c_locale, line);
      g_string_append_c (line, '\n');
      dp_outfile_write (f, line->str, line->len);
    }
  return dp_outfile_commit (g_steal_pointer (&f), error);
}

/* ------------------------------------------------------------------ */
/* reading */

typedef struct {
  DpStage *stage;        /* for data errors; may be NULL (then they are errors) */
  const char *path;
  const guint8 *data;
  gsize len;
  gsize pos;
  guint64 line;          /* text: current line number */
  guint dim;
  guint64 announced;     /* n from the header */
  DpVocab *vocab;
  GArray *rows;          /* float */
  guint n;
} W2vReader;

/* Bad records are data: counted (and fatal only with on_error: fail). */
static inline gboolean
w2v_bad (W2vReader *r, GError **error, const char *category, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static inline gboolean
w2v_bad (W2vReader *r, GError **error, const char *category, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (r->stage == NULL)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_MALFORMED, "%s", msg);
      return FALSE;
    }
  return dp_stage_data_error (r->stage, error, category, "%s", msg);
}

static inline gboolean
w2v_read_header (W2vReader *r, GError **error)
{
  const guint8 *nl = r->len ? memchr (r->data, '\n', MIN (r->len, (gsize) 256)) : NULL;
  guint64 n = 0, dim = 0;
  if (nl != NULL)
    {
      g_autofree char *head = g_strndup ((const char *) r->data, (gsize) (nl - r->data));
      g_strstrip (head);
      g_auto (GStrv) parts = g_strsplit_set (head, " \t", -1);
      if (g_strv_length (parts) == 2
          && g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32 - 1, &n, NULL)
          && g_ascii_string_to_unsigned (parts[1], 10, 1, 1000000, &dim, NULL))
        {
          r->announced = n;
          r->dim = (guint) dim;
          r->pos = (gsize) (nl - r->data) + 1;
          r->line = 1;
          return TRUE;
        }
    }
  /* say what is wrong with a header of two numbers */
  const char *why = "expected a header line \"count dim\"";
  g_autofree char *why_buf = NULL;
  if (nl != NULL)
    {
      g_autofree char *head = g_strndup ((const char *) r->data, (gsize) (nl - r->data));
      g_auto (GStrv) parts = g_strsplit_set (g_strstrip (head), " \t", -1);
      gint64 a, b;
      if (g_strv_length (parts) == 2 && g_ascii_string_to_signed (parts[0], 10, G_MININT64, G_MAXINT64, &a, NULL)
          && g_ascii_string_to_signed (parts[1], 10, G_MININT64, G_MAXINT64, &b, NULL))
        why = why_buf = a < 0 ? g_strdup_printf ("the header's count %" G_GINT64_FORMAT " is negative", a)
                      : b <= 0 ? g_strdup_printf ("the header says %" G_GINT64_FORMAT " dimensions; at least 1", b)
                      : b > 1000000 ? g_strdup_printf ("the header says %" G_GINT64_FORMAT " dimensions; at most 1000000", b)
                      : g_strdup_printf ("the header's count %" G_GINT64_FORMAT " is too large", a);
    }
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_FORMAT,
               "%s: offset 0: not a word2vec file (%s)", r->path, why);
  return FALSE;
}

/* The rest of the first record's line tells: text floats use only these
 * bytes, while dim float32 values almost never do (below 1e-60 for dim 50);
 * an empty rest means the vector bytes began with a newline byte. */
static inline W2vFormat
w2v_detect (const W2vReader *r)
{
  gsize p = r->pos;
  while (p < r->len && r->data[p] != ' ' && r->data[p] != '\n')
    p++;
  gsize start = p, end = MIN (r->len, p + 4 * (gsize) r->dim + 64);
  for (; p < end && r->data[p] != '\n'; p++)
    if (r->data[p] == 0 || !strchr ("0123456789.,-+eEinfatyINFATY \t\r", r->data[p]))
      return W2V_FORMAT_BINARY;
  for (gsize i = start; i < p; i++)
    if (r->data[i] != ' ' && r->data[i] != '\t' && r->data[i] != '\r')
      return W2V_FORMAT_TEXT;
  return W2V_FORMAT_BINARY;
}

/* Adds a row for @token; FALSE (nothing added) for a duplicate token. */
static inline gboolean
w2v_add_row (W2vReader *r, const char *token, const float *values)
{
  guint64 key;
  dp_vocab_parse_token (r->vocab, token, &key);
  if (dp_vocab_lookup (r->vocab, key) >= 0)
    return FALSE;
  dp_vocab_add (r->vocab, key);
  g_array_append_vals (r->rows, values, r->dim);
  r->n++;
  return TRUE;
}

static inline gboolean
w2v_text_line (W2vReader *r, char *line, float *values, GError **error)
{
  char *save = NULL;
  char *tok = strtok_r (line, " \t\r", &save);
  if (tok == NULL)
    return TRUE; /* blank line */
  guint k = 0;
  char *field;
  while ((field = strtok_r (NULL, " \t\r", &save)) != NULL)
    {
      char *end = NULL;
      double v = g_ascii_strtod (field, &end);
      if (end == field || *end != '\0')
        return w2v_bad (r, error, "bad-value", "%s: line %" G_GUINT64_FORMAT ": '%s' is not a number%s",
                        r->path, r->line, field,
                        strchr (field, ',') ? " (a decimal comma? values use a point: 0.5)" : "");
      if (!isfinite ((float) v))
        return w2v_bad (r, error, "non-finite", "%s: line %" G_GUINT64_FORMAT ": value %u of '%s' is "
                        "'%s', not a finite float", r->path, r->line, k + 1, tok, field);
      if (k < r->dim)
        values[k] = (float) v;
      k++;
    }
  if (k != r->dim)
    return w2v_bad (r, error, "bad-line", "%s: line %" G_GUINT64_FORMAT ": expected %u values, found %u",
                    r->path, r->line, r->dim, k);
  if (!w2v_add_row (r, tok, values))
    return w2v_bad (r, error, "duplicate-token", "%s: line %" G_GUINT64_FORMAT ": token '%s' repeated",
                    r->path, r->line, tok);
  return TRUE;
}

static inline gboolean
w2v_read_text (W2vReader *r, GError **error)
{
  g_autofree float *values = g_new (float, r->dim);
  while (r->pos < r->len)
    {
      const guint8 *start = r->data + r->pos;
      const guint8 *nl = memchr (start, '\n', r->len - r->pos);
      gsize n = nl ? (gsize) (nl - start) : r->len - r->pos;
      r->pos += n + (nl ? 1 : 0);
      r->line++;
      g_autofree char *line = g_strndup ((const char *) start, n);
      if (strlen (line) != n)
        {
          if (!w2v_bad (r, error, "bad-line", "%s: line %" G_GUINT64_FORMAT ": NUL byte in a text file",
                        r->path, r->line))
            return FALSE;
          continue;
        }
      if (!w2v_text_line (r, line, values, error))
        return FALSE;
    }
  return TRUE;
}

static inline gboolean
w2v_binary_record (W2vReader *r, float *values, GError **error)
{
  gsize start = r->pos;
  const guint8 *sp = memchr (r->data + start, ' ', MIN (r->len - start, (gsize) 4096));
  if (sp == NULL || memchr (r->data + start, '\n', (gsize) (sp - (r->data + start))))
    {
      r->pos = r->len;
      return w2v_bad (r, error, "truncated", "%s: offset %" G_GSIZE_FORMAT ": record %u: no token "
                      "(file truncated or not binary word2vec)", r->path, start, r->n + 1);
    }
  gsize vec = (gsize) (sp - r->data) + 1;
  gsize need = 4 * (gsize) r->dim;
  if (r->len - vec < need)
    {
      r->pos = r->len;
      return w2v_bad (r, error, "truncated", "%s: offset %" G_GSIZE_FORMAT ": record %u ends after %"
                      G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " vector bytes",
                      r->path, start, r->n + 1, r->len - vec, need);
    }
  for (guint k = 0; k < r->dim; k++)
    {
      guint32 bits;
      memcpy (&bits, r->data + vec + 4 * (gsize) k, 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&values[k], &bits, 4);
    }
  r->pos = vec + need;
  g_autofree char *tok = g_strndup ((const char *) r->data + start, (gsize) (sp - r->data) - start);
  if (tok[0] == '\0' || strlen (tok) != (gsize) (sp - r->data) - start)
    return w2v_bad (r, error, "bad-token", "%s: offset %" G_GSIZE_FORMAT ": empty or binary token",
                    r->path, start);
  for (guint k = 0; k < r->dim; k++)
    if (!isfinite (values[k]))
      return w2v_bad (r, error, "non-finite", "%s: offset %" G_GSIZE_FORMAT ": value %u of '%s' is %s, "
                      "not a finite float", r->path, vec + 4 * (gsize) k, k + 1, tok,
                      isnan (values[k]) ? "NaN" : "infinite");
  if (!w2v_add_row (r, tok, values))
    return w2v_bad (r, error, "duplicate-token", "%s: offset %" G_GSIZE_FORMAT ": token '%s' repeated",
                    r->path, start, tok);
  return TRUE;
}

static inline gboolean
w2v_read_binary (W2vReader *r, GError **error)
{
  g_autofree float *values = g_new (float, r->dim);
  for (;;)
    {
      /* word2vec.c ends each record with a newline, gensim 4 does not */
      while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r'))
        r->pos++;
      if (r->pos >= r->len)
        return TRUE;
      if (!w2v_binary_record (r, values, error))
        return FALSE;
    }
}

static inline gboolean
w2v_slurp (const char *path, GByteArray *out, GError **error)
{
  FILE *fp = dp_open_input (path, NULL, error);
  if (fp == NULL)
    return FALSE;
  guint8 buf[65536];
  size_t got;
  while ((got = fread (buf, 1, sizeof buf, fp)) > 0)
    g_byte_array_append (out, buf, (guint) got);
  int bad = ferror (fp) ? (dp_input_errno (fp) ? dp_input_errno (fp) : errno ? errno : EIO) : 0;
  fclose (fp);
  if (bad)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: read error after %u bytes: %s", path,
                   out->len, dp_input_strerror (bad));
      return FALSE;
    }
  return TRUE;
}

/** Reads a word2vec file (text or binary, gzip-transparent) into a new
 * embedding (transfer full).  Bad records go through dp_stage_data_error on
 * @stage (or are errors when @stage is NULL).  @format may force the format. */
static inline DpEmbedding *
w2v_read (DpStage *stage, const char *path, W2vFormat format, W2vFormat *detected, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  if (!w2v_slurp (path, bytes, error))
    return NULL;
  g_autoptr (DpVocab) vocab = dp_vocab_new ();
  g_autoptr (DpNameMap) names = dp_name_map_new ();
  dp_vocab_set_names (vocab, names);
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (float));
  W2vReader r = { .stage = stage, .path = path, .data = bytes->data, .len = bytes->len,
                  .vocab = vocab, .rows = rows };
  if (!w2v_read_header (&r, error))
    return NULL;
  if (format == W2V_FORMAT_AUTO)
    format = w2v_detect (&r);
  if (detected)
    *detected = format;
  gboolean ok = format == W2V_FORMAT_BINARY ? w2v_read_binary (&r, error) : w2v_read_text (&r, error);
  if (!ok)
    return NULL;
  if (r.n != r.announced
      && !w2v_bad (&r, error, r.n < r.announced ? "truncated" : "bad-header",
                   "%s: header announces %" G_GUINT64_FORMAT " vectors, the file holds %u",
                   path, r.announced, r.n))
    return NULL;
  DpEmbedding *e = dp_embedding_new (vocab, r.n, r.dim);
  if (r.n)
    memcpy (e->vectors, rows->data, (gsize) r.n * r.dim * sizeof (float));
  return e;
}
