# corpus.mk — packets to word2vec sentences: DarkVec (with its service
# map), IP2VEC and DANTE, and their pipelines.  corpus-common.h holds the
# header-only helpers of the three.  Their tests: tests/tests.mk.
EXTRA_DIST += plugins/corpus/corpus-common.h

plugin_LTLIBRARIES += plugins/corpus/darkvec_corpus.la
plugins_corpus_darkvec_corpus_la_SOURCES = plugins/corpus/darkvec_corpus/plugin.c plugins/corpus/darkvec_corpus/services.c \
	plugins/corpus/darkvec_corpus/state.c plugins/corpus/darkvec_corpus/darkvec.h
plugins_corpus_darkvec_corpus_la_CPPFLAGS = $(AM_CPPFLAGS) -DDARKVEC_SERVICES_FILE=\"$(pkgdatadir)/services.txt\"
plugins_corpus_darkvec_corpus_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
plugins_corpus_darkvec_corpus_la_LDFLAGS = $(PLUGIN_LINK)
plugins_corpus_darkvec_corpus_la_LIBADD = plugins/common/libtz.la $(PLUGIN_LIBS) $(ZLIB_LIBS)
# own directory variable: dist_pkgdata_DATA is not declared in Makefile.am,
# and '+=' on it fails while '=' could clash with another fragment
darkvecdatadir = $(pkgdatadir)
dist_darkvecdata_DATA = plugins/corpus/services.txt

plugin_LTLIBRARIES += plugins/corpus/ip2vec_corpus.la
plugins_corpus_ip2vec_corpus_la_SOURCES = plugins/corpus/ip2vec_corpus.c
plugins_corpus_ip2vec_corpus_la_CFLAGS = $(AM_CFLAGS)
plugins_corpus_ip2vec_corpus_la_LDFLAGS = $(PLUGIN_LINK)
plugins_corpus_ip2vec_corpus_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/corpus/dante_corpus.la
plugins_corpus_dante_corpus_la_SOURCES = plugins/corpus/dante_corpus.c
plugins_corpus_dante_corpus_la_CFLAGS = $(AM_CFLAGS)
plugins_corpus_dante_corpus_la_LDFLAGS = $(PLUGIN_LINK)
plugins_corpus_dante_corpus_la_LIBADD = $(PLUGIN_LIBS)

dist_pipeline_DATA += pipelines/darkvec.yaml pipelines/darkvec-auto.yaml pipelines/darkvec-single.yaml pipelines/darkvec-daily.yaml \
	pipelines/ip2vec.yaml pipelines/dante.yaml
