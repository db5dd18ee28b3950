# word2vec.mk — DarkVec corpus builder, word2vec trainer, word2vec file I/O,
# z-score, text corpus source and DarkVec pipelines (tests: tests/tests.mk).

plugin_LTLIBRARIES += plugins/corpus/darkvec_corpus.la
plugins_corpus_darkvec_corpus_la_SOURCES = plugins/corpus/darkvec_corpus.c
plugins_corpus_darkvec_corpus_la_CPPFLAGS = $(AM_CPPFLAGS) -DDARKVEC_SERVICES_FILE=\"$(pkgdatadir)/services.txt\"
plugins_corpus_darkvec_corpus_la_CFLAGS = $(AM_CFLAGS)
plugins_corpus_darkvec_corpus_la_LDFLAGS = $(PLUGIN_LINK)
plugins_corpus_darkvec_corpus_la_LIBADD = $(PLUGIN_LIBS)
# own directory variable: dist_pkgdata_DATA is not declared in Makefile.am,
# and '+=' on it fails while '=' could clash with another fragment
darkvecdatadir = $(pkgdatadir)
dist_darkvecdata_DATA = plugins/corpus/services.txt

# The hot loops want vectorised float reductions: the reassociation this
# allows changes results only between builds, never between runs.
W2V_FAST_CFLAGS = -O3 -fno-math-errno -fno-trapping-math -fassociative-math -fno-signed-zeros -ffp-contract=fast

plugin_LTLIBRARIES += plugins/trainer/word2vec.la
plugins_trainer_word2vec_la_SOURCES = \
	plugins/trainer/word2vec/word2vec.c \
	plugins/trainer/word2vec/w2v-train.c \
	plugins/trainer/word2vec/w2v-train.h \
	plugins/sink/w2v-common.h
plugins_trainer_word2vec_la_CFLAGS = $(AM_CFLAGS) $(W2V_FAST_CFLAGS)
plugins_trainer_word2vec_la_LDFLAGS = $(PLUGIN_LINK)
plugins_trainer_word2vec_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/trainer/zscore.la
plugins_trainer_zscore_la_SOURCES = plugins/trainer/zscore.c
plugins_trainer_zscore_la_CFLAGS = $(AM_CFLAGS)
plugins_trainer_zscore_la_LDFLAGS = $(PLUGIN_LINK)
plugins_trainer_zscore_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/w2v.la
plugins_sink_w2v_la_SOURCES = plugins/sink/w2v.c plugins/sink/w2v-common.h
plugins_sink_w2v_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_w2v_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_w2v_la_LIBADD = $(PLUGIN_LIBS)

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

dist_pipeline_DATA += pipelines/darkvec.yaml pipelines/darkvec-auto.yaml pipelines/darkvec-single.yaml
