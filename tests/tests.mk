# shared test helpers and the core's own tests
check_LTLIBRARIES += libdptest.la
libdptest_la_SOURCES = tests/dp-test.c tests/dp-test.h
libdptest_la_CFLAGS = $(TEST_CC_FLAGS)
libdptest_la_LIBADD = libdarkpipe.la $(GLIB_LIBS)
