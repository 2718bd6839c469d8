// Schemas of the ops on the last two axes as a matrix: Trilu (keep a triangle)
// and EyeLike (ones on a diagonal).
#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/onnx_dtype.h"

namespace etch::ir {
namespace {

void infer_trilu(InferContext& c) {
  if (c.shape(0).size() < 2) c.fail("input must have rank >= 2, got shape " + shape_str(c.shape(0)));
  if (c.has_input(1)) {
    if (c.dtype(1) != DType::I64) c.fail(std::string("k must be int64, got ") + dtype_name(c.dtype(1)));
    if (shape_numel(c.shape(1)) != 1) c.fail("k must be a scalar, got shape " + shape_str(c.shape(1)));
  }
  c.set_output(0, c.dtype(0), c.shape(0));
}

void infer_eye_like(InferContext& c) {
  if (c.shape(0).size() != 2) c.fail("input must be 2-D, got shape " + shape_str(c.shape(0)));
  c.set_output(0, c.node().has_attr("dtype") ? dtype_attr(c, "dtype") : c.dtype(0), c.shape(0));
}

}  // namespace

ETCH_REGISTER_OP({"Trilu", "", 1, 2, 1, 1, infer_trilu});
ETCH_REGISTER_OP({"EyeLike", "", 1, 1, 1, 1, infer_eye_like});

}  // namespace etch::ir
