/* dp-outgroup.h — several output files of one stage that appear together or
 * not at all (a report page and its figures). */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include "dp-output.h"

G_BEGIN_DECLS

typedef struct _DpOutGroup DpOutGroup;

/** A new, empty group (transfer full: end it with dp_outgroup_commit or
 * dp_outgroup_abort); never NULL.  Not thread-safe: one thread fills one
 * group. */
DP_API DpOutGroup *dp_outgroup_new (void);
/** Opens @path (not NULL; copied) for writing as a member of @group (not
 * NULL), as dp_outfile_open does.  Returns the file to write with
 * dp_outfile_write() and friends (transfer none: owned by @group, never
 * commit or abort it yourself), or NULL with @error (G_FILE_ERROR, naming
 * @path; G_FILE_ERROR_EXIST when the same path is opened twice, ISDIR for a
 * directory); the group is unchanged then. */
DP_API DpOutFile *dp_outgroup_open (DpOutGroup *group, const char *path, gboolean gzip, GError **error);
/** Completes every member: each is written out and synced under a hidden
 * name beside its target first, and only when all of them succeeded are
 * they renamed into place, in the order they were opened.  On a failure
 * before that step no target is touched and the hidden files are removed.
 * (A rename within a directory does not fail for lack of space; should one
 * fail anyway, @error names it and the files renamed before it stay.)
 * A member whose target is not a regular file (a FIFO, /dev/null) is
 * written straight to it, so it is not held back.  Frees @group
 * (transfer full: gone whatever the result; not NULL).  Returns FALSE with
 * @error (G_FILE_ERROR) on any failure. */
DP_API gboolean dp_outgroup_commit (DpOutGroup *group, GError **error);
/** Removes everything @group wrote (its temp and hidden files; a member
 * written straight to a FIFO or device keeps what reached it) and frees it
 * (transfer full; no-op on NULL). */
DP_API void dp_outgroup_abort (DpOutGroup *group);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpOutGroup, dp_outgroup_abort)

G_END_DECLS
