# word2vec.mk — DarkVec corpus builder, word2vec trainer, word2vec file I/O,
# z-score, text corpus source, DarkVec pipelines and their tests.

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

plugin_LTLIBRARIES += plugins/sink/w2v_text.la
plugins_sink_w2v_text_la_SOURCES = plugins/sink/w2v_text.c plugins/sink/w2v-common.h
plugins_sink_w2v_text_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_w2v_text_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_w2v_text_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/sink/w2v_binary.la
plugins_sink_w2v_binary_la_SOURCES = plugins/sink/w2v_binary.c plugins/sink/w2v-common.h
plugins_sink_w2v_binary_la_CFLAGS = $(AM_CFLAGS)
plugins_sink_w2v_binary_la_LDFLAGS = $(PLUGIN_LINK)
plugins_sink_w2v_binary_la_LIBADD = $(PLUGIN_LIBS)

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

check_PROGRAMS += tests/test-darkvec-corpus tests/test-word2vec tests/test-w2v-io
TESTS += tests/test-darkvec-corpus tests/test-word2vec tests/test-w2v-io
tests_test_darkvec_corpus_SOURCES = tests/test-darkvec-corpus.c
tests_test_darkvec_corpus_CFLAGS = $(TEST_CC_FLAGS)
tests_test_darkvec_corpus_LDADD = $(TEST_LIBS)
tests_test_word2vec_SOURCES = tests/test-word2vec.c
tests_test_word2vec_CFLAGS = $(TEST_CC_FLAGS)
tests_test_word2vec_LDADD = $(TEST_LIBS)
tests_test_w2v_io_SOURCES = tests/test-w2v-io.c
tests_test_w2v_io_CFLAGS = $(TEST_CC_FLAGS)
tests_test_w2v_io_LDADD = $(TEST_LIBS)
