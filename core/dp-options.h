/* dp-options.h — the one strict option parser.
 *
 * None of these functions keeps state: they are thread-safe, as long as two
 * threads do not change one config at once.  A config is the plugin's
 * struct of desc->config_size bytes; the strings and lists in it belong to
 * it and are freed by dp_config_free. */
#pragma once

#include "dp-api.h"

#include <glib.h>
#include "dp-plugin.h"

G_BEGIN_DECLS

/** Parses @text as option @opt into the field at @config + opt->offset
 * (freeing what was there).  Checks type, range and choices.  @opt, @text
 * (transfer none: strings are copied into the config) and @config must not
 * be NULL; a list option takes @text as comma-separated items.  Returns
 * FALSE, with the field unchanged, on errors DP_CONFIG_ERROR_{TYPE,RANGE,
 * CHOICE} with a message that names the option and what is allowed (no
 * position: the caller adds it). */
DP_API gboolean dp_option_parse (const DpOptionDesc *opt, const char *text, void *config, GError **error);
/** Sets the string-list option @opt in @config from @items, a
 * NULL-terminated array (transfer none: copied; nullable: NULL leaves the
 * list unset), freeing the old list.  FALSE with DP_CONFIG_ERROR_TYPE when
 * @opt is not a DP_OPT_STRLIST. */
DP_API gboolean dp_option_set_list (const DpOptionDesc *opt, const char *const *items, void *config, GError **error);
/** Allocates a zeroed config of desc->config_size bytes for @desc
 * (transfer none, not NULL) and applies every default.  Returns (transfer
 * full) the config, to free with dp_config_free, or NULL with @error
 * (DP_CONFIG_ERROR, "plugin NAME: bad default: …") when a default does not
 * parse. */
DP_API void *dp_config_new (const DpPluginDesc *desc, GError **error);
/** Frees @config (transfer full; NULL is fine) and the strings/lists it
 * owns, as @desc declares them. */
DP_API void dp_config_free (const DpPluginDesc *desc, void *config);
/** The option of @desc named @name (neither NULL), or NULL.  Returns
 * (transfer none) an entry of @desc's own table. */
DP_API const DpOptionDesc *dp_option_find (const DpPluginDesc *desc, const char *name);
/** Closest of the @n strings @candidates (none NULL; the array may be NULL
 * when @n is 0) to @word (Levenshtein <= max(2, len/3)), or NULL.  Returns
 * (transfer none) one of @candidates. */
DP_API const char *dp_closest_word (const char *word, const char *const *candidates, guint n);
/** (transfer full) "; did you mean 'x'?" for the closest candidate, or "",
 * as dp_closest_word finds it.  Never NULL: g_free it. */
DP_API char *dp_did_you_mean (const char *word, const char *const *candidates, guint n);
/** Formats the current value of @opt in @config (neither NULL) as text,
 * for docs and summaries: an unset string or list is "", a list is joined
 * with commas, a duration is in seconds ("90s").  Returns (transfer full)
 * a new string, never NULL. */
DP_API char *dp_option_format (const DpOptionDesc *opt, const void *config);
/** (transfer full) @v as an integer when it is one (below 1e15), else
 * %g.  Never NULL: g_free it. */
DP_API char *dp_format_number (double v);
/** Text parsers used by the option parser, exported for plugins' own
 * files.  @text and the result pointer must not be NULL; the result is set
 * only on success.  Errors carry no option name.
 * dp_parse_duration: a sum of non-negative numbers with units ns, us, ms,
 * s, m (min), h, d, w ("90s", "1h30m") into nanoseconds; FALSE with
 * DP_CONFIG_ERROR_TYPE otherwise. */
DP_API gboolean dp_parse_duration (const char *text, gint64 *ns, GError **error);
/** true/yes/on/1 and false/no/off/0, any case; FALSE (there is no error to
 * set) for anything else. */
DP_API gboolean dp_parse_bool (const char *text, gboolean *v);
/** A number of bytes with an optional binary unit (k, M, G, T, with i and
 * B allowed after it: "64M", "4KiB"); FALSE with DP_CONFIG_ERROR_TYPE
 * otherwise. */
DP_API gboolean dp_parse_size (const char *text, guint64 *bytes, GError **error);
/** An IPv4 block "a.b.c.d/len" (no "/len": /32) into @cidr, host order;
 * FALSE with DP_CONFIG_ERROR_TYPE when it is none, DP_CONFIG_ERROR_RANGE
 * when host bits are set (the message suggests the block meant). */
DP_API gboolean dp_parse_cidr (const char *text, DpCidr *cidr, GError **error);

G_END_DECLS
