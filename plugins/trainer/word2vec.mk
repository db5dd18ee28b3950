# word2vec.mk: see Makefile.am
