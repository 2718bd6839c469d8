// Schema of ai.etch QMul, the integer form of a Mul of two int8 activations
// with numpy broadcasting (e.g. squeeze-and-excitation's per-channel scale):
// (a - a_zp) * (b - b_zp) in int32, requantized to the output with one
// multiplier (qint_mul.h; docs/quantization.md).
#include "etch/ir/ops/qint_mul.h"

#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"

namespace etch::ir {

QMulParams qmul_params(const Node& n) {
  QMulParams p;
  p.a_zero_point = parse_zero_point(n, "a_zero_point");
  p.b_zero_point = parse_zero_point(n, "b_zero_point");
  p.requant = parse_requant(n, "");
  p.y = parse_output(n);
  return p;
}

namespace {

void infer_qmul(InferContext& c) {
  for (size_t i : {size_t{0}, size_t{1}})
    if (c.dtype(i) != DType::I8)
      c.fail(std::string(i == 0 ? "input a" : "input b") + " must be " + dtype_name(DType::I8) + ", got " +
             dtype_name(c.dtype(i)));
  qmul_params(c.node());
  c.set_output(0, DType::I8, broadcast_shapes(c.shape(0), c.shape(1)));
}

}  // namespace

ETCH_REGISTER_OP({"QMul", kEtchDomain, 2, 2, 1, 1, infer_qmul, OpTrait::kIntegerOp});

}  // namespace etch::ir
