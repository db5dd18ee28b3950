# synth.mk: see Makefile.am
