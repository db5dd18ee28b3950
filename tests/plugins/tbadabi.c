/* tbadabi — a plugin built for another ABI version: the loader must refuse it. */
#include "config.h"
#include <gmodule.h>
#include "darkpipe.h"

G_MODULE_EXPORT const DpPluginDesc *dp_plugin_tbadabi_get_desc (void);
G_MODULE_EXPORT const DpPluginDesc *
dp_plugin_tbadabi_get_desc (void)
{
  static const DpPluginDesc d = { .abi_version = 999, .struct_size = sizeof (DpPluginDesc),
                                  .kind = DP_KIND_SINK, .name = "tbadabi", .summary = "bad" };
  return &d;
}
