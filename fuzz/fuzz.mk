# fuzz.mk: fuzz targets, fault-injection tests, valgrind (see Makefile.am)
