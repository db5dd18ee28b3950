# pcap.mk: see Makefile.am
