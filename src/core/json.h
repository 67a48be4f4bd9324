// Moved to base/json.h (the layer below kernels); this name stays for the bindings.
#pragma once
#include "base/json.h"
