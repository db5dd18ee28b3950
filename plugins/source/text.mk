# text.mk: packet sources reading text (tshark_fields, darkvec_csv) and their tests
plugin_LTLIBRARIES += plugins/source/tshark_fields.la
plugins_source_tshark_fields_la_SOURCES = plugins/source/tshark_fields.c plugins/source/text-source.h
plugins_source_tshark_fields_la_CFLAGS = $(AM_CFLAGS)
plugins_source_tshark_fields_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_tshark_fields_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/source/darkvec_csv.la
plugins_source_darkvec_csv_la_SOURCES = plugins/source/darkvec_csv.c plugins/source/text-source.h
plugins_source_darkvec_csv_la_CFLAGS = $(AM_CFLAGS)
plugins_source_darkvec_csv_la_LDFLAGS = $(PLUGIN_LINK)
plugins_source_darkvec_csv_la_LIBADD = $(PLUGIN_LIBS)

check_PROGRAMS += tests/test-tshark-fields
TESTS += tests/test-tshark-fields
tests_test_tshark_fields_SOURCES = tests/test-tshark-fields.c tests/text-source-test.h
tests_test_tshark_fields_CFLAGS = $(TEST_CC_FLAGS) $(ZLIB_CFLAGS)
tests_test_tshark_fields_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/test-darkvec-csv
TESTS += tests/test-darkvec-csv
tests_test_darkvec_csv_SOURCES = tests/test-darkvec-csv.c tests/text-source-test.h
tests_test_darkvec_csv_CFLAGS = $(TEST_CC_FLAGS) $(ZLIB_CFLAGS)
tests_test_darkvec_csv_LDADD = $(TEST_LIBS) $(ZLIB_LIBS)
