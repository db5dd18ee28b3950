/* tnosym — a shared object without a darkpipe descriptor. */
#include "config.h"
int tnosym_something (void);
int tnosym_something (void) { return 42; }
