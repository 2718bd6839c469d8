// Compiled by check_include_tree.cmake with etch_rtl's include flags: rtl/
// sits beside sim/ and must not use it (nor the Graph), so this must fail
// with "etch/sim/simulator.h: No such file".
#include "etch/sim/simulator.h"

int rtl_uses_sim();
