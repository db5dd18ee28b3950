# report.mk: the report sink (one HTML page with SVG charts) and its tests
plugin_LTLIBRARIES += plugins/sink/report.la
plugins_sink_report_la_SOURCES = plugins/sink/report/report.c plugins/sink/report/report.h \
	plugins/sink/report/svg.c plugins/sink/report/charts-taxonomy.c plugins/sink/report/charts-sources.c \
	plugins/sink/report/charts-methods.c plugins/sink/report/charts-embedding.c \
	plugins/sink/report/charts-clusters.c
plugins_sink_report_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_report_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_report_la_LIBADD = $(PLUGIN_LIBS)

check_PROGRAMS += tests/test-report
TESTS += tests/test-report tests/test-report-render.sh
tests_test_report_SOURCES = tests/test-report.c
tests_test_report_CFLAGS = $(TEST_CC_FLAGS)
tests_test_report_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/test-report-render.sh
