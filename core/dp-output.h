/* dp-output.h — atomic output files: written to a temp file beside the
 * target and renamed into place only by dp_outfile_commit(), so an
 * interrupted or failed run leaves no half-written result. */
#pragma once

#include "dp-api.h"

#include <errno.h>
#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _DpOutFile DpOutFile;

/** Opens a temp file next to @path (creating parent directories).
 * @gzip compresses through zlib.  Returns NULL with @error on failure. */
DP_API DpOutFile *dp_outfile_open (const char *path, gboolean gzip, GError **error);
/** Buffered write; errors are remembered and reported by commit. */
DP_API void dp_outfile_write (DpOutFile *f, const void *data, gsize len);
DP_API void dp_outfile_puts (DpOutFile *f, const char *s);
DP_API void dp_outfile_printf (DpOutFile *f, const char *format, ...) G_GNUC_PRINTF (2, 3);
/** Bytes written so far (uncompressed). */
DP_API guint64 dp_outfile_bytes (const DpOutFile *f);
DP_API const char *dp_outfile_path (const DpOutFile *f);
/** Flushes, fsyncs, closes and renames into place; frees @f.  On any error
 * (including an earlier failed write) the temp file is removed and @error
 * names the target path. */
DP_API gboolean dp_outfile_commit (DpOutFile *f, GError **error);
/** Removes the temp file and frees @f (no-op on NULL). */
DP_API void dp_outfile_abort (DpOutFile *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpOutFile, dp_outfile_abort)

/** Opens a file for reading, transparently gunzipping when the content
 * starts with the gzip magic (never by extension).  The returned FILE*
 * is a stdio stream (fopencookie over zlib for gzip). */
DP_API FILE *dp_open_input (const char *path, gboolean *is_gzip, GError **error);
/* errno values of a read from dp_open_input's stream that stopped on a bad
 * gzip stream, after every byte that decompressed was delivered */
#define DP_EGZTRUNC ENODATA   /* the stream is cut short */
#define DP_EGZCHECK EBADMSG   /* corrupt data, or a bad CRC or length in the trailer */
/** The errno a read from @fp (a stream of dp_open_input) stopped on, or 0
 * (for a plain regular file, or before any error: use errno then).  stdio
 * keeps only ferror(), and a later call fails without setting errno. */
DP_API int dp_input_errno (FILE *fp);
/** A message for such an errno (the two above, else g_strerror). */
DP_API const char *dp_input_strerror (int errnum);

/* Line reader over dp_open_input() with line numbers for messages. */
typedef struct _DpLineReader DpLineReader;
DP_API DpLineReader *dp_line_reader_open (const char *path, GError **error);
/** Next line without its newline (and without a trailing CR), or NULL at
 * the end / on a read error (check dp_line_reader_error). The returned
 * string is valid until the next call.  *len gets its length. */
DP_API char *dp_line_reader_next (DpLineReader *r, gsize *len);
DP_API guint64 dp_line_reader_line (const DpLineReader *r);   /* 1-based number of the last line returned */
/** TRUE when reading stopped on an error (then @error is set), FALSE after a
 * clean end of input.  Call it when dp_line_reader_next returns NULL. */
DP_API gboolean dp_line_reader_error (DpLineReader *r, GError **error);
DP_API const char *dp_line_reader_path (const DpLineReader *r);
DP_API void dp_line_reader_free (DpLineReader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpLineReader, dp_line_reader_free)

G_END_DECLS
