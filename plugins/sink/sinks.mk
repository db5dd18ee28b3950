# sinks.mk: the generic sinks csv and jsonl (tests: tests/tests.mk)
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

dist_pipeline_DATA += pipelines/extract-csv.yaml
