#include "config.h"
#include "dp-private.h"
