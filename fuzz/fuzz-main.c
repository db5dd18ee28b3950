/* fuzz-main.c — libFuzzer's entry point, bound by scripts/fuzz to one
 * target with -DDP_FUZZ_ENTRY=dp_fuzz_<name>. */
#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  return DP_FUZZ_ENTRY (data, size);
}
