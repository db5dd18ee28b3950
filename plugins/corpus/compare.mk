# compare.mk: IP2VEC, DANTE, comparison (see Makefile.am)
# IP2VEC and DANTE corpus builders, the per-owner mean of token vectors, the
# side-by-side comparison stage and their pipelines (tests: tests/tests.mk).
# corpus-common.h: header-only helpers of the three corpus builders
# (darkvec_corpus, in word2vec.mk, includes it too).
EXTRA_DIST += plugins/corpus/corpus-common.h

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

plugin_LTLIBRARIES += plugins/trainer/embedding_mean.la
plugins_trainer_embedding_mean_la_SOURCES = plugins/trainer/embedding_mean.c
plugins_trainer_embedding_mean_la_CFLAGS = $(AM_CFLAGS)
plugins_trainer_embedding_mean_la_LDFLAGS = $(PLUGIN_LINK)
plugins_trainer_embedding_mean_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/compare.la
plugins_clusterer_compare_la_SOURCES = plugins/clusterer/compare.c
plugins_clusterer_compare_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_compare_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_compare_la_LIBADD = $(PLUGIN_LIBS)

dist_pipeline_DATA += pipelines/ip2vec.yaml pipelines/dante.yaml pipelines/compare.yaml
