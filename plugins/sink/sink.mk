# sink.mk — what writes or shows results: csv, jsonl, sqlite, postgres, print, null, pcap_out,
# word2vec files (w2v) and the HTML report.  text-sink.h holds what csv and
# jsonl share, w2v-common.h the word2vec formats (read by w2v_file and
# word2vec too).  Their tests: tests/tests.mk.
plugin_LTLIBRARIES += plugins/sink/csv.la
plugins_sink_csv_la_SOURCES = plugins/sink/csv.c plugins/sink/text-sink.h plugins/sink/ts-format.h
plugins_sink_csv_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_csv_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_csv_la_LIBADD = $(PLUGIN_LIBS)

# the sqlite sink needs SQLite 3; without it (configure --with-sqlite=no or
# no libsqlite3-dev) it is not built and its tests skip
if HAVE_SQLITE
plugin_LTLIBRARIES += plugins/sink/sqlite.la
plugins_sink_sqlite_la_SOURCES = plugins/sink/sqlite.c plugins/sink/db-sink.h plugins/sink/ts-format.h
plugins_sink_sqlite_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
plugins_sink_sqlite_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_sqlite_la_LIBADD = plugins/sink/libdbsink.la $(PLUGIN_LIBS) $(SQLITE_LIBS)
endif

# what the database sinks share: options, names, the window transactions
noinst_LTLIBRARIES += plugins/sink/libdbsink.la
plugins_sink_libdbsink_la_SOURCES = plugins/sink/db-sink.c plugins/sink/db-sink.h
plugins_sink_libdbsink_la_CFLAGS = $(AM_CFLAGS)

# the postgres sink needs libpq; without it (configure --with-postgres=no or
# no libpq-dev) it is not built and its tests skip
if HAVE_POSTGRES
plugin_LTLIBRARIES += plugins/sink/postgres.la
plugins_sink_postgres_la_SOURCES = plugins/sink/postgres/postgres.c plugins/sink/postgres/postgres.h \
	plugins/sink/postgres/pg-table.c plugins/sink/postgres/pg-copy.c
plugins_sink_postgres_la_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS)
plugins_sink_postgres_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_postgres_la_LIBADD = plugins/sink/libdbsink.la $(PLUGIN_LIBS) $(PQ_LIBS)
endif

plugin_LTLIBRARIES += plugins/sink/jsonl.la
plugins_sink_jsonl_la_SOURCES = plugins/sink/jsonl.c plugins/sink/text-sink.h plugins/sink/ts-format.h
plugins_sink_jsonl_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_jsonl_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_jsonl_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/print.la
plugins_sink_print_la_SOURCES = plugins/sink/print.c
plugins_sink_print_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_print_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/null.la
plugins_sink_null_la_SOURCES = plugins/sink/null.c
plugins_sink_null_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_null_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/pcap_out.la
plugins_sink_pcap_out_la_SOURCES = plugins/sink/pcap_out.c
plugins_sink_pcap_out_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_pcap_out_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_pcap_out_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/w2v.la
plugins_sink_w2v_la_SOURCES = plugins/sink/w2v.c plugins/sink/w2v-common.h
plugins_sink_w2v_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_w2v_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_w2v_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/report.la
plugins_sink_report_la_SOURCES = plugins/sink/report/report.c plugins/sink/report/report.h \
	plugins/sink/report/svg.c plugins/sink/report/axis.c plugins/sink/report/charts-taxonomy.c plugins/sink/report/charts-sources.c \
	plugins/sink/report/charts-methods.c plugins/sink/report/charts-embedding.c \
	plugins/sink/report/charts-clusters.c plugins/sink/report/charts-networks.c \
	plugins/sink/report/charts-campaigns.c
plugins_sink_report_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_report_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_report_la_LIBADD = $(PLUGIN_LIBS)

dist_pipeline_DATA += pipelines/extract-csv.yaml
