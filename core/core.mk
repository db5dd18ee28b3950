# core: libdarkpipe and the darkpipe command
libdarkpipe_la_SOURCES = \
	core/dp-batch.c \
	core/dp-table.c \
	core/dp-names.c \
	core/dp-overrides.c \
	core/dp-error.c \
	core/dp-output.c \
	core/dp-outgroup.c \
	core/dp-decode.c \
	core/dp-options.c \
	core/dp-yaml.c \
	core/dp-registry.c \
	core/dp-pipeline.c \
	core/dp-paths.c \
	core/dp-run.c \
	core/dp-summary.c \
	core/dp-ranks.c \
	core/dp-ranks-exchange.c \
	core/dp-ranks-wire.c \
	core/dp-ranks-merge.c \
	core/dp-ranks-summary.c \
	core/dp-ranks-private.h \
	core/dp-comm.c \
	core/dp-comm.h \
	core/dp-pipeline-private.h \
	core/dp-stage.c \
	core/dp-sched.c \
	core/dp-harness.c \
	core/dp-private.h \
	core/dp-yaml.h
libdarkpipe_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(ZLIB_CFLAGS) $(MPI_CFLAGS) -fvisibility=hidden -DG_LOG_DOMAIN=\"darkpipe\"
libdarkpipe_la_LIBADD = $(GLIB_LIBS) $(YAML_LIBS) $(ZLIB_LIBS) $(MPI_LIBS) -lm
libdarkpipe_la_LDFLAGS = -no-undefined -version-info 0:0:0

dpinclude_HEADERS += \
	core/darkpipe.h \
	core/dp-batch.h \
	core/dp-error.h \
	core/dp-plugin.h \
	core/dp-output.h \
	core/dp-outgroup.h \
	core/dp-hash.h \
	core/dp-decode.h \
	core/dp-harness.h \
	core/dp-options.h \
	core/dp-pipeline.h \
	core/dp-api.h

bin_PROGRAMS += darkpipe
darkpipe_SOURCES = core/darkpipe.c core/darkpipe-cli.c core/darkpipe-cli.h
darkpipe_CFLAGS = $(AM_CFLAGS) -DG_LOG_DOMAIN=\"darkpipe\"
darkpipe_LDADD = libdarkpipe.la $(GLIB_LIBS)

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = darkpipe.pc

# the bundled demo (darkpipe demo)
dist_pipeline_DATA += pipelines/demo.yaml
