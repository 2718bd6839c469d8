// Pooling schemas: MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, LRN.
#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_window.h"

namespace etch::ir {
namespace {

void infer_pool(InferContext& c) {
  const Shape& x = c.shape(0);
  if (x.size() < 3) c.fail("input must have rank >= 3 (N, C, spatial...), got shape " + shape_str(x));
  if (!c.node().has_attr("kernel_shape")) c.fail("attribute 'kernel_shape' is required");
  std::vector<int64_t> in(x.begin() + 2, x.end());
  const bool ceil_mode = c.node().attr_int("ceil_mode", 0) != 0;
  Window w = resolve_window(c.node(), in, c.node().attr_ints("kernel_shape"), ceil_mode);
  Shape out{x[0], x[1]};
  out.insert(out.end(), w.out.begin(), w.out.end());
  c.set_output(0, c.dtype(0), out);
  if (c.num_outputs() > 1) c.set_output(1, DType::I64, out);
}

void infer_global_pool(InferContext& c) {
  const Shape& x = c.shape(0);
  if (x.size() < 3) c.fail("input must have rank >= 3 (N, C, spatial...), got shape " + shape_str(x));
  Shape out(x.size(), 1);
  out[0] = x[0];
  out[1] = x[1];
  c.set_output(0, c.dtype(0), out);
}

void infer_lrn(InferContext& c) {
  if (c.shape(0).size() < 3) c.fail("input must have rank >= 3, got shape " + shape_str(c.shape(0)));
  if (c.node().attr_int("size", 0) < 1) c.fail("attribute 'size' is required and must be >= 1");
  infer_same_as_input0(c);
}

}  // namespace

ETCH_REGISTER_OP({"MaxPool", "", 1, 1, 1, 2, infer_pool, OpTrait::kPool | OpTrait::kDataMovement});
ETCH_REGISTER_OP({"AveragePool", "", 1, 1, 1, 1, infer_pool, OpTrait::kPool});
ETCH_REGISTER_OP({"GlobalAveragePool", "", 1, 1, 1, 1, infer_global_pool, OpTrait::kPool});
ETCH_REGISTER_OP({"GlobalMaxPool", "", 1, 1, 1, 1, infer_global_pool, OpTrait::kPool});
ETCH_REGISTER_OP({"LRN", "", 1, 1, 1, 1, infer_lrn});

}  // namespace etch::ir
