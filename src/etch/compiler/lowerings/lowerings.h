// One function per lowering file; lowering.cc lists them. Adding an NPU op is
// one file here and one line in that list.
#pragma once
#include <vector>

#include "etch/compiler/lowering.h"

namespace etch::compiler::lowerings {

Lowering qconv();
Lowering qgemm();
Lowering qadd();
Lowering qmul();
Lowering max_pool();
Lowering qaverage_pool();
Lowering qlut();
Lowering concat();
std::vector<Lowering> views();     // Flatten, Reshape
std::vector<Lowering> boundary();  // QuantizeLinear, DequantizeLinear

}  // namespace etch::compiler::lowerings
