/* dp-api.h — what libdarkpipe exports.
 *
 * The library is built with -fvisibility=hidden: only functions declared
 * with DP_API in the installed headers are visible to plugins and
 * programs; everything else (the scheduler, the YAML reader, the stage
 * internals) is private and may change without an ABI bump.  The list of
 * exported symbols is held by tests/test-abi.sh against
 * tests/data/abi/symbols.txt, and the layout of every public struct by
 * tests/test-abi against tests/data/abi/layout.txt. */
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define DP_API __attribute__ ((visibility ("default")))
#else
#define DP_API
#endif
