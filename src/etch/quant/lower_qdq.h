// QDQ graph → etch's integer ops (docs/quantization.md). Every QuantizeLinear
// ends a candidate group whose core op's quantization rule (quant_rule.h,
// rules/*.cc) decides and acts. The rules' patterns, each ending in a
// QuantizeLinear whose output the integer op then produces:
//   DQ(x), DQ(w), [DQ(b)] → Conv | Gemm(transB=1) → [Relu | Clip] → Q   ⇒ QConv | QGemm
//   DQ(a), DQ(b) → Add → [Relu | Clip] → Q                             ⇒ QAdd
//   DQ(x) → AveragePool | GlobalAveragePool → Q                        ⇒ QAveragePool
//   DQ(x) → data movement (MaxPool, Reshape, Flatten, Transpose, ...) → Q,
//           same parameters on both sides                              ⇒ the op on int8
//   DQ(x) → a lookup-table op (Sigmoid, HardSwish, ...) → Q             ⇒ QLut
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
