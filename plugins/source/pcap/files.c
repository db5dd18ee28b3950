/* files.c — the pcap source's input files: the list from path and paths
 * (globs expanded, pipes and stdin kept as streams), their order, and one
 * file read through into the batches. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glob.h>
#include <string.h>
#include <sys/stat.h>

#include "pcap.h"

static gboolean
pcap_add_path (Pcap *self, const char *pattern, GError **error)
{
  if (strpbrk (pattern, "*?[") == NULL)
    {
      PcapFile f = { g_strdup (pattern), self->files->len, G_MAXINT64, 0, FALSE };
      g_array_append_val (self->files, f);
      return TRUE;
    }
  glob_t g;
  int rc = glob (pattern, 0, NULL, &g);
  if (rc != 0)
    {
      if (rc != GLOB_NOMATCH)
        globfree (&g);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no file matches '%s'", pattern);
      return FALSE;
    }
  for (size_t i = 0; i < g.gl_pathc; i++)
    {
      PcapFile f = { g_strdup (g.gl_pathv[i]), self->files->len, G_MAXINT64, 0, FALSE };
      g_array_append_val (self->files, f);
    }
  globfree (&g);
  return TRUE;
}

gboolean
pcap_collect_files (Pcap *self, GError **error)
{
  const PcapConfig *cfg = self->cfg;
  if (cfg->path == NULL && (cfg->paths == NULL || cfg->paths[0] == NULL))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_REQUIRED,
                   "set 'path' or 'paths' to the capture file(s) to read");
      return FALSE;
    }
  if (cfg->path && !pcap_add_path (self, cfg->path, error))
    return FALSE;
  for (char **p = cfg->paths; p && *p; p++)
    if (!pcap_add_path (self, *p, error))
      return FALSE;
  for (guint i = 0; i < self->files->len; i++)
    {
      PcapFile *f = &g_array_index (self->files, PcapFile, i);
      if (strcmp (f->path, "-") == 0)
        {
          /* the standard input: a stream, read once, first */
          f->stream = TRUE;
          f->first_ts = G_MININT64;
          continue;
        }
      struct stat st;
      if (stat (f->path, &st) != 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       e == ENOENT ? "%s: no such capture file" : "%s: cannot open: %s", f->path, g_strerror (e));
          return FALSE;
        }
      /* a pipe is read as a stream, once: its first timestamp cannot be
       * read ahead, so it goes first (pipes in list order) */
      f->stream = S_ISFIFO (st.st_mode);
      if (!S_ISREG (st.st_mode) && !f->stream)
        {
          g_set_error (error, G_FILE_ERROR, S_ISDIR (st.st_mode) ? G_FILE_ERROR_ISDIR : G_FILE_ERROR_INVAL,
                       "%s: %s, not a capture file (the pcap source reads regular files and pipes)",
                       f->path, S_ISDIR (st.st_mode) ? "is a directory" : "is a device");
          return FALSE;
        }
      if (f->stream)
        f->first_ts = G_MININT64;
      /* opening a FIFO waits for its writer: it is only checked for access */
      int fd = f->stream ? (access (f->path, R_OK) == 0 ? -2 : -1) : open (f->path, O_RDONLY | O_CLOEXEC);
      if (fd == -1)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: cannot open: %s", f->path,
                       g_strerror (e));
          return FALSE;
        }
      if (fd >= 0)
        close (fd);
      f->size = f->stream ? 0 : (guint64) st.st_size;
      self->total_bytes += f->size;
    }
  return TRUE;
}

/* A filter that libpcap cannot compile for Ethernet is a bad option value. */

gint
pcap_file_compare (gconstpointer a, gconstpointer b)
{
  const PcapFile *x = a, *y = b;
  if (x->first_ts != y->first_ts)
    return x->first_ts < y->first_ts ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Reads one file, pushing full batches; the partial last batch stays in
 * *batch so that the next file continues it. */
gboolean
pcap_read_file (DpStage *stage, Pcap *self, const PcapFile *f, DpPackets **batch, GError **error)
{
  PcapReader r;
  if (!pcap_file_start (stage, self, f, &r, error))
    return FALSE;
  if (!r.live)
    return TRUE;
  /* one file at a time: a thread reads a gzip file's or a pipe's next
   * block ahead (the merge, with every file open at once, reads without).
   * Not a plain file's: from the page cache a read is a copy, and the
   * block read on the other core cost more to decode than it saved
   * (ingest of 5 M packets: 4% more CPU and wall with it) */
  r.readahead = r.gzip || f->stream;
  PcapReadStatus st = PCAP_READ_FULL;
  while (st == PCAP_READ_FULL && self->flow == DP_FLOW_OK)
    {
      st = pcap_file_read (stage, self, &r, *batch, error);
      /* under MPI one push per block of this rank's, even an empty one */
      if ((*batch)->n_rows == (*batch)->capacity || self->split_end)
        {
          self->split_end = FALSE;
          self->flow = dp_stage_push_packets (stage, 0, batch);
        }
      dp_stage_progress (stage, self->done_bytes + pcap_file_position (&r, f), self->total_bytes);
    }
  pcap_reader_close (&r);
  self->done_bytes += f->size;
  return st != PCAP_READ_ERROR;
}
