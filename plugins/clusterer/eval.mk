# eval.mk — ground-truth labels, k-NN classification and clustering (their
# tests: tests/tests.mk).  dp-knn.c (exact blocked kNN) and dp-eval.c (joins,
# key columns, port counts) are compiled into each plugin that needs them.
EVAL_KNN = plugins/clusterer/dp-knn.c plugins/clusterer/dp-knn.h
EVAL_COMMON = plugins/clusterer/dp-eval.c plugins/clusterer/dp-eval.h plugins/common/dp-prefix.h
EVAL_CFLAGS = $(AM_CFLAGS) $(BLAS_CFLAGS)
EVAL_LIBS = $(PLUGIN_LIBS) $(BLAS_LIBS)

plugin_LTLIBRARIES += plugins/source/labels.la
plugins_source_labels_la_SOURCES = plugins/source/labels.c plugins/common/dp-prefix.h
plugins_source_labels_la_CFLAGS = $(AM_CFLAGS)
plugins_source_labels_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_labels_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/knn_classify.la
plugins_clusterer_knn_classify_la_SOURCES = plugins/clusterer/knn_classify.c $(EVAL_KNN) $(EVAL_COMMON)
plugins_clusterer_knn_classify_la_CFLAGS = $(EVAL_CFLAGS)
plugins_clusterer_knn_classify_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_knn_classify_la_LIBADD = $(EVAL_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/knn_graph.la
plugins_clusterer_knn_graph_la_SOURCES = plugins/clusterer/knn_graph.c $(EVAL_KNN) $(EVAL_COMMON)
plugins_clusterer_knn_graph_la_CFLAGS = $(EVAL_CFLAGS)
plugins_clusterer_knn_graph_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_knn_graph_la_LIBADD = $(EVAL_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/louvain.la
plugins_clusterer_louvain_la_SOURCES = plugins/clusterer/louvain.c $(EVAL_COMMON)
plugins_clusterer_louvain_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_louvain_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_louvain_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/silhouette.la
plugins_clusterer_silhouette_la_SOURCES = plugins/clusterer/silhouette.c $(EVAL_KNN) $(EVAL_COMMON)
plugins_clusterer_silhouette_la_CFLAGS = $(EVAL_CFLAGS)
plugins_clusterer_silhouette_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_silhouette_la_LIBADD = $(EVAL_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/kmeans.la
plugins_clusterer_kmeans_la_SOURCES = plugins/clusterer/kmeans.c $(EVAL_KNN) $(EVAL_COMMON)
plugins_clusterer_kmeans_la_CFLAGS = $(EVAL_CFLAGS)
plugins_clusterer_kmeans_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_kmeans_la_LIBADD = $(EVAL_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/port_baseline.la
plugins_clusterer_port_baseline_la_SOURCES = plugins/clusterer/port_baseline.c $(EVAL_COMMON)
plugins_clusterer_port_baseline_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_port_baseline_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_port_baseline_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/clusterer/cluster_profile.la
plugins_clusterer_cluster_profile_la_SOURCES = plugins/clusterer/cluster_profile.c $(EVAL_COMMON)
plugins_clusterer_cluster_profile_la_CFLAGS = $(AM_CFLAGS)
plugins_clusterer_cluster_profile_la_LDFLAGS = $(PLUGIN_LINK)
plugins_clusterer_cluster_profile_la_LIBADD = $(PLUGIN_LIBS)

dist_pipeline_DATA += pipelines/evaluate.yaml
TESTS += tests/test-eval-pipeline.sh
EXTRA_DIST += tests/test-eval-pipeline.sh
