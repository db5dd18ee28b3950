/* test-abi — the layout of every public struct and the values of the public
 * enums, held against tests/data/abi/layout.txt: a change to either is a
 * change of the plugin ABI, which must come with a new DP_ABI_VERSION (see
 * dp-plugin.h) and a new list:
 *   tests/test-abi --write $(srcdir)/tests/data/abi/layout.txt
 * (the first line of the list is the ABI version it holds). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "darkpipe.h"
#include "dp-harness.h"
#include "dp-pipeline.h"

#define S(type) g_string_append_printf (out, "%s size %zu\n", #type, sizeof (type))
#define F(type, field) \
  g_string_append_printf (out, "%s.%s offset %zu size %zu\n", #type, #field, offsetof (type, field), \
                          sizeof (((type *) 0)->field))
#define E(value) g_string_append_printf (out, "%s = %d\n", #value, (int) (value))

static char *
layout (void)
{
  GString *out = g_string_new (NULL);
  g_string_append_printf (out, "DP_ABI_VERSION %u\n", DP_ABI_VERSION);

  S (DpPluginDesc);
  F (DpPluginDesc, abi_version); F (DpPluginDesc, struct_size); F (DpPluginDesc, kind);
  F (DpPluginDesc, name); F (DpPluginDesc, summary); F (DpPluginDesc, version); F (DpPluginDesc, doc);
  F (DpPluginDesc, inputs); F (DpPluginDesc, n_inputs); F (DpPluginDesc, outputs);
  F (DpPluginDesc, n_outputs); F (DpPluginDesc, options); F (DpPluginDesc, n_options);
  F (DpPluginDesc, config_size); F (DpPluginDesc, init); F (DpPluginDesc, run);
  F (DpPluginDesc, process); F (DpPluginDesc, finish); F (DpPluginDesc, finalize);
  F (DpPluginDesc, check); F (DpPluginDesc, flags); F (DpPluginDesc, reserved);
  S (DpPortDesc);
  F (DpPortDesc, name); F (DpPortDesc, type); F (DpPortDesc, flags); F (DpPortDesc, doc);
  F (DpPortDesc, columns); F (DpPortDesc, n_columns);
  S (DpColumnDesc);
  F (DpColumnDesc, name); F (DpColumnDesc, type); F (DpColumnDesc, flags);
  S (DpProvenance);
  F (DpProvenance, files); F (DpProvenance, origin); F (DpProvenance, first_ns); F (DpProvenance, last_ns);
  F (DpProvenance, packets);
  S (DpOptionDesc);
  F (DpOptionDesc, name); F (DpOptionDesc, type); F (DpOptionDesc, default_text);
  F (DpOptionDesc, offset); F (DpOptionDesc, flags); F (DpOptionDesc, min); F (DpOptionDesc, max);
  F (DpOptionDesc, choices); F (DpOptionDesc, doc);
  S (DpCidr);
  F (DpCidr, addr); F (DpCidr, mask); F (DpCidr, prefix);
  S (DpStageStats);
  F (DpStageStats, plugin); F (DpStageStats, kind); F (DpStageStats, rows_in);
  F (DpStageStats, rows_out); F (DpStageStats, seconds); F (DpStageStats, peak_mb);
  F (DpStageStats, finished);

  S (DpBatch);
  F (DpBatch, type); F (DpBatch, ref_count); F (DpBatch, free_func);
  S (DpPackets);
  F (DpPackets, base); F (DpPackets, n_rows); F (DpPackets, capacity); F (DpPackets, ts);
  F (DpPackets, src); F (DpPackets, dst); F (DpPackets, sport); F (DpPackets, dport);
  F (DpPackets, proto); F (DpPackets, tcp_flags); F (DpPackets, tcp_seq); F (DpPackets, ip_id);
  F (DpPackets, icmp_type); F (DpPackets, icmp_code); F (DpPackets, ttl); F (DpPackets, ip_len);
  F (DpPackets, frag); F (DpPackets, l4); F (DpPackets, tcp_win);
  F (DpPackets, tcp_optlen); F (DpPackets, names);
  S (DpColumn);
  F (DpColumn, name); F (DpColumn, type); F (DpColumn, flags); F (DpColumn, i64); F (DpColumn, data);
  F (DpColumn, nulls);
  S (DpTable);
  F (DpTable, base); F (DpTable, name); F (DpTable, n_rows); F (DpTable, n_cols);
  F (DpTable, capacity); F (DpTable, cols); F (DpTable, strings); F (DpTable, names);
  S (DpVocab);
  F (DpVocab, ref_count); F (DpVocab, n); F (DpVocab, capacity); F (DpVocab, keys);
  F (DpVocab, counts); F (DpVocab, words); F (DpVocab, names); F (DpVocab, priv);
  F (DpVocab, reserved);
  S (DpCorpus);
  F (DpCorpus, base); F (DpCorpus, vocab); F (DpCorpus, mode); F (DpCorpus, tokens);
  F (DpCorpus, n_tokens); F (DpCorpus, offsets); F (DpCorpus, n_sentences);
  F (DpCorpus, sentence_key); F (DpCorpus, sentence_time); F (DpCorpus, sentence_lang);
  F (DpCorpus, capacity_tokens); F (DpCorpus, capacity_sentences);
  S (DpEmbedding);
  F (DpEmbedding, base); F (DpEmbedding, vocab); F (DpEmbedding, n); F (DpEmbedding, dim);
  F (DpEmbedding, vectors);
  S (DpGraph);
  F (DpGraph, base); F (DpGraph, vocab); F (DpGraph, n_nodes); F (DpGraph, n_edges);
  F (DpGraph, rowptr); F (DpGraph, col); F (DpGraph, weight);
  S (DpHash);
  F (DpHash, keys); F (DpHash, vals); F (DpHash, mask); F (DpHash, n);
  S (DpDiagnostic);
  F (DpDiagnostic, file); F (DpDiagnostic, line); F (DpDiagnostic, col); F (DpDiagnostic, domain);
  F (DpDiagnostic, code); F (DpDiagnostic, message);

  E (DP_FLOW_OK); E (DP_FLOW_STOP); E (DP_FLOW_CANCELLED); E (DP_FLOW_ERROR);
  E (DP_KIND_SOURCE); E (DP_KIND_DETECTOR); E (DP_KIND_CORPUS); E (DP_KIND_TRAINER);
  E (DP_KIND_CLUSTERER); E (DP_KIND_SINK); E (DP_KIND_COUNT_);
  E (DP_PORT_OPTIONAL); E (DP_PORT_MULTI); E (DP_PLUGIN_THREADED); E (DP_COLUMN_OPTIONAL);
  E (DP_COLUMN_TIME); E (DP_COLUMN_NULLABLE);
  E (DP_OPT_BOOL); E (DP_OPT_INT); E (DP_OPT_UINT); E (DP_OPT_DOUBLE); E (DP_OPT_STRING);
  E (DP_OPT_PATH); E (DP_OPT_ENUM); E (DP_OPT_DURATION); E (DP_OPT_SIZE); E (DP_OPT_CIDR);
  E (DP_OPT_STRLIST); E (DP_OPT_TYPE_COUNT_);
  E (DP_OPT_REQUIRED); E (DP_OPT_RANGE); E (DP_OPT_INPUT); E (DP_OPT_OUTPUT); E (DP_OPT_DIR);
  E (DP_TYPE_NONE); E (DP_TYPE_PACKETS); E (DP_TYPE_TABLE); E (DP_TYPE_CORPUS);
  E (DP_TYPE_EMBEDDING); E (DP_TYPE_GRAPH); E (DP_TYPE_ANY);
  E (DP_COL_INT64); E (DP_COL_DOUBLE); E (DP_COL_IPV4); E (DP_COL_STRING);
  E (DP_TOK_IP); E (DP_TOK_PORT); E (DP_TOK_PROTO); E (DP_TOK_WORD); E (DP_TOK_LANG);
  E (DP_CORPUS_SENTENCES); E (DP_CORPUS_PAIRS);
  E (DP_DECODE_OK); E (DP_DECODE_NOT_IP); E (DP_DECODE_SHORT); E (DP_DECODE_BAD_HEADER);
  E (DP_DECODE_UNSUPPORTED_LINK);
  return g_string_free (out, FALSE);
}

static void
test_layout (void)
{
  /* the list is of an LP64 (x86-64, aarch64) build */
  if (sizeof (void *) != 8 || sizeof (long) != 8)
    {
      g_test_skip ("the committed layout is of an LP64 build");
      return;
    }
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "abi", "layout.txt", NULL);
  g_autofree char *want = NULL;
  g_assert_true (g_file_get_contents (path, &want, NULL, NULL));
  g_autofree char *got = layout ();
  if (strcmp (want, got) == 0)
    return;
  /* name the first line that differs */
  g_auto (GStrv) a = g_strsplit (want, "\n", -1), b = g_strsplit (got, "\n", -1);
  for (guint i = 0; a[i] || b[i]; i++)
    if (a[i] == NULL || b[i] == NULL || strcmp (a[i], b[i]) != 0)
      g_error ("the public ABI changed at line %u: the list says '%s', the headers '%s'; bump "
               "DP_ABI_VERSION (dp-plugin.h, configure.ac) and rewrite %s with test-abi --write",
               i + 1, a[i] ? a[i] : "(end)", b[i] ? b[i] : "(end)", path);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--write") == 0)
    {
      g_autofree char *text = layout ();
      return g_file_set_contents (argv[2], text, -1, NULL) ? 0 : 1;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/abi/layout", test_layout);
  return g_test_run ();
}
