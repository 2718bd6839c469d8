// Compiled by check_include_tree.cmake with etch_rtl's include flags: rtl/
// may use npu/ (the hardware contract) and core/, so this must compile.
#include "etch/npu/target.h"
#include "etch/rtl/generate.h"

int rtl_uses_npu();
