// Typed parameters of ai.etch QMul: (a - a_zero_point) * (b - b_zero_point) in
// int32, requantized to the output with one multiplier s_a * s_b / s_y
// (TFLite's int8 MUL). Built from qint_params.h's parts.
#pragma once
#include "etch/ir/ops/qint_params.h"

namespace etch::ir {

struct QMulParams {
  int32_t a_zero_point = 0, b_zero_point = 0;
  RequantPair requant;
  QOutput y;
};

// InvalidInput naming the node and the attribute on a bad value.
QMulParams qmul_params(const Node& n);

}  // namespace etch::ir
