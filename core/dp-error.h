/* dp-error.h — GError domains and codes used across darkpipe. */
#pragma once

#include "dp-api.h"

#include <glib.h>

G_BEGIN_DECLS

#define DP_CONFIG_ERROR (dp_config_error_quark ())
#define DP_PLUGIN_ERROR (dp_plugin_error_quark ())
#define DP_DATA_ERROR (dp_data_error_quark ())
/** The GError domains of darkpipe, through the DP_*_ERROR macros above:
 * configuration (DpConfigError), plugin loading (DpPluginError) and data
 * and run time (DpDataError).  Each returns the same quark on every call.
 * Thread-safe. */
DP_API GQuark dp_config_error_quark (void);
DP_API GQuark dp_plugin_error_quark (void);
DP_API GQuark dp_data_error_quark (void);

/* DP_CONFIG_ERROR: YAML, options, wiring. */
typedef enum {
  DP_CONFIG_ERROR_SYNTAX,          /* YAML does not parse */
  DP_CONFIG_ERROR_STRUCTURE,       /* a mapping where a scalar belongs, … */
  DP_CONFIG_ERROR_UNKNOWN_KEY,     /* unknown option or key */
  DP_CONFIG_ERROR_DUPLICATE_KEY,   /* key given twice */
  DP_CONFIG_ERROR_TYPE,            /* value of the wrong type */
  DP_CONFIG_ERROR_RANGE,           /* value out of range */
  DP_CONFIG_ERROR_CHOICE,          /* not one of the choices */
  DP_CONFIG_ERROR_REQUIRED,        /* required option missing */
  DP_CONFIG_ERROR_UNKNOWN_PLUGIN,  /* no such plugin */
  DP_CONFIG_ERROR_UNKNOWN_STAGE,   /* input names no stage */
  DP_CONFIG_ERROR_UNKNOWN_PORT,    /* input names no port of that stage */
  DP_CONFIG_ERROR_PORT_TYPE,       /* batch types do not match */
  DP_CONFIG_ERROR_CYCLE,           /* the stages form a cycle */
  DP_CONFIG_ERROR_UNCONNECTED,     /* a required input has no upstream */
  DP_CONFIG_ERROR_DUPLICATE_STAGE, /* two stages with one name */
  DP_CONFIG_ERROR_MULTIPLE,        /* several of the above: see the message */
} DpConfigError;

/* DP_PLUGIN_ERROR: loading. */
typedef enum {
  DP_PLUGIN_ERROR_NOT_FOUND,
  DP_PLUGIN_ERROR_LOAD,            /* dlopen failed */
  DP_PLUGIN_ERROR_SYMBOL,          /* no dp_plugin_<name>_get_desc */
  DP_PLUGIN_ERROR_ABI,             /* abi_version or struct_size mismatch */
  DP_PLUGIN_ERROR_INVALID,         /* descriptor inconsistent (name, kind, option table) */
  DP_PLUGIN_ERROR_DUPLICATE,       /* two plugins with one name */
} DpPluginError;

/* DP_DATA_ERROR: input beyond policy (on_error: fail), runtime failures of data. */
typedef enum {
  DP_DATA_ERROR_MALFORMED,         /* bad record with on_error: fail */
  DP_DATA_ERROR_TRUNCATED,         /* input ends inside a record, with on_error: fail */
  DP_DATA_ERROR_FORMAT,            /* not a file of the expected format */
  DP_DATA_ERROR_EMPTY,             /* nothing to work on where something is needed */
  DP_DATA_ERROR_CANCELLED,         /* interrupted by a signal */
  DP_DATA_ERROR_FAILED,            /* any other runtime failure */
} DpDataError;

/** A copy of @text (transfer full) safe to print on a terminal: C0 and C1
 * control characters (ESC, CR, BEL, U+0080-U+009F …) and DEL become \xNN
 * or \u00NN, invalid UTF-8 bytes \xNN, a backslash stays itself; newlines
 * and tabs are kept when @keep_newlines, else escaped as \n and \t.  For
 * messages and cells that quote input (file names, bad lines).
 * @text (transfer none) may be NULL, which gives NULL; else the result is
 * a new string to g_free.  Thread-safe (no state). */
DP_API char *dp_escape_controls (const char *text, gboolean keep_newlines);
/** Appends @text (transfer none; NULL counts as "") to @out (not NULL) as
 * a JSON string: quoted, with '"', backslash and control characters
 * escaped; invalid UTF-8 bytes become U+FFFD, so that every reader accepts
 * it.  Thread-safe (no state). */
DP_API void dp_json_append_string (GString *out, const char *text);

G_END_DECLS
