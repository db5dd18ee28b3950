/* dp-output.h — atomic output files: written to a temp file beside the
 * target and renamed into place only by dp_outfile_commit(), so an
 * interrupted or failed run leaves no half-written result.
 *
 * Threads: a DpOutFile or DpLineReader is used by one thread at a time;
 * different files may be written or read from different threads at once.
 * Errors are G_FILE_ERROR (codes from errno) unless said otherwise. */
#pragma once

#include "dp-api.h"

#include <errno.h>
#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _DpOutFile DpOutFile;

/** Opens a temp file next to @path (not NULL; copied), creating parent
 * directories.  A @path that exists and is not a regular file (a FIFO,
 * /dev/null) is opened and written directly instead, and so is "-", the
 * standard output; a directory is an error (G_FILE_ERROR_ISDIR).  @gzip compresses through zlib.  Returns
 * (transfer full) the file, to end with dp_outfile_commit or
 * dp_outfile_abort, or NULL with @error (G_FILE_ERROR) on failure. */
DP_API DpOutFile *dp_outfile_open (const char *path, gboolean gzip, GError **error);
/** Buffered write of @len bytes at @data (transfer none: copied) to @f (not
 * NULL).  Nothing is returned: the first error is remembered and reported
 * by dp_outfile_commit, and later writes to the disk are skipped. */
DP_API void dp_outfile_write (DpOutFile *f, const void *data, gsize len);
/** Room for up to @len bytes at the end of @f's buffer (not NULL), for a
 * writer that builds its records in place instead of copying them in with
 * dp_outfile_write.  Returns (transfer none) where to write; nothing is
 * added to @f until dp_outfile_advance says how many of those bytes were
 * written.  The pointer is valid until the next call on @f. */
DP_API guint8 *dp_outfile_reserve (DpOutFile *f, gsize len);
/** Adds the first @len bytes written at the pointer the last
 * dp_outfile_reserve on @f (not NULL) returned; @len is at most what was
 * reserved.  Errors as dp_outfile_write. */
DP_API void dp_outfile_advance (DpOutFile *f, gsize len);
/** The same for the string @s (not NULL), without its NUL. */
DP_API void dp_outfile_puts (DpOutFile *f, const char *s);
/** The same for printf-style text. */
DP_API void dp_outfile_printf (DpOutFile *f, const char *format, ...) G_GNUC_PRINTF (2, 3);
/** Bytes given to @f so far (before compression). */
DP_API guint64 dp_outfile_bytes (const DpOutFile *f);
/** The target path of @f as it was opened (not the temp file's).  Returns
 * (transfer none) a string owned by @f, valid until commit or abort. */
DP_API const char *dp_outfile_path (const DpOutFile *f);
/** Flushes, fsyncs, closes and renames into place; frees @f (transfer
 * full: @f is gone whatever the result; not NULL).  Returns FALSE on any
 * error (including an earlier failed write) with @error (G_FILE_ERROR)
 * naming the target path; the temp file is then removed and an earlier
 * file at the target is kept.  A target written directly (not a regular
 * file) keeps what reached it. */
DP_API gboolean dp_outfile_commit (DpOutFile *f, GError **error);
/** Removes the temp file and frees @f (transfer full; no-op on NULL).
 * Nothing more reaches a target written directly. */
DP_API void dp_outfile_abort (DpOutFile *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpOutFile, dp_outfile_abort)

/** Opens @path (not NULL) for reading, transparently gunzipping when the
 * content starts with the gzip magic (never by extension); pipes and FIFOs
 * work (the file is read once, never rewound).  *@is_gzip (nullable) tells
 * which.  Returns (transfer full) a stdio stream to fclose (fopencookie
 * over zlib for gzip), or NULL with @error (G_FILE_ERROR; ISDIR for a
 * directory).  Several threads may open files at once. */
DP_API FILE *dp_open_input (const char *path, gboolean *is_gzip, GError **error);
/* ("-" opens the standard input: read once, as a stream.) */
/* errno values of a read from dp_open_input's stream that stopped on a bad
 * gzip stream, after every byte that decompressed was delivered */
#define DP_EGZTRUNC ENODATA   /* the stream is cut short */
#define DP_EGZCHECK EBADMSG   /* corrupt data, or a bad CRC or length in the trailer */
/** The errno a read from @fp (a stream of dp_open_input; not NULL) stopped
 * on, or 0 (for a plain regular file, or before any error: use errno then).
 * stdio keeps only ferror(), and a later call fails without setting errno.
 * Locked: thread-safe. */
DP_API int dp_input_errno (FILE *fp);
/** A message for such an errno (the two above, else g_strerror).  Returns
 * (transfer none) a string that is never freed, never NULL.  Thread-safe. */
DP_API const char *dp_input_strerror (int errnum);

/* Line reader over dp_open_input() with line numbers for messages. */
typedef struct _DpLineReader DpLineReader;
/** Opens @path (not NULL; copied) as dp_open_input does.  Returns
 * (transfer full) a reader to free with dp_line_reader_free, or NULL with
 * @error (G_FILE_ERROR). */
DP_API DpLineReader *dp_line_reader_open (const char *path, GError **error);
/** Next line without its newline (and without a trailing CR), or NULL at
 * the end / on a read error (check dp_line_reader_error).  Returns
 * (transfer none) the reader's buffer, which may be changed in place and is
 * valid until the next call.  *@len (nullable) gets its length: a line may
 * hold NUL bytes. */
DP_API char *dp_line_reader_next (DpLineReader *r, gsize *len);
/** The 1-based number of the last line returned (0 before the first). */
DP_API guint64 dp_line_reader_line (const DpLineReader *r);
/** TRUE when reading stopped on an error (then @error, nullable, is set to
 * DP_DATA_ERROR_TRUNCATED naming the path, the last line read and the
 * cause, e.g. a truncated or corrupt gzip stream), FALSE after a clean end
 * of input.  Call it when dp_line_reader_next returns NULL. */
DP_API gboolean dp_line_reader_error (DpLineReader *r, GError **error);
/** The path @r was opened with.  Returns (transfer none) a string owned by
 * @r. */
DP_API const char *dp_line_reader_path (const DpLineReader *r);
/** Closes the file and frees @r (transfer full); NULL is fine. */
DP_API void dp_line_reader_free (DpLineReader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpLineReader, dp_line_reader_free)

G_END_DECLS
