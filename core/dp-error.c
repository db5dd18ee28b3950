/* dp-error.c — error domains. */
#include "config.h"
#include "dp-error.h"

G_DEFINE_QUARK (dp-config-error-quark, dp_config_error)
G_DEFINE_QUARK (dp-plugin-error-quark, dp_plugin_error)
G_DEFINE_QUARK (dp-data-error-quark, dp_data_error)
