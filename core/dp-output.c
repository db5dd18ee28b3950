/* dp-output.c — atomic output files and gzip-transparent input. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "dp-error.h"
#include "dp-output.h"
#include "dp-batch.h"

struct _DpOutFile {
  char *path;
  char *tmp_path;
  int fd;
  gzFile gz;
  GString *buf;
  guint64 bytes;
  int saved_errno;     /* first write error */
};

#define OUT_BUF_SIZE (256 * 1024)

DpOutFile *
dp_outfile_open (const char *path, gboolean gzip, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: cannot create directory %s: %s", path, dir, g_strerror (e));
      return NULL;
    }
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  /* created 0666 minus the umask: an ordinary file for the user */
  int fd = g_mkstemp_full (tmpl, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: cannot create a file in %s: %s", path, dir, g_strerror (e));
      return NULL;
    }

  DpOutFile *f = g_new0 (DpOutFile, 1);
  f->path = g_strdup (path);
  f->tmp_path = g_steal_pointer (&tmpl);
  f->fd = fd;
  f->buf = g_string_sized_new (OUT_BUF_SIZE + 4096);
  if (gzip)
    {
      int fd2 = dup (fd);
      f->gz = fd2 >= 0 ? gzdopen (fd2, "wb6") : NULL;
      if (f->gz == NULL)
        {
          if (fd2 >= 0)
            close (fd2);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot start gzip stream", path);
          dp_outfile_abort (f);
          return NULL;
        }
      gzbuffer (f->gz, 128 * 1024);
    }
  return f;
}

static void
outfile_flush (DpOutFile *f)
{
  if (f->buf->len == 0)
    return;
  if (f->saved_errno == 0)
    {
      if (f->gz)
        {
          if (gzwrite (f->gz, f->buf->str, (unsigned) f->buf->len) != (int) f->buf->len)
            {
              int zerr;
              gzerror (f->gz, &zerr);
              f->saved_errno = (zerr == Z_ERRNO && errno) ? errno : EIO;
            }
        }
      else
        {
          const char *p = f->buf->str;
          gsize left = f->buf->len;
          while (left > 0)
            {
              ssize_t w = write (f->fd, p, left);
              if (w < 0)
                {
                  if (errno == EINTR)
                    continue;
                  f->saved_errno = errno;
                  break;
                }
              p += w;
              left -= (gsize) w;
            }
        }
    }
  g_string_truncate (f->buf, 0);
}

void
dp_outfile_write (DpOutFile *f, const void *data, gsize len)
{
  f->bytes += len;
  if (len >= OUT_BUF_SIZE)
    {
      outfile_flush (f);
      g_string_append_len (f->buf, data, (gssize) len);
      outfile_flush (f);
      return;
    }
  g_string_append_len (f->buf, data, (gssize) len);
  if (f->buf->len >= OUT_BUF_SIZE)
    outfile_flush (f);
}

void
dp_outfile_puts (DpOutFile *f, const char *s)
{
  dp_outfile_write (f, s, strlen (s));
}

void
dp_outfile_printf (DpOutFile *f, const char *format, ...)
{
  va_list ap;
  gsize before = f->buf->len;
  va_start (ap, format);
  g_string_append_vprintf (f->buf, format, ap);
  va_end (ap);
  f->bytes += f->buf->len - before;
  if (f->buf->len >= OUT_BUF_SIZE)
    outfile_flush (f);
}

guint64
dp_outfile_bytes (const DpOutFile *f)
{
  return f->bytes;
}

const char *
dp_outfile_path (const DpOutFile *f)
{
  return f->path;
}

static void
outfile_free (DpOutFile *f)
{
  if (f->gz)
    gzclose (f->gz);
  if (f->fd >= 0)
    close (f->fd);
  g_string_free (f->buf, TRUE);
  g_free (f->path);
  g_free (f->tmp_path);
  g_free (f);
}

gboolean
dp_outfile_commit (DpOutFile *f, GError **error)
{
  outfile_flush (f);
  if (f->gz)
    {
      int r = gzclose (f->gz);
      f->gz = NULL;
      if (r != Z_OK && f->saved_errno == 0)
        f->saved_errno = errno ? errno : EIO;
    }
  if (f->saved_errno == 0 && fsync (f->fd) != 0 && errno != EINVAL && errno != EROFS)
    f->saved_errno = errno;
  if (close (f->fd) != 0 && f->saved_errno == 0)
    f->saved_errno = errno;
  f->fd = -1;
  if (f->saved_errno == 0 && g_rename (f->tmp_path, f->path) != 0)
    f->saved_errno = errno;
  if (f->saved_errno != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (f->saved_errno),
                   "%s: write failed: %s (nothing written; earlier contents kept)",
                   f->path, g_strerror (f->saved_errno));
      g_unlink (f->tmp_path);
      outfile_free (f);
      return FALSE;
    }
  outfile_free (f);
  return TRUE;
}

void
dp_outfile_abort (DpOutFile *f)
{
  if (f == NULL)
    return;
  if (f->gz)
    {
      gzclose (f->gz);
      f->gz = NULL;
    }
  g_unlink (f->tmp_path);
  outfile_free (f);
}

/* ------------------------------------------------------------------ */
/* gzip-transparent input through fopencookie */

static ssize_t
gz_cookie_read (void *cookie, char *buf, size_t size)
{
  gzFile gz = cookie;
  unsigned chunk = size > (1u << 30) ? (1u << 30) : (unsigned) size;
  int r = gzread (gz, buf, chunk);
  int zerr = Z_OK;
  if (r == 0)
    gzerror (gz, &zerr);
  if (r == 0 && zerr == Z_BUF_ERROR)
    {
      /* gzread reports a stream cut short only through gzerror */
      errno = EIO;
      return -1;
    }
  if (r < 0)
    {
      int zerr;
      gzerror (gz, &zerr);
      /* a stream cut short is reported by gzread as an error after the
       * last complete bytes; surface it as EIO to the stdio reader */
      errno = (zerr == Z_ERRNO && errno) ? errno : EIO;
      return -1;
    }
  return r;
}

static int
gz_cookie_close (void *cookie)
{
  return gzclose (cookie) == Z_OK ? 0 : EOF;
}

FILE *
dp_open_input (const char *path, gboolean *is_gzip, GError **error)
{
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: cannot open: %s", path, g_strerror (e));
      return NULL;
    }
  unsigned char magic[2] = { 0, 0 };
  size_t got = fread (magic, 1, 2, fp);
  gboolean gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (is_gzip)
    *is_gzip = gz;
  if (!gz)
    {
      rewind (fp);
      return fp;
    }
  fclose (fp);
  gzFile g = gzopen (path, "rb");
  if (g == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot open gzip stream", path);
      return NULL;
    }
  gzbuffer (g, 256 * 1024);
  cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
  FILE *cf = fopencookie (g, "rb", io);
  if (cf == NULL)
    {
      gzclose (g);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot wrap gzip stream", path);
      return NULL;
    }
  setvbuf (cf, NULL, _IOFBF, 256 * 1024);
  return cf;
}

/* ------------------------------------------------------------------ */
/* line reader */

struct _DpLineReader {
  char *path;
  FILE *fp;
  char *line;
  size_t cap;
  guint64 lineno;
  int err;
};

DpLineReader *
dp_line_reader_open (const char *path, GError **error)
{
  FILE *fp = dp_open_input (path, NULL, error);
  if (fp == NULL)
    return NULL;
  DpLineReader *r = g_new0 (DpLineReader, 1);
  r->path = g_strdup (path);
  r->fp = fp;
  return r;
}

char *
dp_line_reader_next (DpLineReader *r, gsize *len)
{
  errno = 0;
  ssize_t n = getline (&r->line, &r->cap, r->fp);
  if (n < 0)
    {
      if (ferror (r->fp))
        r->err = errno ? errno : EIO;
      return NULL;
    }
  r->lineno++;
  if (n > 0 && r->line[n - 1] == '\n')
    r->line[--n] = '\0';
  if (n > 0 && r->line[n - 1] == '\r')
    r->line[--n] = '\0';
  if (len)
    *len = (gsize) n;
  return r->line;
}

guint64
dp_line_reader_line (const DpLineReader *r)
{
  return r->lineno;
}

const char *
dp_line_reader_path (const DpLineReader *r)
{
  return r->path;
}

gboolean
dp_line_reader_error (DpLineReader *r, GError **error)
{
  if (r->err == 0)
    return FALSE;
  g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED,
               "%s: read error after line %" G_GUINT64_FORMAT ": %s",
               r->path, r->lineno, g_strerror (r->err));
  return TRUE;
}

void
dp_line_reader_free (DpLineReader *r)
{
  if (r == NULL)
    return;
  if (r->fp)
    fclose (r->fp);
  free (r->line);
  g_free (r->path);
  g_free (r);
}

/* ------------------------------------------------------------------ */
/* corpus as text */

gboolean
dp_corpus_write_text (const DpCorpus *c, const char *path, GError **error)
{
  g_autoptr (DpOutFile) f = dp_outfile_open (path, g_str_has_suffix (path, ".gz"), error);
  if (f == NULL)
    return FALSE;
  /* tokens repeat a lot: format each vocabulary entry once */
  g_autoptr (GPtrArray) text = g_ptr_array_new_full (c->vocab->n, g_free);
  for (guint id = 0; id < c->vocab->n; id++)
    {
      GString *t = g_string_new (NULL);
      dp_vocab_format (c->vocab, id, t);
      g_ptr_array_add (text, g_string_free (t, FALSE));
    }
  g_autoptr (GString) line = g_string_new (NULL);
  for (guint64 s = 0; s < c->n_sentences; s++)
    {
      g_string_truncate (line, 0);
      for (guint64 p = c->offsets[s]; p < c->offsets[s + 1]; p++)
        {
          if (p > c->offsets[s])
            g_string_append_c (line, ' ');
          g_string_append (line, g_ptr_array_index (text, c->tokens[p]));
        }
      g_string_append_c (line, '\n');
      dp_outfile_write (f, line->str, line->len);
    }
  return dp_outfile_commit (g_steal_pointer (&f), error);
}
