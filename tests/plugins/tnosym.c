/* tnosym — a shared object without a darkpipe descriptor, whose
 * constructor sets TNOSYM_CONSTRUCTOR_RAN in the environment: the loader
 * must refuse it before dlopen, so that the variable stays unset. */
#include "config.h"
#include <stdlib.h>
int tnosym_something (void);
int tnosym_something (void) { return 42; }

__attribute__ ((constructor)) static void
tnosym_constructor (void)
{
  setenv ("TNOSYM_CONSTRUCTOR_RAN", "1", 1);
}
