# common.mk — code that several plugins share, as libtool convenience
# libraries: linked into each plugin that needs them, never installed, not
# part of libdarkpipe (their names do not use the library's dp_ prefix).
#   libknn   exact blocked cosine kNN (OpenBLAS sgemm when configured)
#   libtz    time zones for windows and buckets (taxonomy, darkvec corpus)
#   libeval  joins of label/cluster tables to vocabularies, key columns,
#            per-source port counts; the IPv4 prefix trie (prefix.h)
noinst_LTLIBRARIES += plugins/common/libknn.la plugins/common/libeval.la plugins/common/libtz.la
plugins_common_libknn_la_SOURCES = plugins/common/knn.c plugins/common/knn.h
plugins_common_libknn_la_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS)
plugins_common_libknn_la_LIBADD = $(BLAS_LIBS)
plugins_common_libeval_la_SOURCES = plugins/common/eval.c plugins/common/eval.h plugins/common/prefix.h
plugins_common_libeval_la_CFLAGS = $(AM_CFLAGS)
plugins_common_libtz_la_SOURCES = plugins/common/tz.c plugins/common/tz.h
plugins_common_libtz_la_CFLAGS = $(AM_CFLAGS)
