# fuzz.mk: fuzz targets, fault-injection tests, valgrind (see Makefile.am)
#
# The libFuzzer binaries are built and run by scripts/fuzz (clang, outside
# automake).  Here: the same entry functions over the saved crash inputs and
# the seed corpora, with the normal compiler, in make check.
check_PROGRAMS += tests/test-fuzz-regressions
TESTS += tests/test-fuzz-regressions
tests_test_fuzz_regressions_SOURCES = tests/test-fuzz-regressions.c \
	fuzz/fuzz.h fuzz/fuzz-common.c fuzz/fuzz-decode.c fuzz/fuzz-sources.c fuzz/fuzz-pipeline.c \
	fuzz/fuzz-options.c fuzz/fuzz-services.c fuzz/fuzz-anonymize.c fuzz/fuzz-enrich.c fuzz/fuzz-w2v-model.c
tests_test_fuzz_regressions_CFLAGS = $(TEST_CC_FLAGS) $(ZLIB_CFLAGS) -I$(top_srcdir)/fuzz
tests_test_fuzz_regressions_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)

# every error code and bad-record category is documented in docs/errors.md
TESTS += tests/test-errors-doc.sh
EXTRA_DIST += tests/test-errors-doc.sh

# fault injection: an LD_PRELOAD shim (disk full, fsync/rename failures,
# files vanishing) and the end-to-end tests that use it with signals
check_LTLIBRARIES += tests/fault-write.la
tests_fault_write_la_SOURCES = tests/fault-write.c
tests_fault_write_la_CFLAGS = $(AM_CFLAGS)
tests_fault_write_la_LDFLAGS = -module -avoid-version -shared -rpath $(abs_builddir)/tests
tests_fault_write_la_LIBADD = -ldl
TESTS += tests/test-faults.sh
EXTRA_DIST += tests/test-faults.sh

# make check under valgrind memcheck: tests/tap-run runs each test program
# through DP_TEST_WRAPPER (libtool finds the real binary behind the wrapper
# script); tests/test-faults.sh wraps the darkpipe runs that no signal times.
VALGRIND_WRAPPER = $(abs_top_builddir)/libtool --mode=execute valgrind --error-exitcode=1 \
	--leak-check=full --errors-for-leak-kinds=definite,indirect -q
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check DP_TEST_WRAPPER='$(VALGRIND_WRAPPER)' \
		G_SLICE=always-malloc G_DEBUG=gc-friendly
.PHONY: check-valgrind
