// Reduction schemas: ReduceX (axes as attribute or, for ReduceSum >= 13 and all
// of them >= 18, as input 1), ArgMax, ArgMin.
#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_params.h"

namespace etch::ir {
namespace {

void infer_reduce(InferContext& c) {
  const Shape& x = c.shape(0);
  const ReduceSpec s = resolve_reduce(c.node(), static_cast<int64_t>(x.size()), c.value(1));
  if (!s.known) {
    if (s.keepdims)
      c.set_output(0, c.dtype(0), Shape(x.size(), -1));
    else
      c.set_output(0, c.dtype(0), {}, false);
    return;
  }
  c.set_output(0, c.dtype(0), s.out_shape(x));
}

void infer_arg(InferContext& c) {
  Shape x = c.shape(0);
  if (x.empty()) c.fail("input must have rank >= 1");
  const int64_t axis = normalize_axis(c.node().attr_int("axis", 0), static_cast<int64_t>(x.size()), c.node());
  if (c.node().attr_int("keepdims", 1) != 0)
    x[axis] = 1;
  else
    x.erase(x.begin() + axis);
  c.set_output(0, DType::I64, x);
}

}  // namespace

ETCH_REGISTER_OP({"ReduceMean", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceSum", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceMax", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceMin", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceProd", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceL1", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceL2", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceLogSum", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceLogSumExp", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ReduceSumSquare", "", 1, 2, 1, 1, infer_reduce});
ETCH_REGISTER_OP({"ArgMax", "", 1, 1, 1, 1, infer_arg});
ETCH_REGISTER_OP({"ArgMin", "", 1, 1, 1, 1, infer_arg});

}  // namespace etch::ir
