/* w2v-kern-avx2.c — word2vec's kernels with AVX2 and FMA: the bodies of
 * w2v-kern-body.h compiled for them, picked at run time on CPUs that have
 * them (w2v-train.c). */
#include "config.h"
#include "w2v-kern-body.h"

#ifdef WORD2VEC_X86
WORD2VEC_DEFINE_KERNELS (word2vec_kernels_avx2, "avx2", __attribute__ ((target ("avx2,fma"))));
#endif
