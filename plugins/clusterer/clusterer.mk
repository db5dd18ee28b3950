# clusterer.mk — what groups vectors: the kNN graph, Louvain, k-means.
# Their tests: tests/tests.mk.
plugin_LTLIBRARIES += plugins/clusterer/knn_graph.la
plugins_clusterer_knn_graph_la_SOURCES = plugins/clusterer/knn_graph.c
plugins_clusterer_knn_graph_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_knn_graph_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_knn_graph_la_LIBADD = plugins/common/libknn.la plugins/common/libeval.la $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/louvain.la
plugins_clusterer_louvain_la_SOURCES = \
	plugins/clusterer/louvain/louvain.c \
	plugins/clusterer/louvain/louvain-level.c \
	plugins/clusterer/louvain/louvain-par.c \
	plugins/clusterer/louvain/louvain.h
plugins_clusterer_louvain_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_louvain_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_louvain_la_LIBADD = plugins/common/libeval.la $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/kmeans.la
plugins_clusterer_kmeans_la_SOURCES = plugins/clusterer/kmeans.c
plugins_clusterer_kmeans_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_kmeans_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_kmeans_la_LIBADD = plugins/common/libknn.la plugins/common/libeval.la $(PLUGIN_LIBS)
