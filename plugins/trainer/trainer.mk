# trainer.mk — what learns vectors: word2vec, and the port baseline (port
# profiles as vectors).  Their tests: tests/tests.mk.
# The hot loops want vectorised float reductions: the reassociation this
# allows changes results only between builds, never between runs.
W2V_FAST_CFLAGS = -O3 -fno-math-errno -fno-trapping-math -fassociative-math -fno-signed-zeros -ffp-contract=fast
plugin_LTLIBRARIES += plugins/trainer/word2vec.la
plugins_trainer_word2vec_la_SOURCES = \
	plugins/trainer/word2vec/word2vec.c \
	plugins/trainer/word2vec/w2v-train.c \
	plugins/trainer/word2vec/w2v-train.h \
	plugins/trainer/word2vec/w2v-kernels.h \
	plugins/trainer/word2vec/w2v-kern-body.h \
	plugins/trainer/word2vec/w2v-kern-portable.c \
	plugins/trainer/word2vec/w2v-kern-avx2.c \
	plugins/trainer/word2vec/w2v-kern-avx512.c \
	plugins/trainer/word2vec/w2v-model.c \
	plugins/trainer/word2vec/w2v-model.h \
	plugins/trainer/word2vec/w2v-sync.c \
	plugins/trainer/word2vec/w2v-sync.h \
	plugins/trainer/word2vec/w2v-tables.c \
	plugins/trainer/word2vec/w2v-tables.h \
	plugins/sink/w2v-common.h
plugins_trainer_word2vec_la_CFLAGS = $(AM_CFLAGS) $(W2V_FAST_CFLAGS) $(ZLIB_CFLAGS)
plugins_trainer_word2vec_la_LDFLAGS = $(PLUGIN_LINK)
plugins_trainer_word2vec_la_LIBADD = $(PLUGIN_LIBS) $(ZLIB_LIBS)

plugin_LTLIBRARIES += plugins/trainer/port_baseline.la
plugins_trainer_port_baseline_la_SOURCES = plugins/trainer/port_baseline.c
plugins_trainer_port_baseline_la_CFLAGS = $(AM_CFLAGS)
plugins_trainer_port_baseline_la_LDFLAGS = $(PLUGIN_LINK)
plugins_trainer_port_baseline_la_LIBADD = plugins/common/libeval.la $(PLUGIN_LIBS)
