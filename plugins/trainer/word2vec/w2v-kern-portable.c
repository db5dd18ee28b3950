/* w2v-kern-portable.c — word2vec's kernels in the baseline instruction set
 * (SSE2 on x86-64): the copy every CPU runs, and the reference the other
 * copies are tested against. */
#include "config.h"
#include "w2v-kern-body.h"

WORD2VEC_DEFINE_KERNELS (word2vec_kernels_portable, "portable", );
