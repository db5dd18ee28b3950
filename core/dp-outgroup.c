/* dp-outgroup.c — outputs of one stage that appear together.
 *
 * Each member is a DpOutFile aimed at a hidden staging name beside its
 * target (".NAME.staged-PID-N"); dp_outgroup_commit commits them all (the
 * step that can meet a full disk), then renames the staged files onto the
 * targets (a step that needs no space). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "dp-outgroup.h"
#include "dp-private.h"

typedef struct {
  char *target;
  char *staged;     /* NULL when written straight to the target */
  DpOutFile *file;  /* until committed */
  gboolean done;    /* staged file complete */
  int staged_slot;  /* the staged name in the sweep list (dp-private.h), or -1 */
} Member;

struct _DpOutGroup {
  GArray *members;  /* Member */
};

static void
member_clear (Member *m)
{
  if (m->file)
    dp_outfile_abort (m->file);
  else if (m->done && m->staged)
    g_unlink (m->staged);
  dp_output_temp_release (m->staged_slot);
  g_free (m->target);
  g_free (m->staged);
}

/* @err with the staging name replaced by the target's: the user knows the
 * file by its own name */
static GError *
name_target (GError *err, const Member *m)
{
  if (m->staged && err)
    {
      GString *msg = g_string_new (err->message);
      g_string_replace (msg, m->staged, m->target, 0);
      g_free (err->message);
      err->message = g_string_free (msg, FALSE);
    }
  return err;
}

DpOutGroup *
dp_outgroup_new (void)
{
  DpOutGroup *g = g_new0 (DpOutGroup, 1);
  g->members = g_array_new (FALSE, TRUE, sizeof (Member));
  return g;
}

DpOutFile *
dp_outgroup_open (DpOutGroup *group, const char *path, gboolean gzip, GError **error)
{
  for (guint i = 0; i < group->members->len; i++)
    if (g_strcmp0 (g_array_index (group->members, Member, i).target, path) == 0)
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "%s: opened twice in one output group", path);
        return NULL;
      }
  Member m = { 0 };
  m.staged_slot = -1;
  m.target = g_strdup (path);
  struct stat st;
  gboolean exists = stat (path, &st) == 0;
  if (exists && S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: is a directory, not a file to write", path);
      g_free (m.target);
      return NULL;
    }
  if (exists && !S_ISREG (st.st_mode))
    m.file = dp_outfile_open (path, gzip, error);
  else
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);
      m.staged = g_strdup_printf ("%s/.%s.staged-%d-%u", dir, base, (int) getpid (), group->members->len);
      m.staged_slot = dp_output_temp_hold (m.staged);
      GError *err = NULL;
      m.file = dp_outfile_open (m.staged, gzip, &err);
      if (m.file == NULL)
        g_propagate_error (error, name_target (err, &m));
    }
  if (m.file == NULL)
    {
      member_clear (&m);
      return NULL;
    }
  g_array_append_val (group->members, m);
  return m.file;
}

gboolean
dp_outgroup_commit (DpOutGroup *group, GError **error)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < group->members->len && ok; i++)
    {
      Member *m = &g_array_index (group->members, Member, i);
      GError *err = NULL;
      ok = dp_outfile_commit (g_steal_pointer (&m->file), &err);
      if (ok)
        m->done = TRUE;
      else
        {
          g_propagate_error (error, name_target (err, m));
          if (m->staged == NULL)
            m->done = FALSE;
        }
    }
  for (guint i = 0; i < group->members->len && ok; i++)
    {
      Member *m = &g_array_index (group->members, Member, i);
      if (m->staged == NULL)
        continue;
      if (g_rename (m->staged, m->target) != 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       "%s: cannot rename into place: %s (%u of %u files of this output were renamed)",
                       m->target, g_strerror (e), i, group->members->len);
          ok = FALSE;
          break;
        }
      m->done = FALSE;   /* nothing left to remove */
    }
  dp_outgroup_abort (group);
  return ok;
}

void
dp_outgroup_abort (DpOutGroup *group)
{
  if (group == NULL)
    return;
  for (guint i = 0; i < group->members->len; i++)
    member_clear (&g_array_index (group->members, Member, i));
  g_array_unref (group->members);
  g_free (group);
}
