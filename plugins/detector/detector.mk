# detector.mk — the taxonomy detector (Liu & Fukuda darknet traffic
# taxonomy) and its pipeline.  Its tests: tests/tests.mk.
plugin_LTLIBRARIES += plugins/detector/taxonomy.la
plugins_detector_taxonomy_la_SOURCES = \
	plugins/detector/taxonomy/taxonomy.c \
	plugins/detector/taxonomy/taxonomy-packet.c \
	plugins/detector/taxonomy/taxonomy-table.c \
	plugins/detector/taxonomy/taxonomy-close.c \
	plugins/detector/taxonomy/taxonomy-cyclic.c \
	plugins/detector/taxonomy/taxonomy-parts.c \
	plugins/detector/taxonomy/taxonomy-emit.c \
	plugins/detector/taxonomy/taxonomy-lists.c \
	plugins/detector/taxonomy/taxonomy-state.c \
	plugins/detector/taxonomy/taxonomy.h
plugins_detector_taxonomy_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
plugins_detector_taxonomy_la_LDFLAGS = $(PLUGIN_LINK)
plugins_detector_taxonomy_la_LIBADD = plugins/common/libtz.la $(PLUGIN_LIBS) $(ZLIB_LIBS)

dist_pipeline_DATA += pipelines/taxonomy.yaml
