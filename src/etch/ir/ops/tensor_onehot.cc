// Schema of OneHot: indices -> a new axis of `depth` entries, `on` at the
// index and `off` elsewhere. The output's shape depends on depth's value.
#include <string>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

void infer_onehot(InferContext& c) {
  const Shape& idx = c.shape(0);
  const int64_t rank = static_cast<int64_t>(idx.size()) + 1;
  const int64_t axis = normalize_axis(c.node().attr_int("axis", -1), rank, c.node());
  if (shape_numel(c.shape(1)) != 1) c.fail("depth must be a scalar, got shape " + shape_str(c.shape(1)));
  if (c.shape(2).size() != 1 || c.shape(2)[0] != 2)
    c.fail("values must be [off, on] (shape [2]), got shape " + shape_str(c.shape(2)));
  int64_t depth = -1;
  if (const Tensor* d = c.value(1)) {
    depth = static_cast<int64_t>(d->get_as_double(0));
    if (depth < 1) c.fail("depth must be >= 1, got " + std::to_string(depth));
  }
  Shape out(idx.begin(), idx.end());
  out.insert(out.begin() + axis, depth);
  c.set_output(0, c.dtype(2), out);
}

}  // namespace

ETCH_REGISTER_OP({"OneHot", "", 3, 3, 1, 1, infer_onehot});

}  // namespace etch::ir
