# text.mk: see Makefile.am
