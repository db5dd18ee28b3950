# taxonomy.mk: see Makefile.am
