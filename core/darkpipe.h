/* darkpipe.h — everything a plugin needs. */
#pragma once

#include <gmodule.h>
#include "dp-batch.h"
#include "dp-error.h"
#include "dp-plugin.h"
#include "dp-output.h"
#include "dp-outgroup.h"
#include "dp-hash.h"
#include "dp-decode.h"
#include "dp-options.h"
