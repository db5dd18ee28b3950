# pcap.mk: the pcap source, the pcap_out sink and their tests.
plugin_LTLIBRARIES += plugins/source/pcap.la
plugins_source_pcap_la_SOURCES = plugins/source/pcap.c
plugins_source_pcap_la_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
plugins_source_pcap_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_pcap_la_LIBADD = $(PLUGIN_LIBS) $(PCAP_LIBS)

plugin_LTLIBRARIES += plugins/sink/pcap_out.la
plugins_sink_pcap_out_la_SOURCES = plugins/sink/pcap_out.c
plugins_sink_pcap_out_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_pcap_out_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_pcap_out_la_LIBADD = $(PLUGIN_LIBS)

check_PROGRAMS += tests/test-decode
TESTS += tests/test-decode
tests_test_decode_SOURCES = tests/test-decode.c tests/pcap-frames.h
tests_test_decode_CFLAGS = $(TEST_CC_FLAGS)
tests_test_decode_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test-pcap
TESTS += tests/test-pcap
tests_test_pcap_SOURCES = tests/test-pcap.c tests/pcap-frames.h
tests_test_pcap_CFLAGS = $(TEST_CC_FLAGS) $(ZLIB_CFLAGS)
tests_test_pcap_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)
