// Pad, Resize and Upsample schemas.
#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_params.h"

namespace etch::ir {
namespace {

void infer_pad(InferContext& c) {
  const Shape& x = c.shape(0);
  const int64_t rank = static_cast<int64_t>(x.size());
  const PadSpec s = resolve_pad(c.node(), rank, c.value(1), c.value(3));
  if (!s.known) {
    c.set_output(0, c.dtype(0), Shape(x.size(), -1));
    return;
  }
  Shape out(x.size());
  for (size_t d = 0; d < x.size(); ++d) {
    out[d] = x[d] < 0 ? -1 : x[d] + s.begin[d] + s.end[d];
    if (out[d] == 0 && x[d] > 0 && s.mode != "constant") c.fail("pads remove all of dim " + std::to_string(d));
    if (x[d] >= 0 && out[d] < 0) c.fail("pads make dim " + std::to_string(d) + " negative");
    if (s.mode == "reflect" && x[d] >= 0 && (s.begin[d] >= x[d] || s.end[d] >= x[d]) &&
        (s.begin[d] > 0 || s.end[d] > 0))
      c.fail("reflect pads must be smaller than the padded dim " + std::to_string(d) + " (size " +
             std::to_string(x[d]) + ")");
  }
  c.set_output(0, c.dtype(0), out);
}

void infer_resize(InferContext& c) {
  const Shape& x = c.shape(0);
  std::vector<const Tensor*> vals;
  std::vector<bool> present;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    vals.push_back(c.value(i));
    bool p = c.has_input(i);
    if (p) {
      const Shape& s = c.shape(i);
      p = !(s.size() == 1 && s[0] == 0);
    }
    present.push_back(p);
  }
  const std::string mode = c.node().attr_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic" && mode != "bilinear")
    c.fail("mode '" + mode + "' is not one of nearest, linear, cubic");
  const ResizeSpec s = resolve_resize(c.node(), x, vals, present);
  if (!s.known) {
    c.set_output(0, c.dtype(0), Shape(x.size(), -1));
    return;
  }
  c.set_output(0, c.dtype(0), s.out);
}

}  // namespace

ETCH_REGISTER_OP({"Pad", "", 1, 4, 1, 1, infer_pad});
ETCH_REGISTER_OP({"Resize", "", 2, 4, 1, 1, infer_resize});
ETCH_REGISTER_OP({"Upsample", "", 1, 2, 1, 1, infer_resize});

}  // namespace etch::ir
