# source.mk — the sources: captures (pcap), text traces (tshark_fields,
# darkvec_csv), labels, word2vec files, text corpora, the synthetic
# telescope.  Their tests: tests/tests.mk.
plugin_LTLIBRARIES += plugins/source/pcap.la
plugins_source_pcap_la_SOURCES = plugins/source/pcap/plugin.c plugins/source/pcap/pcapng.c \
	plugins/source/pcap/live.c plugins/source/pcap/files.c plugins/source/pcap/merge.c plugins/source/pcap/pcap.h
plugins_source_pcap_la_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
plugins_source_pcap_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_pcap_la_LIBADD = $(PLUGIN_LIBS) $(PCAP_LIBS)

plugin_LTLIBRARIES += plugins/source/tshark_fields.la
plugins_source_tshark_fields_la_SOURCES = plugins/source/tshark_fields.c plugins/source/text-source.h
plugins_source_tshark_fields_la_CFLAGS = $(AM_CFLAGS)
plugins_source_tshark_fields_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_tshark_fields_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/source/darkvec_csv.la
plugins_source_darkvec_csv_la_SOURCES = plugins/source/darkvec_csv.c plugins/source/text-source.h
plugins_source_darkvec_csv_la_CFLAGS = $(AM_CFLAGS)
plugins_source_darkvec_csv_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_darkvec_csv_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/source/labels.la
plugins_source_labels_la_SOURCES = plugins/source/labels.c plugins/common/prefix.h
plugins_source_labels_la_CFLAGS = $(AM_CFLAGS)
plugins_source_labels_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_labels_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/source/w2v_file.la
plugins_source_w2v_file_la_SOURCES = plugins/source/w2v_file.c plugins/sink/w2v-common.h
plugins_source_w2v_file_la_CFLAGS = $(AM_CFLAGS)
plugins_source_w2v_file_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_w2v_file_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/source/text_corpus.la
plugins_source_text_corpus_la_SOURCES = plugins/source/text_corpus.c
plugins_source_text_corpus_la_CFLAGS = $(AM_CFLAGS)
plugins_source_text_corpus_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_text_corpus_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/source/synth_telescope.la
plugins_source_synth_telescope_la_SOURCES = \
	plugins/source/synth_telescope/plugin.c \
	plugins/source/synth_telescope/catalog.c \
	plugins/source/synth_telescope/world.c \
	plugins/source/synth_telescope/generate.c \
	plugins/source/synth_telescope/synth.h
plugins_source_synth_telescope_la_CFLAGS = $(AM_CFLAGS)
plugins_source_synth_telescope_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_synth_telescope_la_LIBADD = $(PLUGIN_LIBS)
