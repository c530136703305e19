// Declarations only (include/CFuzzerDriver.h); libFuzzer provides the definitions.
#include "CFuzzerDriver.h"
