// Normalization and softmax-family schemas: BatchNormalization (inference),
// InstanceNormalization, LayerNormalization, Softmax, LogSoftmax, Hardmax.
#include <string>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

void check_channel_vector(InferContext& c, size_t i, const char* what, int64_t channels) {
  const Shape& s = c.shape(i);
  if (s.size() != 1 || (channels >= 0 && s[0] >= 0 && s[0] != channels))
    c.fail(std::string(what) + " has shape " + shape_str(s) + ", expected [" +
           (channels < 0 ? std::string("C") : std::to_string(channels)) + "]");
}

void infer_batchnorm(InferContext& c) {
  if (c.node().attr_int("training_mode", 0) != 0)
    ETCH_FAIL(Unsupported) << c.node().describe() << ": training_mode=1 is not supported (inference only)";
  const Shape& x = c.shape(0);
  if (x.size() < 2) c.fail("input must have rank >= 2 (N, C, ...), got shape " + shape_str(x));
  const char* names[] = {"", "scale", "bias", "mean", "var"};
  for (size_t i = 1; i < 5; ++i) check_channel_vector(c, i, names[i], x[1]);
  c.set_output(0, c.dtype(0), x);
  // Old opsets allowed the running statistics as extra outputs; in inference
  // mode they are the given ones.
  for (size_t i = 1; i < c.num_outputs(); ++i) c.set_output(i, c.dtype(0), {x[1]});
}

void infer_instancenorm(InferContext& c) {
  const Shape& x = c.shape(0);
  if (x.size() < 3) c.fail("input must have rank >= 3 (N, C, spatial...), got shape " + shape_str(x));
  check_channel_vector(c, 1, "scale", x[1]);
  check_channel_vector(c, 2, "bias", x[1]);
  c.set_output(0, c.dtype(0), x);
}

// Scale and B broadcast (right-aligned) to the normalized shape x[axis:];
// Mean and InvStdDev keep x's leading axes and put 1 in the normalized ones.
void infer_layernorm(InferContext& c) {
  const Shape& x = c.shape(0);
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t axis = normalize_axis(c.node().attr_int("axis", -1), rank, c.node());
  if (c.node().attr_int("stash_type", 1) != 1)
    ETCH_FAIL(Unsupported) << c.node().describe() << ": stash_type other than 1 (float) is not supported";
  const Shape normalized(x.begin() + axis, x.end());
  for (size_t i = 1; i < 3; ++i) {
    if (!c.has_input(i)) continue;
    const Shape& s = c.shape(i);
    bool ok = s.size() <= normalized.size();
    for (size_t d = 0; ok && d < s.size(); ++d) {
      const int64_t want = normalized[normalized.size() - s.size() + d];
      ok = s[d] == 1 || s[d] < 0 || want < 0 || s[d] == want;
    }
    if (!ok)
      c.fail(std::string(i == 1 ? "scale" : "bias") + " has shape " + shape_str(s) +
             ", which does not broadcast to the normalized shape " + shape_str(normalized));
  }
  c.set_output(0, c.dtype(0), x);
  Shape stats(x.begin(), x.begin() + axis);
  stats.resize(rank, 1);
  for (size_t i = 1; i < c.num_outputs(); ++i) c.set_output(i, DType::F32, stats);
}

void infer_softmax(InferContext& c) {
  const int64_t def = current_opset() >= 13 ? -1 : 1;
  normalize_axis(c.node().attr_int("axis", def), static_cast<int64_t>(c.shape(0).size()), c.node());
  infer_same_as_input0(c);
}

}  // namespace

ETCH_REGISTER_OP({"BatchNormalization", "", 5, 5, 1, 5, infer_batchnorm, OpTrait::kChannelAffine});
ETCH_REGISTER_OP({"InstanceNormalization", "", 3, 3, 1, 1, infer_instancenorm});
ETCH_REGISTER_OP({"LayerNormalization", "", 2, 3, 1, 3, infer_layernorm});
ETCH_REGISTER_OP({"Softmax", "", 1, 1, 1, 1, infer_softmax, OpTrait::kUnitIntervalOutput});
ETCH_REGISTER_OP({"LogSoftmax", "", 1, 1, 1, 1, infer_softmax});
ETCH_REGISTER_OP({"Hardmax", "", 1, 1, 1, 1, infer_softmax});

}  // namespace etch::ir
