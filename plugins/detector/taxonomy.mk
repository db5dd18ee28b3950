# taxonomy.mk: the taxonomy detector (Liu & Fukuda darknet traffic taxonomy), its tests and pipeline
plugin_LTLIBRARIES += plugins/detector/taxonomy.la
plugins_detector_taxonomy_la_SOURCES = \
	plugins/detector/taxonomy/taxonomy.c \
	plugins/detector/taxonomy/taxonomy-close.c \
	plugins/detector/taxonomy/taxonomy-emit.c \
	plugins/detector/taxonomy/taxonomy.h
plugins_detector_taxonomy_la_CFLAGS = $(AM_CFLAGS)
plugins_detector_taxonomy_la_LDFLAGS = $(PLUGIN_LINK)
plugins_detector_taxonomy_la_LIBADD = $(PLUGIN_LIBS)

check_PROGRAMS += tests/test-taxonomy
TESTS += tests/test-taxonomy
tests_test_taxonomy_SOURCES = tests/test-taxonomy.c
tests_test_taxonomy_CFLAGS = $(TEST_CC_FLAGS)
tests_test_taxonomy_LDADD = $(TEST_LIBS)

dist_pipeline_DATA += pipelines/taxonomy.yaml
