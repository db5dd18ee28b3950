# sinks.mk: see Makefile.am
