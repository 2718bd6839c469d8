// Schemas of DepthToSpace and SpaceToDepth: NCHW rearrangements of channel
// blocks into spatial blocks and back (sub-pixel upsampling, space-to-batch).
#include <string>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

int64_t blocksize(InferContext& c) {
  if (!c.node().has_attr("blocksize")) c.fail("attribute 'blocksize' is required");
  const int64_t b = c.node().attr_int("blocksize", 0);
  if (b < 1) c.fail("blocksize must be >= 1, got " + std::to_string(b));
  const Shape& x = c.shape(0);
  if (x.size() != 4) c.fail("input must be 4-D (N, C, H, W), got shape " + shape_str(x));
  return b;
}

void infer_depth_to_space(InferContext& c) {
  const int64_t b = blocksize(c);
  const std::string mode = c.node().attr_string("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") c.fail("mode must be DCR or CRD, got '" + mode + "'");
  const Shape& x = c.shape(0);
  if (x[1] >= 0 && x[1] % (b * b) != 0)
    c.fail("channels " + std::to_string(x[1]) + " are not a multiple of blocksize^2 = " + std::to_string(b * b));
  auto scaled = [b](int64_t d) { return d < 0 ? d : d * b; };
  c.set_output(0, c.dtype(0), {x[0], x[1] < 0 ? -1 : x[1] / (b * b), scaled(x[2]), scaled(x[3])});
}

void infer_space_to_depth(InferContext& c) {
  const int64_t b = blocksize(c);
  const Shape& x = c.shape(0);
  for (int d = 2; d < 4; ++d)
    if (x[d] >= 0 && x[d] % b != 0)
      c.fail("spatial size " + shape_str(x) + " is not a multiple of blocksize " + std::to_string(b));
  auto shrunk = [b](int64_t d) { return d < 0 ? d : d / b; };
  c.set_output(0, c.dtype(0), {x[0], x[1] < 0 ? -1 : x[1] * b * b, shrunk(x[2]), shrunk(x[3])});
}

}  // namespace

ETCH_REGISTER_OP({"DepthToSpace", "", 1, 1, 1, 1, infer_depth_to_space});
ETCH_REGISTER_OP({"SpaceToDepth", "", 1, 1, 1, 1, infer_space_to_depth});

}  // namespace etch::ir
