#include "config.h"
#include "dp-private.h"
int main (void) { return 0; }
