/* test-input.c — dp_open_input and the line reader keep every byte
 * (issue #21 items 3 and 4): from a pipe, plain or gzip, and from a gzip
 * stream that is cut short, corrupt, or has a bad trailer, whose good part
 * is delivered before the error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "darkpipe.h"
#include "dp-test.h"
#include "pcap-frames.h"

/* Some text lines: "line N abcd…\n" for N in [0, n). */
static GByteArray *
make_text (guint n)
{
  GByteArray *b = g_byte_array_new ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *l = g_strdup_printf ("line %u %08x%08x\n", i, g_str_hash (&i) * i, i * 2654435761u);
      g_byte_array_append (b, (const guint8 *) l, (guint) strlen (l));
    }
  return b;
}

static GByteArray *
gzip_bytes (const GByteArray *in)
{
  z_stream zs = { 0 };
  g_assert_cmpint (deflateInit2 (&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  GByteArray *out = g_byte_array_sized_new ((guint) deflateBound (&zs, in->len));
  g_byte_array_set_size (out, (guint) deflateBound (&zs, in->len));
  zs.next_in = in->data;
  zs.avail_in = in->len;
  zs.next_out = out->data;
  zs.avail_out = out->len;
  g_assert_cmpint (deflate (&zs, Z_FINISH), ==, Z_STREAM_END);
  g_byte_array_set_size (out, (guint) zs.total_out);
  deflateEnd (&zs);
  return out;
}

typedef struct {
  int fd;
  GByteArray *data;
} Writer;

static gpointer
writer_thread (gpointer p)
{
  Writer *w = p;
  gsize off = 0;
  while (off < w->data->len)
    {
      ssize_t r = write (w->fd, w->data->data + off, MIN (w->data->len - off, (gsize) 7000));
      g_assert_cmpint (r, >, 0);
      off += (gsize) r;
    }
  close (w->fd);
  return NULL;
}

/* Everything dp_open_input gives for @data sent through a pipe. */
static GByteArray *
read_through_pipe (GByteArray *data, gboolean *gz)
{
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  Writer w = { fds[1], data };
  GThread *t = g_thread_new ("writer", writer_thread, &w);
  g_autofree char *path = g_strdup_printf ("/dev/fd/%d", fds[0]);
  GError *error = NULL;
  FILE *fp = dp_open_input (path, gz, &error);
  g_assert_no_error (error);
  GByteArray *got = g_byte_array_new ();
  guint8 buf[4096];
  size_t n;
  while ((n = fread (buf, 1, sizeof buf, fp)) > 0)
    g_byte_array_append (got, buf, (guint) n);
  g_assert_false (ferror (fp));
  fclose (fp);
  g_thread_join (t);
  close (fds[0]);
  return got;
}

static void
assert_same (const GByteArray *a, const GByteArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_true (memcmp (a->data, b->data, a->len) == 0);
}

static void
test_pipe_plain (void)
{
  g_autoptr (GByteArray) text = make_text (2001);
  gboolean gz = TRUE;
  g_autoptr (GByteArray) got = read_through_pipe (text, &gz);
  g_assert_false (gz);
  assert_same (got, text);   /* the first two bytes too */
}

static void
test_pipe_gzip (void)
{
  g_autoptr (GByteArray) text = make_text (50000);
  g_autoptr (GByteArray) z = gzip_bytes (text);
  gboolean gz = FALSE;
  g_autoptr (GByteArray) got = read_through_pipe (z, &gz);
  g_assert_true (gz);
  assert_same (got, text);
}

/* Reads @file with fread: what came, and the errno it stopped on (0: EOF). */
static GByteArray *
read_file_all (const char *path, int *err)
{
  GError *error = NULL;
  FILE *fp = dp_open_input (path, NULL, &error);
  g_assert_no_error (error);
  GByteArray *got = g_byte_array_new ();
  guint8 buf[65536];
  size_t n;
  errno = 0;
  while ((n = fread (buf, 1, sizeof buf, fp)) > 0)
    g_byte_array_append (got, buf, (guint) n);
  *err = ferror (fp) ? errno : 0;
  fclose (fp);
  return got;
}

static char *
write_tmp (const char *dir, const char *name, const guint8 *data, gsize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, NULL));
  return path;
}

static void
test_gzip_bad_trailer (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (GByteArray) text = make_text (100000);   /* ~2.6 MB: many buffers */
  g_autoptr (GByteArray) z = gzip_bytes (text);
  for (guint which = 0; which < 2; which++)
    {
      g_autoptr (GByteArray) bad = g_byte_array_new ();
      g_byte_array_append (bad, z->data, z->len);
      bad->data[bad->len - 8 + 4 * which] ^= 0x5a;   /* CRC32, then ISIZE */
      g_autofree char *path = write_tmp (dir, "bad.gz", bad->data, bad->len);
      int err = -1;
      g_autoptr (GByteArray) got = read_file_all (path, &err);
      assert_same (got, text);                  /* every byte that inflated */
      g_assert_cmpint (err, ==, DP_EGZCHECK);   /* then the error */
      g_assert_nonnull (strstr (dp_input_strerror (err), "corrupt gzip stream"));
    }
  dp_test_rmtree (dir);
}

static void
test_gzip_cut (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (GByteArray) text = make_text (100000);
  g_autoptr (GByteArray) z = gzip_bytes (text);
  const guint cuts[] = { 3, 20, z->len / 3, z->len - 9, z->len - 1 };
  for (guint c = 0; c < G_N_ELEMENTS (cuts); c++)
    {
      g_autofree char *path = write_tmp (dir, "cut.gz", z->data, cuts[c]);
      int err = -1;
      g_autoptr (GByteArray) got = read_file_all (path, &err);
      g_test_message ("cut at %u of %u: %u bytes back", cuts[c], z->len, got->len);
      g_assert_cmpuint (got->len, <=, text->len);
      g_assert_true (got->len == 0 || memcmp (got->data, text->data, got->len) == 0);
      if (cuts[c] >= z->len - 9)
        g_assert_cmpuint (got->len, ==, text->len);   /* only the trailer is missing */
      if (cuts[c] == z->len / 3)
        g_assert_cmpuint (got->len, >, text->len / 4);
      g_assert_cmpint (err, ==, DP_EGZTRUNC);
    }
  /* the line reader names the cut */
  g_autofree char *path = write_tmp (dir, "cut.gz", z->data, z->len / 2);
  GError *error = NULL;
  g_autoptr (DpLineReader) r = dp_line_reader_open (path, &error);
  g_assert_no_error (error);
  gsize len;
  while (dp_line_reader_next (r, &len))
    ;
  g_assert_cmpuint (dp_line_reader_line (r), >, 20000);
  g_assert_true (dp_line_reader_error (r, &error));
  g_assert_error (error, DP_DATA_ERROR, DP_DATA_ERROR_TRUNCATED);
  if (strstr (error->message, "truncated gzip stream") == NULL)
    g_error ("%s", error->message);
  g_error_free (error);
  dp_test_rmtree (dir);
}

static void
test_gzip_members (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (GByteArray) a = make_text (3000), b = make_text (5000);
  g_autoptr (GByteArray) za = gzip_bytes (a), zb = gzip_bytes (b);
  g_autoptr (GByteArray) both = g_byte_array_new ();
  g_byte_array_append (both, za->data, za->len);
  g_byte_array_append (both, zb->data, zb->len);
  g_autofree char *path = write_tmp (dir, "ab.gz", both->data, both->len);
  int err = -1;
  g_autoptr (GByteArray) got = read_file_all (path, &err);
  g_assert_cmpint (err, ==, 0);
  g_assert_cmpuint (got->len, ==, a->len + b->len);
  g_assert_true (memcmp (got->data, a->data, a->len) == 0);
  g_assert_true (memcmp (got->data + a->len, b->data, b->len) == 0);
  dp_test_rmtree (dir);
}

static void
test_directory (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  GError *error = NULL;
  g_assert_null (dp_open_input (dir, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, "Is a directory"));
  g_error_free (error);
  dp_test_rmtree (dir);
}

typedef struct {
  char *path;
  GByteArray *got;
} FifoReader;

static gpointer
fifo_reader (gpointer p)
{
  FifoReader *fr = p;
  int fd = open (fr->path, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  guint8 buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_byte_array_append (fr->got, buf, (guint) n);
  close (fd);
  return NULL;
}

/* records built in place (dp_outfile_reserve / dp_outfile_advance), mixed
 * with copied ones, reach the file in order: reservations larger than
 * the buffer, smaller advances than reserved, and gzip */
static void
test_output_reserve (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autoptr (GByteArray) text = make_text (7000000);
  for (guint gz = 0; gz < 2; gz++)
    {
      g_autofree char *path = g_build_filename (dir, gz ? "out.gz" : "out", NULL);
      GError *error = NULL;
      DpOutFile *f = dp_outfile_open (path, gz, &error);
      g_assert_no_error (error);
      gsize at = 0, step = 1;
      for (guint k = 0; at < text->len; k++)
        {
          gsize n = MIN (step, text->len - at);
          if (k % 3 == 0)
            dp_outfile_write (f, text->data + at, n);
          else
            {
              /* reserve more than is used; the spare room is scribbled on */
              guint8 *p = dp_outfile_reserve (f, n + 100);
              memset (p, 'x', n + 100);
              memcpy (p, text->data + at, n);
              dp_outfile_advance (f, n);
            }
          at += n;
          g_assert_cmpuint (dp_outfile_bytes (f), ==, at);
          /* up to 2.6 MB: larger than the 1 MiB buffers the writer
           * thread swaps */
          step = step * 3 + 7 > 2600000 ? 1 : step * 3 + 7;
        }
      g_assert_true (dp_outfile_commit (f, &error));
      g_assert_no_error (error);
      int err = -1;
      g_autoptr (GByteArray) back = read_file_all (path, &err);
      g_assert_cmpint (err, ==, 0);
      assert_same (back, text);
    }
}

/* a write error met by the writer thread (the output outgrew its buffer)
 * fails the commit with the error, plain and gzip; an abort while the
 * writer runs stops it and leaves nothing behind */
static void
test_output_full (void)
{
  if (access ("/dev/full", W_OK) != 0)
    {
      g_test_skip ("no /dev/full");
      return;
    }
  g_autoptr (GByteArray) text = make_text (5000000);
  for (guint gz = 0; gz < 2; gz++)
    {
      GError *error = NULL;
      DpOutFile *f = dp_outfile_open ("/dev/full", gz, &error);
      g_assert_no_error (error);
      for (guint at = 0; at < text->len; at += 100000)
        dp_outfile_write (f, text->data + at, MIN (100000u, text->len - at));
      g_assert_false (dp_outfile_commit (f, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
      g_error_free (error);
    }
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "aborted", NULL);
  DpOutFile *f = dp_outfile_open (path, FALSE, NULL);
  g_assert_nonnull (f);
  dp_outfile_write (f, text->data, text->len);
  dp_outfile_abort (f);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));
  dp_test_rmtree (dir);
}

/* an output aimed at a FIFO is written into it, and the FIFO stays a FIFO
 * (the atomic rename would have put a regular file in its place, as it did
 * to /dev/null); a directory is refused (issue #21 item 2) */
static void
test_output_fifo (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *fifo = g_build_filename (dir, "out.fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autoptr (GByteArray) text = make_text (30000);
  for (guint gz = 0; gz < 2; gz++)
    {
      FifoReader fr = { fifo, g_byte_array_new () };
      GThread *t = g_thread_new ("reader", fifo_reader, &fr);
      GError *error = NULL;
      DpOutFile *f = dp_outfile_open (fifo, gz, &error);
      g_assert_no_error (error);
      dp_outfile_write (f, text->data, text->len);
      g_assert_true (dp_outfile_commit (f, &error));
      g_assert_no_error (error);
      g_thread_join (t);
      struct stat st;
      g_assert_cmpint (stat (fifo, &st), ==, 0);
      g_assert_true (S_ISFIFO (st.st_mode));
      if (gz)
        {
          /* read back through the input side: a regular file of the bytes */
          g_autofree char *copy = write_tmp (dir, "copy.gz", fr.got->data, fr.got->len);
          int err = -1;
          g_autoptr (GByteArray) back = read_file_all (copy, &err);
          g_assert_cmpint (err, ==, 0);
          assert_same (back, text);
        }
      else
        assert_same (fr.got, text);
      g_byte_array_unref (fr.got);
    }
  /* no temp file was left beside it */
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_assert_false (g_str_has_prefix (name, "."));

  GError *error = NULL;
  g_assert_null (dp_outfile_open (dir, FALSE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_error_free (error);
  dp_test_rmtree (dir);
}

/* an output aimed at a character device (a node like /dev/null) is written
 * into it and the node stays a device; abort removes nothing either.  As
 * root the node is a private mknod copy of /dev/null, so a regression
 * replaces that copy and not the system's /dev/null (which, not as root,
 * cannot be replaced: /dev is not writable, and the open fails instead). */
static void
test_output_chardev (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  g_autofree char *node = g_build_filename (dir, "null", NULL);
  const char *path = node;
  if (mknod (node, S_IFCHR | 0666, makedev (1, 3)) != 0)
    path = "/dev/null";
  struct stat before;
  g_assert_cmpint (stat (path, &before), ==, 0);
  g_assert_true (S_ISCHR (before.st_mode));
  g_autoptr (GByteArray) text = make_text (20000);
  for (guint gz = 0; gz < 2; gz++)
    {
      GError *error = NULL;
      DpOutFile *f = dp_outfile_open (path, gz, &error);
      g_assert_no_error (error);
      dp_outfile_write (f, text->data, text->len);
      g_assert_cmpuint (dp_outfile_bytes (f), ==, text->len);
      g_assert_true (dp_outfile_commit (f, &error));
      g_assert_no_error (error);
      struct stat st;
      g_assert_cmpint (stat (path, &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
      g_assert_cmpuint (st.st_rdev, ==, before.st_rdev);
      g_assert_cmpuint (st.st_ino, ==, before.st_ino);
    }
  DpOutFile *f = dp_outfile_open (path, FALSE, NULL);
  g_assert_nonnull (f);
  dp_outfile_puts (f, "dropped\n");
  dp_outfile_abort (f);
  struct stat st;
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  /* nothing but the node in the directory: no temp file beside it */
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_assert_cmpstr (name, ==, "null");
  dp_test_rmtree (dir);
}

/* The pcap source on a damaged .gz, classic pcap (its own block walk) and
 * pcapng (libpcap reads the records): every packet that decompressed is
 * kept; a cut stream is a truncated-file, a bad trailer a bad-file whose
 * message names the gzip damage (libpcap alone said "No data available"). */
static void
test_pcap_gzip_damage (void)
{
  g_autofree char *dir = dp_test_tmpdir ();
  const guint n = 3000;
  for (guint ng = 0; ng < 2; ng++)
    {
      g_autoptr (GByteArray) cap = ng ? pcapng_file_new (DP_LINK_ETHERNET, FALSE)
                                      : pcap_file_new (DP_LINK_ETHERNET, FALSE);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (GByteArray) fr = frame_tcp ((guint16) (1000 + i % 50000), 80, i, 0x02);
          if (ng)
            pcapng_file_add (cap, FALSE, DP_TEST_SEC (1000 + i), fr->data, fr->len);
          else
            pcap_file_add (cap, FALSE, DP_TEST_SEC (1000 + i), fr->data, fr->len);
        }
      g_autoptr (GByteArray) z = gzip_bytes (cap);
      for (guint bad = 0; bad < 2; bad++)
        {
          g_autoptr (GByteArray) d = g_byte_array_new ();
          g_byte_array_append (d, z->data, bad ? z->len : z->len / 2);
          if (bad)
            d->data[d->len - 8] ^= 0x5a;   /* the CRC32 */
          g_autofree char *path = write_tmp (dir, ng ? "x.pcapng.gz" : "x.pcap.gz", d->data, d->len);
          g_test_message ("%s, %s", ng ? "pcapng" : "pcap", bad ? "bad CRC" : "cut in half");
          g_autofree char *yaml = g_strdup_printf ("path: '%s'", path);
          GError *error = NULL;
          g_autoptr (DpHarness) h = dp_harness_new ("pcap", yaml, &error);
          g_assert_no_error (error);
          g_assert_true (dp_harness_run (h, &error));
          g_assert_no_error (error);
          g_assert_true (dp_harness_finish (h, &error));
          g_assert_no_error (error);
          g_autoptr (DpPackets) p = dp_harness_packets (h, "packets");
          g_assert_nonnull (p);
          if (bad)
            g_assert_cmpuint (p->n_rows, ==, n);
          else
            {
              g_assert_cmpuint (p->n_rows, >, n / 4);
              g_assert_cmpuint (p->n_rows, <, n);
            }
          g_assert_cmpuint (dp_harness_counter (h, "truncated-file"), ==, (bad ? 0 : 1));
          g_assert_cmpuint (dp_harness_counter (h, "bad-file"), ==, (bad ? 1 : 0));

          /* on_error: fail names the gzip damage */
          g_autofree char *fy = g_strdup_printf ("path: '%s'\non_error: fail", path);
          g_autoptr (DpHarness) hf = dp_harness_new ("pcap", fy, &error);
          g_assert_no_error (error);
          g_assert_false (dp_harness_run (hf, &error));
          const gint code = bad ? DP_DATA_ERROR_FORMAT : DP_DATA_ERROR_TRUNCATED;
          g_assert_error (error, DP_DATA_ERROR, code);
          if (strstr (error->message, bad ? "corrupt gzip stream" : "truncated gzip stream") == NULL)
            g_error ("%s", error->message);
          g_error_free (error);
        }
    }
  dp_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/input/pipe-plain", test_pipe_plain);
  g_test_add_func ("/input/pipe-gzip", test_pipe_gzip);
  g_test_add_func ("/input/gzip-bad-trailer", test_gzip_bad_trailer);
  g_test_add_func ("/input/gzip-cut", test_gzip_cut);
  g_test_add_func ("/input/gzip-members", test_gzip_members);
  g_test_add_func ("/input/directory", test_directory);
  g_test_add_func ("/output/reserve", test_output_reserve);
  g_test_add_func ("/output/fifo", test_output_fifo);
  g_test_add_func ("/output/write-error", test_output_full);
  g_test_add_func ("/output/chardev", test_output_chardev);
  g_test_add_func ("/input/pcap-gzip-damage", test_pcap_gzip_damage);
  return g_test_run ();
}
