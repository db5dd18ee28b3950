/* tbadsize — right ABI version, wrong descriptor size. */
#include "config.h"
#include <gmodule.h>
#include "darkpipe.h"

G_MODULE_EXPORT const DpPluginDesc *dp_plugin_tbadsize_get_desc (void);
G_MODULE_EXPORT const DpPluginDesc *
dp_plugin_tbadsize_get_desc (void)
{
  static const DpPluginDesc d = { .abi_version = DP_ABI_VERSION, .struct_size = sizeof (DpPluginDesc) - 8,
                                  .kind = DP_KIND_SINK, .name = "tbadsize", .summary = "bad" };
  return &d;
}
