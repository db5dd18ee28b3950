# pcap.mk: the pcap source and the pcap_out sink (tests: tests/tests.mk).
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
