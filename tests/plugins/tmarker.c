/* tmarker — a shared object without a darkpipe descriptor whose
 * constructor creates the file named by $TMARKER_FILE: the loader must
 * refuse it from its ELF symbol table, before dlopen, so that the file is
 * never created (tests/test-plugin-trust.sh). */
#include "config.h"
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int tmarker_something (void);
int tmarker_something (void) { return 7; }

__attribute__ ((constructor)) static void
tmarker_constructor (void)
{
  const char *path = getenv ("TMARKER_FILE");
  if (path && *path)
    {
      int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0)
        close (fd);
    }
}
