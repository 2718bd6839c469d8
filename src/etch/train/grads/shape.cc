// Gradients of data-movement ops: the output gradient moved back to where each
// element came from (reshapes pass it through, Concat/Split slice it, Pad/Slice
// crop or scatter it, Gather scatter-adds it).
#include <algorithm>
#include <cstring>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_params.h"
#include "etch/ir/ops/tensor_slice_params.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

// Reshape, Flatten, Squeeze, Unsqueeze: same elements, input's shape.
void reshape_grad(GradContext& c) {
  if (c.wants(0)) c.input_grads[0] = c.gout().reshaped(c.in(0).shape());
}

// Expand: broadcast in forward, so sum back.
void expand_grad(GradContext& c) {
  if (c.wants(0)) c.input_grads[0] = reduce_to_shape(c.gout(), c.in(0).shape());
}

void transpose_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  const int r = static_cast<int>(xs.size());
  std::vector<int64_t> perm = c.node.attr_ints("perm");
  if (perm.empty())
    for (int d = r - 1; d >= 0; --d) perm.push_back(d);
  // y[k-th dim] walks x's dim perm[k]: iterate dy in order, track x's offset.
  const auto xst = shape_strides(xs);
  const Shape& ys = c.gout().shape();
  std::vector<int64_t> step(r);
  for (int k = 0; k < r; ++k) step[k] = xst[perm[k]];
  Tensor dx(DType::F32, xs);
  const float* g = c.gout().data<float>();
  float* o = dx.data<float>();
  std::vector<int64_t> idx(r, 0);
  int64_t pos = 0;
  const int64_t n = c.gout().numel();
  for (int64_t i = 0; i < n; ++i) {
    o[pos] = g[i];
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[d] < ys[d]) {
        pos += step[d];
        break;
      }
      pos -= step[d] * (ys[d] - 1);
      idx[d] = 0;
    }
  }
  c.input_grads[0] = std::move(dx);
}

// Views a tensor as [outer, len(axis), inner].
struct AxisView {
  int64_t outer = 1, inner = 1;
};
AxisView axis_view(const Shape& s, int64_t axis) {
  AxisView v;
  for (int64_t d = 0; d < axis; ++d) v.outer *= s[d];
  for (size_t d = axis + 1; d < s.size(); ++d) v.inner *= s[d];
  return v;
}

void concat_grad(GradContext& c) {
  const Shape& ys = c.gout().shape();
  const int64_t axis = ir::normalize_axis(c.node.attr_int("axis", 0), static_cast<int64_t>(ys.size()), c.node);
  const AxisView v = axis_view(ys, axis);
  const int64_t ylen = ys[axis];
  const float* g = c.gout().data<float>();
  int64_t offset = 0;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    if (!c.inputs[i]) continue;
    const int64_t len = c.in(i).shape()[axis];
    if (c.wants(i)) {
      Tensor dx(DType::F32, c.in(i).shape());
      float* o = dx.data<float>();
      for (int64_t a = 0; a < v.outer; ++a)
        std::memcpy(o + a * len * v.inner, g + (a * ylen + offset) * v.inner, sizeof(float) * len * v.inner);
      c.input_grads[i] = std::move(dx);
    }
    offset += len;
  }
}

// Split: the output gradients concatenated (autodiff passes zeros for outputs
// without a gradient).
void split_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  const int64_t axis = ir::normalize_axis(c.node.attr_int("axis", 0), static_cast<int64_t>(xs.size()), c.node);
  const AxisView v = axis_view(xs, axis);
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  int64_t offset = 0;
  for (size_t k = 0; k < c.output_grads.size(); ++k) {
    const int64_t len = c.outputs[k].shape()[axis];
    const float* g = c.gout(k).data<float>();
    for (int64_t a = 0; a < v.outer; ++a)
      std::memcpy(o + (a * xs[axis] + offset) * v.inner, g + a * len * v.inner, sizeof(float) * len * v.inner);
    offset += len;
  }
  c.input_grads[0] = std::move(dx);
}

// Calls f(out_flat, in_flat) for every output element that reads an input
// element, where coord(d, o) maps output coordinate o of dim d to an input
// coordinate (or -1 when it reads none).
template <typename Coord, typename F>
void for_each_source(const Shape& out, const Shape& in, Coord&& coord, F&& f) {
  const int r = static_cast<int>(out.size());
  const auto ist = shape_strides(in);
  // Per dim, the input offset of each output coordinate (-1 when none).
  std::vector<std::vector<int64_t>> map(r);
  for (int d = 0; d < r; ++d) {
    map[d].resize(out[d]);
    for (int64_t o = 0; o < out[d]; ++o) {
      const int64_t j = coord(d, o);
      map[d][o] = j < 0 ? -1 : j * ist[d];
    }
  }
  const int64_t n = shape_numel(out);
  std::vector<int64_t> idx(r, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t pos = 0;
    bool ok = true;
    for (int d = 0; d < r && ok; ++d) {
      const int64_t m = map[d][idx[d]];
      ok = m >= 0;
      pos += m;
    }
    if (ok) f(i, pos);
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
}

void pad_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  const int64_t r = static_cast<int64_t>(xs.size());
  const ir::PadSpec p = ir::resolve_pad(c.node, r, c.node.has_input(1) ? c.inputs[1] : nullptr,
                                        c.node.has_input(3) ? c.inputs[3] : nullptr);
  const std::string& mode = p.mode;
  auto coord = [&](int d, int64_t o) -> int64_t {
    int64_t j = o - p.begin[d];
    const int64_t n = xs[d];
    if (j >= 0 && j < n) return j;
    if (mode == "edge") return j < 0 ? 0 : n - 1;
    if (mode == "reflect") {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      j %= period;
      if (j < 0) j += period;
      return j < n ? j : period - j;
    }
    return -1;
  };
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  const float* g = c.gout().data<float>();
  for_each_source(c.gout().shape(), xs, coord, [&](int64_t i, int64_t pos) { o[pos] += g[i]; });
  c.input_grads[0] = std::move(dx);
}

void slice_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  auto axes = ir::resolve_slice(c.node, xs, c.inputs);
  ETCH_CHECK(axes.has_value()) << c.node.describe() << ": slice parameters unknown in backward";
  auto coord = [&](int d, int64_t o) -> int64_t { return (*axes)[d].start + o * (*axes)[d].step; };
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  const float* g = c.gout().data<float>();
  for_each_source(c.gout().shape(), xs, coord, [&](int64_t i, int64_t pos) { o[pos] += g[i]; });
  c.input_grads[0] = std::move(dx);
}

void gather_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  const int64_t axis = ir::normalize_axis(c.node.attr_int("axis", 0), static_cast<int64_t>(xs.size()), c.node);
  const AxisView v = axis_view(xs, axis);
  const std::vector<int64_t> idx = c.in(1).to_int64_vector();
  const int64_t len = xs[axis], ni = static_cast<int64_t>(idx.size());
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  const float* g = c.gout().data<float>();
  for (int64_t a = 0; a < v.outer; ++a)
    for (int64_t j = 0; j < ni; ++j) {
      const int64_t k = idx[j] < 0 ? idx[j] + len : idx[j];
      ETCH_CHECK(k >= 0 && k < len) << c.node.describe() << ": index " << idx[j] << " out of range";
      float* dst = o + (a * len + k) * v.inner;
      const float* src = g + (a * ni + j) * v.inner;
      for (int64_t i = 0; i < v.inner; ++i) dst[i] += src[i];
    }
  c.input_grads[0] = std::move(dx);
}

}  // namespace

ETCH_REGISTER_GRAD("Reshape", {reshape_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Flatten", {reshape_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Squeeze", {reshape_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Unsqueeze", {reshape_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Expand", {expand_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Transpose", {transpose_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Concat", {concat_grad, nullptr, first_n(256)});
ETCH_REGISTER_GRAD("Split", {split_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Pad", {pad_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Slice", {slice_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Gather", {gather_grad, nullptr, {0}});

}  // namespace etch::train::grads
