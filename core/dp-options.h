/* dp-options.h — the one strict option parser. */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include "dp-plugin.h"

G_BEGIN_DECLS

/** Parses @text as option @opt into the field at @config + opt->offset
 * (freeing what was there).  Checks type, range and choices.
 * Errors are DP_CONFIG_ERROR_{TYPE,RANGE,CHOICE} with a message that names
 * the option and what is allowed (no position: the caller adds it). */
DP_API gboolean dp_option_parse (const DpOptionDesc *opt, const char *text, void *config, GError **error);
/** Sets a string-list option from @items. */
DP_API gboolean dp_option_set_list (const DpOptionDesc *opt, const char *const *items, void *config, GError **error);
/** Allocates a config of desc->config_size and applies every default. */
DP_API void *dp_config_new (const DpPluginDesc *desc, GError **error);
/** Frees a config and the strings/lists it owns. */
DP_API void dp_config_free (const DpPluginDesc *desc, void *config);
/** Option by name, or NULL. */
DP_API const DpOptionDesc *dp_option_find (const DpPluginDesc *desc, const char *name);
/** Closest of @candidates to @word (Levenshtein <= max(2, len/3)), or NULL. */
DP_API const char *dp_closest_word (const char *word, const char *const *candidates, guint n);
/** (transfer full) "; did you mean 'x'?" for the closest candidate, or "". */
DP_API char *dp_did_you_mean (const char *word, const char *const *candidates, guint n);
/** Formats the current value of @opt in @config as text (for docs and summaries). */
DP_API char *dp_option_format (const DpOptionDesc *opt, const void *config);
/** (transfer full) @v as an integer when it is one, else %g. */
DP_API char *dp_format_number (double v);
/** Text parsers used by the option parser, exported for plugins' own files. */
DP_API gboolean dp_parse_duration (const char *text, gint64 *ns, GError **error);
/* true/yes/on/1 and false/no/off/0, any case */
DP_API gboolean dp_parse_bool (const char *text, gboolean *v);
DP_API gboolean dp_parse_size (const char *text, guint64 *bytes, GError **error);
DP_API gboolean dp_parse_cidr (const char *text, DpCidr *cidr, GError **error);

G_END_DECLS
