# evaluator.mk — what measures results: kNN classification against labels,
# silhouettes, cluster profiles, the side-by-side comparison; the
# evaluation and comparison pipelines.  Their tests: tests/tests.mk.
plugin_LTLIBRARIES += plugins/evaluator/knn_classify.la
plugins_evaluator_knn_classify_la_SOURCES = plugins/evaluator/knn_classify.c
plugins_evaluator_knn_classify_la_CFLAGS = $(AM_CFLAGS)
plugins_evaluator_knn_classify_la_LDFLAGS = $(PLUGIN_LINK)
plugins_evaluator_knn_classify_la_LIBADD = plugins/common/libknn.la plugins/common/libeval.la $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/evaluator/silhouette.la
plugins_evaluator_silhouette_la_SOURCES = plugins/evaluator/silhouette.c
plugins_evaluator_silhouette_la_CFLAGS = $(AM_CFLAGS)
plugins_evaluator_silhouette_la_LDFLAGS = $(PLUGIN_LINK)
plugins_evaluator_silhouette_la_LIBADD = plugins/common/libknn.la plugins/common/libeval.la $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/evaluator/cluster_profile.la
plugins_evaluator_cluster_profile_la_SOURCES = plugins/evaluator/cluster_profile.c
plugins_evaluator_cluster_profile_la_CFLAGS = $(AM_CFLAGS)
plugins_evaluator_cluster_profile_la_LDFLAGS = $(PLUGIN_LINK)
plugins_evaluator_cluster_profile_la_LIBADD = plugins/common/libeval.la $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/evaluator/compare.la
plugins_evaluator_compare_la_SOURCES = plugins/evaluator/compare.c
plugins_evaluator_compare_la_CFLAGS = $(AM_CFLAGS)
plugins_evaluator_compare_la_LDFLAGS = $(PLUGIN_LINK)
plugins_evaluator_compare_la_LIBADD = $(PLUGIN_LIBS)

dist_pipeline_DATA += pipelines/evaluate.yaml pipelines/compare.yaml

plugin_LTLIBRARIES += plugins/evaluator/track.la
plugins_evaluator_track_la_SOURCES = plugins/evaluator/track.c
plugins_evaluator_track_la_CFLAGS = $(AM_CFLAGS)
plugins_evaluator_track_la_LDFLAGS = $(PLUGIN_LINK)
plugins_evaluator_track_la_LIBADD = plugins/common/libeval.la $(PLUGIN_LIBS)
