# synth.mk: the synth_telescope source (tests: tests/tests.mk)
plugin_LTLIBRARIES += plugins/source/synth_telescope.la
plugins_source_synth_telescope_la_SOURCES = \
	plugins/source/synth_telescope/plugin.c \
	plugins/source/synth_telescope/catalog.c \
	plugins/source/synth_telescope/world.c \
	plugins/source/synth_telescope/generate.c \
	plugins/source/synth_telescope/synth.h
plugins_source_synth_telescope_la_CFLAGS = $(AM_CFLAGS)
plugins_source_synth_telescope_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_synth_telescope_la_LIBADD = $(PLUGIN_LIBS)
