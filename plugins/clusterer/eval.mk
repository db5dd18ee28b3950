# eval.mk: see Makefile.am
