# sinks.mk: the generic sinks csv and jsonl and their tests
plugin_LTLIBRARIES += plugins/sink/csv.la
plugins_sink_csv_la_SOURCES = plugins/sink/csv.c plugins/sink/text-sink.h
plugins_sink_csv_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_csv_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_csv_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/jsonl.la
plugins_sink_jsonl_la_SOURCES = plugins/sink/jsonl.c plugins/sink/text-sink.h
plugins_sink_jsonl_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_jsonl_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_jsonl_la_LIBADD = $(PLUGIN_LIBS)

check_PROGRAMS += tests/test-sinks
TESTS += tests/test-sinks
tests_test_sinks_SOURCES = tests/test-sinks.c
tests_test_sinks_CFLAGS = $(TEST_CC_FLAGS) $(ZLIB_CFLAGS)
tests_test_sinks_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)

dist_pipeline_DATA += pipelines/extract-csv.yaml
