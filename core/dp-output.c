/* dp-output.c — atomic output files and gzip-transparent input. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "dp-error.h"
#include "dp-output.h"
#include "dp-batch.h"
#include "dp-private.h"

struct _DpOutFile {
  char *path;
  char *tmp_path;
  int fd;
  gzFile gz;
  GString *buf;        /* being filled by the caller */
  guint64 bytes;
  int saved_errno;     /* first write error (the writer's, once it runs) */
  /* the writer thread, started when the file outgrows one buffer: it
   * writes (or deflates) one full buffer while the caller fills the other,
   * so the kernel's copy into the page cache — tmpfs allocates pages as
   * it goes — and zlib no longer stop the stage that produces the data */
  GThread *writer;
  GMutex lock;
  GCond cond;
  GString *pending;    /* handed to the writer, NULL when it is idle */
  GString *spare;      /* the other buffer, once the writer gave it back */
  gboolean quit;
  int temp_slot;       /* tmp_path's entry in the sweep list, or -1 */
};

/* ------------------------------------------------------------------ */
/* temporary names to remove when the process is made to end
 *
 * A rank of an MPI job that mpirun ends (another rank died, or mpirun got
 * SIGINT) gets SIGTERM and, one second later, SIGKILL: it may not get to
 * abort its open outputs.  So their temporary names are listed here while
 * they exist, and dp_output_sweep_temporaries, called from the signal
 * handler, unlinks them.  A fixed table of copies: the handler reads no
 * memory that another thread may free. */

#define TEMP_SLOTS 128
enum { SLOT_FREE, SLOT_FILLING, SLOT_SET, SLOT_SWEEPING };
static struct {
  gint state;
  char path[PATH_MAX];
} temp_slots[TEMP_SLOTS];

int
dp_output_temp_hold (const char *path)
{
  if (strlen (path) >= PATH_MAX)
    return -1;
  for (int i = 0; i < TEMP_SLOTS; i++)
    if (g_atomic_int_compare_and_exchange (&temp_slots[i].state, SLOT_FREE, SLOT_FILLING))
      {
        strcpy (temp_slots[i].path, path);
        g_atomic_int_set (&temp_slots[i].state, SLOT_SET);
        return i;
      }
  return -1;
}

void
dp_output_temp_release (int slot)
{
  if (slot < 0)
    return;
  /* a handler on another thread may be unlinking it: a moment */
  while (!g_atomic_int_compare_and_exchange (&temp_slots[slot].state, SLOT_SET, SLOT_FREE))
    ;
}

/* set once a sweep ran: a rename that finds no file then says why */
static volatile sig_atomic_t temp_swept;

void
dp_output_sweep_temporaries (void)
{
  temp_swept = 1;
  for (int i = 0; i < TEMP_SLOTS; i++)
    if (g_atomic_int_compare_and_exchange (&temp_slots[i].state, SLOT_SET, SLOT_SWEEPING))
      {
        unlink (temp_slots[i].path);
        g_atomic_int_set (&temp_slots[i].state, SLOT_SET);
      }
}

#define OUT_BUF_SIZE (1024 * 1024)

/* A target that exists and is not a regular file (a FIFO, /dev/null, a
 * terminal) is written straight to: a rename would replace the device or
 * pipe by a regular file.  A directory is an error.  *direct tells that
 * the result is final: an fd to write, or -1 with @error. */
static int
outfile_open_direct (const char *path, gboolean *direct, GError **error)
{
  struct stat st;
  *direct = FALSE;
  if (strcmp (path, "-") == 0)
    {
      /* the standard output: a copy of the descriptor, written straight */
      *direct = TRUE;
      int fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
      if (fd < 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "the standard output: cannot use it: %s", g_strerror (e));
        }
      return fd;
    }
  if (stat (path, &st) != 0 || S_ISREG (st.st_mode))
    return -1;
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: is a directory, not a file to write", path);
      *direct = TRUE;
      return -1;
    }
  *direct = TRUE;
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: cannot open: %s", path, g_strerror (e));
    }
  return fd;
}

DpOutFile *
dp_outfile_open (const char *path, gboolean gzip, GError **error)
{
  gboolean direct = FALSE;
  int dfd = outfile_open_direct (path, &direct, error);
  if (direct && dfd < 0)
    return NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  if (!direct && g_mkdir_with_parents (dir, 0777) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: cannot create directory %s: %s", path, dir, g_strerror (e));
      return NULL;
    }
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = direct ? NULL : g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  /* created 0666 minus the umask: an ordinary file for the user */
  int fd = direct ? dfd : g_mkstemp_full (tmpl, O_WRONLY | O_CLOEXEC, 0666);
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
  f->temp_slot = f->tmp_path ? dp_output_temp_hold (f->tmp_path) : -1;
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

/* Writes @buf out (the caller's thread before the writer starts and after
 * it stopped, the writer's while it runs: never both) and empties it. */
static void
outfile_write_out (DpOutFile *f, GString *buf)
{
  if (buf->len == 0)
    return;
  if (f->saved_errno == 0)
    {
      if (f->gz)
        {
          if (gzwrite (f->gz, buf->str, (unsigned) buf->len) != (int) buf->len)
            {
              int zerr;
              gzerror (f->gz, &zerr);
              f->saved_errno = (zerr == Z_ERRNO && errno) ? errno : EIO;
            }
        }
      else
        {
          const char *p = buf->str;
          gsize left = buf->len;
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
  g_string_truncate (buf, 0);
}

static gpointer
outfile_writer (gpointer data)
{
  DpOutFile *f = data;
  g_mutex_lock (&f->lock);
  for (;;)
    {
      while (f->pending == NULL && !f->quit)
        g_cond_wait (&f->cond, &f->lock);
      if (f->pending == NULL)
        break;
      GString *buf = f->pending;
      g_mutex_unlock (&f->lock);
      outfile_write_out (f, buf);
      g_mutex_lock (&f->lock);
      f->spare = buf;
      f->pending = NULL;
      g_cond_broadcast (&f->cond);
    }
  g_mutex_unlock (&f->lock);
  return NULL;
}

/* Waits until the writer has no buffer; returns the free one. */
static GString *
outfile_wait_idle (DpOutFile *f)
{
  g_mutex_lock (&f->lock);
  while (f->pending != NULL)
    g_cond_wait (&f->cond, &f->lock);
  GString *spare = g_steal_pointer (&f->spare);
  g_mutex_unlock (&f->lock);
  return spare;
}

/* The full buffer goes to the writer (started on the first one: a file
 * that fits in one buffer costs no thread) and the caller goes on with the
 * other. */
static void
outfile_flush (DpOutFile *f)
{
  if (f->buf->len == 0)
    return;
  if (f->writer == NULL)
    {
      g_mutex_init (&f->lock);
      g_cond_init (&f->cond);
      f->writer = g_thread_try_new ("dp-outfile", outfile_writer, f, NULL);
      if (f->writer == NULL)
        {
          /* no thread to be had: written here, as before */
          g_mutex_clear (&f->lock);
          g_cond_clear (&f->cond);
          outfile_write_out (f, f->buf);
          return;
        }
      f->spare = g_string_sized_new (f->buf->allocated_len);
    }
  GString *next = outfile_wait_idle (f);
  if (next->allocated_len < f->buf->allocated_len)
    {
      /* the caller grew its buffer (a reservation larger than it) */
      g_string_set_size (next, f->buf->allocated_len - 1);
      g_string_truncate (next, 0);
    }
  g_mutex_lock (&f->lock);
  f->pending = f->buf;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  f->buf = next;
}

/* Stops the writer after its last buffer; what the caller holds is then
 * written here. */
static void
outfile_stop_writer (DpOutFile *f)
{
  if (f->writer == NULL)
    return;
  g_mutex_lock (&f->lock);
  f->quit = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  g_thread_join (g_steal_pointer (&f->writer));
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  if (f->spare)
    g_string_free (g_steal_pointer (&f->spare), TRUE);
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
  /* the buffer was sized for OUT_BUF_SIZE plus a record: copy straight in
   * (g_string_append_len is a call and checks more than a record needs) */
  if (f->buf->len + len < f->buf->allocated_len)
    {
      memcpy (f->buf->str + f->buf->len, data, len);
      f->buf->len += len;
      f->buf->str[f->buf->len] = '\0';
    }
  else
    g_string_append_len (f->buf, data, (gssize) len);
  if (f->buf->len >= OUT_BUF_SIZE)
    outfile_flush (f);
}

guint8 *
dp_outfile_reserve (DpOutFile *f, gsize len)
{
  if (f->buf->len + len >= f->buf->allocated_len)
    {
      outfile_flush (f);
      if (len >= f->buf->allocated_len)
        {
          /* grow (the NUL GString keeps needs one byte more) */
          g_string_set_size (f->buf, len);
          g_string_truncate (f->buf, 0);
        }
    }
  return (guint8 *) f->buf->str + f->buf->len;
}

void
dp_outfile_advance (DpOutFile *f, gsize len)
{
  g_assert (f->buf->len + len < f->buf->allocated_len);
  f->bytes += len;
  f->buf->len += len;
  f->buf->str[f->buf->len] = '\0';
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
  outfile_stop_writer (f);
  if (f->gz)
    gzclose (f->gz);
  if (f->fd >= 0)
    close (f->fd);
  g_string_free (f->buf, TRUE);
  /* renamed or unlinked by now */
  dp_output_temp_release (f->temp_slot);
  g_free (f->path);
  g_free (f->tmp_path);
  g_free (f);
}

gboolean
dp_outfile_commit (DpOutFile *f, GError **error)
{
  outfile_stop_writer (f);
  outfile_write_out (f, f->buf);
  if (f->gz)
    {
      int r = gzclose (f->gz);
      f->gz = NULL;
      if (r != Z_OK && f->saved_errno == 0)
        f->saved_errno = errno ? errno : EIO;
    }
  if (f->saved_errno == 0 && f->tmp_path && fsync (f->fd) != 0 && errno != EINVAL && errno != EROFS)
    f->saved_errno = errno;
  if (close (f->fd) != 0 && f->saved_errno == 0)
    f->saved_errno = errno;
  f->fd = -1;
  if (f->saved_errno == 0 && f->tmp_path && g_rename (f->tmp_path, f->path) != 0)
    f->saved_errno = errno;
  if (f->saved_errno == ENOENT && temp_swept)
    {
      g_set_error (error, DP_DATA_ERROR, DP_DATA_ERROR_CANCELLED, "%s: not written: the run was interrupted",
                   f->path);
      outfile_free (f);
      return FALSE;
    }
  if (f->saved_errno != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (f->saved_errno),
                   f->tmp_path ? "%s: write failed: %s (nothing written; earlier contents kept)"
                               : "%s: write failed: %s (written directly: it is not a regular file)",
                   f->path, g_strerror (f->saved_errno));
      if (f->tmp_path)
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
  outfile_stop_writer (f);
  if (f->gz)
    {
      gzclose (f->gz);
      f->gz = NULL;
    }
  if (f->tmp_path)
    g_unlink (f->tmp_path);
  outfile_free (f);
}

/* ------------------------------------------------------------------ */
/* gzip-transparent input through fopencookie
 *
 * The file is opened once and never rewound or reopened, so a pipe or FIFO
 * loses nothing: the first bytes, read to look for the gzip magic, are
 * served again from the peek buffer.  gzip is inflated here with zlib's
 * inflate() rather than gzread(), which on a bad trailer returns -1 and
 * drops the bytes it had inflated in that call: every byte that inflated
 * is delivered, and only then does a read fail, with DP_EGZTRUNC for a
 * stream cut short and DP_EGZCHECK for a bad CRC/length or corrupt data. */

#define IN_BUF (256 * 1024)

typedef struct {
  int fd;
  unsigned char peek[2];
  guint n_peek, peek_pos;
  gboolean gzip;
  z_stream zs;
  unsigned char *in;
  gboolean in_eof;     /* read() returned 0 */
  gboolean done;       /* the last member ended cleanly and no other follows */
  int err;             /* sticky: errno for the next read */
  FILE *fp;            /* the stream over this cookie */
} InStream;

static ssize_t
in_raw (InStream *st, void *buf, size_t size)
{
  if (st->peek_pos < st->n_peek)
    {
      size_t n = MIN (size, (size_t) (st->n_peek - st->peek_pos));
      memcpy (buf, st->peek + st->peek_pos, n);
      st->peek_pos += (guint) n;
      return (ssize_t) n;
    }
  for (;;)
    {
      ssize_t r = read (st->fd, buf, size);
      /* a rank of an MPI job that mpirun is ending stops waiting for a
       * pipe (dp_context_interrupt) */
      if (r >= 0 || errno != EINTR || dp_comm_interrupted ())
        return r;
    }
}

/* More compressed input; FALSE on a read error (st->err set). */
static gboolean
in_fill (InStream *st)
{
  if (st->zs.avail_in > 0 || st->in_eof)
    return TRUE;
  ssize_t r = in_raw (st, st->in, IN_BUF);
  if (r < 0)
    {
      st->err = errno ? errno : EIO;
      return FALSE;
    }
  if (r == 0)
    st->in_eof = TRUE;
  st->zs.next_in = st->in;
  st->zs.avail_in = (uInt) r;
  return TRUE;
}

static ssize_t
in_cookie_read (void *cookie, char *buf, size_t size)
{
  InStream *st = cookie;
  if (!st->gzip)
    {
      if (st->err)
        return errno = st->err, -1;
      ssize_t r = in_raw (st, buf, size);
      if (r < 0)
        st->err = errno ? errno : EIO;
      return r;
    }
  size_t chunk = MIN (size, (size_t) 1 << 30);
  size_t got = 0;
  while (got < chunk && !st->done && st->err == 0)
    {
      if (!in_fill (st))
        break;
      if (st->zs.avail_in == 0 && st->in_eof)
        {
          st->err = DP_EGZTRUNC;   /* no end of stream before the end of the file */
          break;
        }
      st->zs.next_out = (Bytef *) buf + got;
      st->zs.avail_out = (uInt) (chunk - got);
      int ret = inflate (&st->zs, Z_NO_FLUSH);
      got = chunk - st->zs.avail_out;
      if (ret == Z_STREAM_END)
        {
          /* another member may follow (cat a.gz b.gz), as gzip -d reads it;
           * anything else after a member is ignored, as gzip -d does */
          if (!in_fill (st))
            break;
          if (st->zs.avail_in == 0 && st->in_eof)
            st->done = TRUE;
          else if (st->zs.next_in[0] == 0x1f)
            inflateReset (&st->zs);
          else
            st->done = TRUE;
        }
      else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT)
        st->err = DP_EGZCHECK;
      else if (ret == Z_MEM_ERROR)
        st->err = ENOMEM;
      else if (ret != Z_OK && ret != Z_BUF_ERROR)
        st->err = EIO;
    }
  if (got > 0)
    return (ssize_t) got;     /* the error, if any, comes with the next read */
  if (st->err)
    return errno = st->err, -1;
  return 0;
}

/* FILE* -> InStream, for dp_input_errno: stdio forgets a read's errno once
 * the stream's error flag is set (getline then fails without reading) */
static GMutex streams_lock;
static GHashTable *streams;

int
dp_input_errno (FILE *fp)
{
  g_mutex_lock (&streams_lock);
  InStream *st = streams ? g_hash_table_lookup (streams, fp) : NULL;
  int e = st ? st->err : 0;
  g_mutex_unlock (&streams_lock);
  return e;
}

static int
in_cookie_close (void *cookie)
{
  InStream *st = cookie;
  g_mutex_lock (&streams_lock);
  if (streams && st->fp)
    g_hash_table_remove (streams, st->fp);
  g_mutex_unlock (&streams_lock);
  int r = close (st->fd);
  if (st->gzip)
    inflateEnd (&st->zs);
  g_free (st->in);
  g_free (st);
  return r == 0 ? 0 : EOF;
}

const char *
dp_input_strerror (int errnum)
{
  if (errnum == DP_EGZTRUNC)
    return "truncated gzip stream (it ends before its end-of-stream marker)";
  if (errnum == DP_EGZCHECK)
    return "corrupt gzip stream (bad data, CRC or length; the data before it was kept)";
  return g_strerror (errnum);
}

FILE *
dp_open_input (const char *path, gboolean *is_gzip, GError **error)
{
  /* "-" is the standard input (a copy of the descriptor: closing the
   * stream leaves the process's stdin open) */
  int fd = strcmp (path, "-") == 0 ? fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 0) : open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "%s: cannot open: %s", path, g_strerror (e));
      return NULL;
    }
  struct stat sb;
  if (fstat (fd, &sb) != 0)
    memset (&sb, 0, sizeof sb);
  if (S_ISDIR (sb.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: cannot read: Is a directory", path);
      return NULL;
    }
  InStream *st = g_new0 (InStream, 1);
  st->fd = fd;
  while (st->n_peek < 2)
    {
      ssize_t r = read (fd, st->peek + st->n_peek, 2 - st->n_peek);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          close (fd);
          g_free (st);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "%s: cannot read: %s", path, g_strerror (e));
          return NULL;
        }
      if (r == 0)
        break;
      st->n_peek += (guint) r;
    }
  st->gzip = st->n_peek == 2 && st->peek[0] == 0x1f && st->peek[1] == 0x8b;
  if (is_gzip)
    *is_gzip = st->gzip;
  if (!st->gzip && S_ISREG (sb.st_mode) && lseek (fd, 0, SEEK_SET) == 0)
    {
      /* a plain regular file: a plain stream, which can tell its position */
      g_free (st);
      FILE *fp = fdopen (fd, "rb");
      if (fp == NULL)
        {
          int e = errno;
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: cannot open: %s", path, g_strerror (e));
        }
      return fp;
    }
  if (st->gzip)
    {
      st->in = g_malloc (IN_BUF);
      /* 15 + 16: gzip format only (the magic said so) */
      if (inflateInit2 (&st->zs, 15 + 16) != Z_OK)
        {
          close (fd);
          g_free (st->in);
          g_free (st);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "%s: cannot start gzip decoding", path);
          return NULL;
        }
    }
  cookie_io_functions_t io = { .read = in_cookie_read, .close = in_cookie_close };
  FILE *cf = fopencookie (st, "rb", io);
  if (cf == NULL)
    {
      in_cookie_close (st);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot wrap the input stream", path);
      return NULL;
    }
  setvbuf (cf, NULL, _IOFBF, 256 * 1024);
  st->fp = cf;
  g_mutex_lock (&streams_lock);
  if (streams == NULL)
    streams = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (streams, cf, st);
  g_mutex_unlock (&streams_lock);
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
        r->err = dp_input_errno (r->fp) ? dp_input_errno (r->fp) : errno ? errno : EIO;
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
               r->path, r->lineno, dp_input_strerror (r->err));
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
