# compare.mk: IP2VEC, DANTE, comparison (see Makefile.am)
