# anonymize.mk: the anonymize plugin (Crypto-PAn with OpenSSL's libcrypto)
# and its tests.  Without libcrypto (configure --with-crypto=no, or no
# libssl-dev) the plugin is not built and its tests skip.
if HAVE_CRYPTO
plugin_LTLIBRARIES += plugins/transform/anonymize.la
plugins_transform_anonymize_la_SOURCES = plugins/transform/anonymize.c
plugins_transform_anonymize_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
plugins_transform_anonymize_la_LDFLAGS = $(PLUGIN_LINK)
plugins_transform_anonymize_la_LIBADD = $(PLUGIN_LIBS) $(CRYPTO_LIBS)
endif

check_PROGRAMS += tests/test-anonymize
TESTS += tests/test-anonymize
tests_test_anonymize_SOURCES = tests/test-anonymize.c
tests_test_anonymize_CFLAGS = $(TEST_CC_FLAGS)
tests_test_anonymize_LDADD = $(TEST_LIBS)
