# transform.mk — same kind of data in and out: anonymisation (Crypto-PAn
# with OpenSSL's libcrypto; without it, configure --with-crypto=no or no
# libssl-dev, anonymize is not built and its tests skip), the z-score of
# vectors, the mean of token vectors per owner, and enrichment of
# addresses with ASN and country (pfx2as files always; MaxMind DB files with
# libmaxminddb, configure --with-maxminddb).  Their tests: tests/tests.mk.
if HAVE_CRYPTO
plugin_LTLIBRARIES += plugins/transform/anonymize.la
plugins_transform_anonymize_la_SOURCES = plugins/transform/anonymize/plugin.c plugins/transform/anonymize/ip4.c \
	plugins/transform/anonymize/keyfile.c plugins/transform/anonymize/ip6.c \
	plugins/transform/anonymize/anonymize.h
plugins_transform_anonymize_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
plugins_transform_anonymize_la_LDFLAGS = $(PLUGIN_LINK)
plugins_transform_anonymize_la_LIBADD = $(PLUGIN_LIBS) $(CRYPTO_LIBS)
endif

plugin_LTLIBRARIES += plugins/transform/zscore.la
plugins_transform_zscore_la_SOURCES = plugins/transform/zscore.c
plugins_transform_zscore_la_CFLAGS = $(AM_CFLAGS)
plugins_transform_zscore_la_LDFLAGS = $(PLUGIN_LINK)
plugins_transform_zscore_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/transform/embedding_mean.la
plugins_transform_embedding_mean_la_SOURCES = plugins/transform/embedding_mean.c
plugins_transform_embedding_mean_la_CFLAGS = $(AM_CFLAGS)
plugins_transform_embedding_mean_la_LDFLAGS = $(PLUGIN_LINK)
plugins_transform_embedding_mean_la_LIBADD = $(PLUGIN_LIBS)

plugin_LTLIBRARIES += plugins/transform/enrich.la
plugins_transform_enrich_la_SOURCES = plugins/transform/enrich/plugin.c \
	plugins/transform/enrich/pfx2as.c plugins/transform/enrich/mmdb.c plugins/transform/enrich/enrich.h
plugins_transform_enrich_la_CFLAGS = $(AM_CFLAGS) $(MAXMINDDB_CFLAGS)
plugins_transform_enrich_la_LDFLAGS = $(PLUGIN_LINK)
plugins_transform_enrich_la_LIBADD = $(PLUGIN_LIBS) $(MAXMINDDB_LIBS)
