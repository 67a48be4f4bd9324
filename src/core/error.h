// Moved to base/error.h (the layer below kernels); this name stays for the bindings.
#pragma once
#include "base/error.h"
