# report.mk: the report sink (see Makefile.am)
