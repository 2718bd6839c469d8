// Compiled by check_include_tree.cmake with etch_compiler's include flags:
// compiler/ may not use quant/ (it sits below compiler in the layering), so
// this must fail with "etch/quant/ptq.h: No such file".
#include "etch/quant/ptq.h"

int compiler_uses_quant();
