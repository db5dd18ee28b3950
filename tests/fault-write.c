/* fault-write.c — an LD_PRELOAD shim for tests/test-faults.sh that makes
 * file operations fail the way a full or broken disk, or a file removed
 * under a running program, makes them fail.  Only paths containing the
 * given substring are touched, so the program's other files (stderr, the
 * plugins, its inputs) work normally.
 *
 *   DP_FAULT_WRITE_PATH=s  DP_FAULT_WRITE_AFTER=n   write()/pwrite()/pwrite64() to a file whose path
 *                          contains s fail with ENOSPC once n bytes went to such files
 *   DP_FAULT_FSYNC_PATH=s  fsync()/fdatasync() of such files fail with EIO
 *   DP_FAULT_RENAME_PATH=s rename() onto such a path fails with EIO
 *   DP_FAULT_OPEN_PATH=s   opening such a path fails with ENOENT (EACCES with
 *                          DP_FAULT_OPEN_EACCES=1) — once a path containing
 *                          DP_FAULT_OPEN_ARM has been opened (immediately when unset):
 *                          a file that vanished after the run started
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The shim's own state: one process, set once from the environment. */
static unsigned long long fault_written;
static int fault_armed;

static int
fault_fd_matches (int fd, const char *var)
{
  const char *want = getenv (var);
  if (want == NULL || *want == '\0' || fd < 0)
    return 0;
  char link[64], path[PATH_MAX];
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (link, path, sizeof path - 1);
  if (n <= 0)
    return 0;
  path[n] = '\0';
  return strstr (path, want) != NULL;
}

/* How many of @len bytes may still be written; -1 sets ENOSPC. */
static ssize_t
fault_write_budget (int fd, size_t len)
{
  if (!fault_fd_matches (fd, "DP_FAULT_WRITE_PATH"))
    return (ssize_t) len;
  const char *after = getenv ("DP_FAULT_WRITE_AFTER");
  unsigned long long limit = after ? strtoull (after, NULL, 10) : 0;
  if (fault_written >= limit)
    {
      errno = ENOSPC;
      return -1;
    }
  unsigned long long left = limit - fault_written;
  return (ssize_t) (len < left ? len : left);
}

ssize_t
write (int fd, const void *buf, size_t len)
{
  static ssize_t (*real) (int, const void *, size_t);
  if (real == NULL)
    real = (ssize_t (*) (int, const void *, size_t)) dlsym (RTLD_NEXT, "write");
  ssize_t n = fault_write_budget (fd, len);
  if (n < 0)
    return -1;
  ssize_t w = real (fd, buf, (size_t) n);
  if (w > 0 && fault_fd_matches (fd, "DP_FAULT_WRITE_PATH"))
    fault_written += (unsigned long long) w;
  return w;
}

ssize_t
pwrite (int fd, const void *buf, size_t len, off_t off)
{
  static ssize_t (*real) (int, const void *, size_t, off_t);
  if (real == NULL)
    real = (ssize_t (*) (int, const void *, size_t, off_t)) dlsym (RTLD_NEXT, "pwrite");
  ssize_t n = fault_write_budget (fd, len);
  if (n < 0)
    return -1;
  ssize_t w = real (fd, buf, (size_t) n, off);
  if (w > 0 && fault_fd_matches (fd, "DP_FAULT_WRITE_PATH"))
    fault_written += (unsigned long long) w;
  return w;
}

/* SQLite writes its database and WAL through pwrite64 */
ssize_t
pwrite64 (int fd, const void *buf, size_t len, off64_t off)
{
  static ssize_t (*real) (int, const void *, size_t, off64_t);
  if (real == NULL)
    real = (ssize_t (*) (int, const void *, size_t, off64_t)) dlsym (RTLD_NEXT, "pwrite64");
  ssize_t n = fault_write_budget (fd, len);
  if (n < 0)
    return -1;
  ssize_t w = real (fd, buf, (size_t) n, off);
  if (w > 0 && fault_fd_matches (fd, "DP_FAULT_WRITE_PATH"))
    fault_written += (unsigned long long) w;
  return w;
}

int
fsync (int fd)
{
  static int (*real) (int);
  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fsync");
  if (fault_fd_matches (fd, "DP_FAULT_FSYNC_PATH"))
    {
      errno = EIO;
      return -1;
    }
  return real (fd);
}

int
fdatasync (int fd)
{
  static int (*real) (int);
  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fdatasync");
  if (fault_fd_matches (fd, "DP_FAULT_FSYNC_PATH"))
    {
      errno = EIO;
      return -1;
    }
  return real (fd);
}

int
rename (const char *from, const char *to)
{
  static int (*real) (const char *, const char *);
  if (real == NULL)
    real = (int (*) (const char *, const char *)) dlsym (RTLD_NEXT, "rename");
  const char *want = getenv ("DP_FAULT_RENAME_PATH");
  if (want && *want && to && strstr (to, want))
    {
      errno = EIO;
      return -1;
    }
  return real (from, to);
}

/* TRUE when opening @path must fail (and sets errno). */
static int
fault_open_fails (const char *path)
{
  const char *arm = getenv ("DP_FAULT_OPEN_ARM");
  if (path && arm && *arm && strstr (path, arm))
    fault_armed = 1;
  const char *want = getenv ("DP_FAULT_OPEN_PATH");
  if (path == NULL || want == NULL || *want == '\0' || strstr (path, want) == NULL)
    return 0;
  if (arm && *arm && !fault_armed)
    return 0;
  errno = getenv ("DP_FAULT_OPEN_EACCES") ? EACCES : ENOENT;
  return 1;
}

FILE *
fopen (const char *path, const char *mode)
{
  static FILE *(*real) (const char *, const char *);
  if (real == NULL)
    real = (FILE *(*) (const char *, const char *)) dlsym (RTLD_NEXT, "fopen");
  return fault_open_fails (path) ? NULL : real (path, mode);
}

FILE *
fopen64 (const char *path, const char *mode)
{
  static FILE *(*real) (const char *, const char *);
  if (real == NULL)
    real = (FILE *(*) (const char *, const char *)) dlsym (RTLD_NEXT, "fopen64");
  return fault_open_fails (path) ? NULL : real (path, mode);
}

static int
fault_open_mode (int flags, va_list ap)
{
  return (flags & (O_CREAT | O_TMPFILE)) ? va_arg (ap, int) : 0;
}

int
open (const char *path, int flags, ...)
{
  static int (*real) (const char *, int, ...);
  if (real == NULL)
    real = (int (*) (const char *, int, ...)) dlsym (RTLD_NEXT, "open");
  va_list ap;
  va_start (ap, flags);
  int mode = fault_open_mode (flags, ap);
  va_end (ap);
  return fault_open_fails (path) ? -1 : real (path, flags, mode);
}

int
open64 (const char *path, int flags, ...)
{
  static int (*real) (const char *, int, ...);
  if (real == NULL)
    real = (int (*) (const char *, int, ...)) dlsym (RTLD_NEXT, "open64");
  va_list ap;
  va_start (ap, flags);
  int mode = fault_open_mode (flags, ap);
  va_end (ap);
  return fault_open_fails (path) ? -1 : real (path, flags, mode);
}
