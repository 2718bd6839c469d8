// Compiled by check_include_tree.cmake with etch_compiler's include flags:
// compiler/ may use npu/ (and core/, ir/), so this must compile.
#include "etch/compiler/compiler.h"
#include "etch/npu/target.h"

int compiler_uses_npu();
