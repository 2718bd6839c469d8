// QDQ graph → etch's integer ops (docs/quantization.md). Recognised patterns,
// each ending in a QuantizeLinear whose output the integer op then produces:
//   DQ(x), DQ(w), [DQ(b)] → Conv | Gemm(transB=1) → [Relu | Clip] → Q   ⇒ QConv | QGemm
//   DQ(a), DQ(b) → Add → [Relu | Clip] → Q                             ⇒ QAdd
//   DQ(x) → AveragePool | GlobalAveragePool → Q                        ⇒ QAveragePool
//   DQ(x) → MaxPool | Reshape | Flatten | Transpose | (Un)Squeeze | Identity → Q,
//           same parameters on both sides                              ⇒ the op on int8
//   DQ(x) → any element-wise unary function (Sigmoid, HardSwish, ...) → Q ⇒ QLut
// PTQ leaves out a Relu/Clip that its Q makes redundant (qdq_util.h
// clamp_is_redundant); the integer op then clamps to [-128, 127], the same.
// Requantization multipliers come from runtime::quantize_multiplier of the
// real ratios of the DQ/Q scales, so the integer graph and the exported QDQ
// file share every parameter. Anything else stays as it is: a float region
// between DequantizeLinear and QuantizeLinear.
#pragma once
#include "etch/ir/graph.h"

namespace etch::quant {

ir::Graph lower_qdq(const ir::Graph& qdq);

// Number of nodes of the ai.etch integer ops in g (QConv, QGemm, ...).
int count_integer_ops(const ir::Graph& g);

}  // namespace etch::quant
