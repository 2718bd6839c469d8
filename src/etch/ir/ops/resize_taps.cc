#include "etch/ir/ops/resize_taps.h"

#include <algorithm>
#include <cmath>

#include "etch/ir/op_registry.h"

namespace etch::ir {

ResizeOptions resize_options(const Node& n) {
  ResizeOptions o;
  const bool old_form = n.op_type == "Upsample" || n.inputs.size() == 2 || current_opset() < 11;
  o.mode = n.attr_string("mode", "nearest");
  if (o.mode == "bilinear") o.mode = "linear";
  o.coord = old_form ? "asymmetric" : n.attr_string("coordinate_transformation_mode", "half_pixel");
  o.nearest = old_form ? "floor" : n.attr_string("nearest_mode", "round_prefer_floor");
  o.cubic_a = n.attr_float("cubic_coeff_a", -0.75f);
  o.exclude_outside = n.attr_int("exclude_outside", 0) != 0;
  o.extrapolation = n.attr_float("extrapolation_value", 0.0f);
  static const char* coords[] = {"half_pixel", "pytorch_half_pixel",   "align_corners",
                                 "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  ETCH_REQUIRE(std::find(std::begin(coords), std::end(coords), o.coord) != std::end(coords), InvalidInput)
      << n.describe() << ": unknown coordinate_transformation_mode '" << o.coord << "'";
  static const char* nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  ETCH_REQUIRE(std::find(std::begin(nearest), std::end(nearest), o.nearest) != std::end(nearest), InvalidInput)
      << n.describe() << ": unknown nearest_mode '" << o.nearest << "'";
  ETCH_REQUIRE(o.mode == "nearest" || o.mode == "linear" || o.mode == "cubic", InvalidInput)
      << n.describe() << ": unknown mode '" << o.mode << "'";
  return o;
}

namespace {

// One axis of `in` elements resampled to `out` by `scale`; roi0/roi1 are the
// axis's tf_crop_and_resize region (0 and 1 otherwise).
ResizeTaps axis_taps(const ResizeOptions& o, int64_t in, int64_t out, double scale, double roi0, double roi1) {
  ResizeTaps t;
  const double out_width = scale * static_cast<double>(in);  // unrounded, as in the ONNX reference
  for (int64_t x = 0; x < out; ++x) {
    const double xd = static_cast<double>(x);
    double xo;
    bool extrapolate = false;
    if (o.coord == "align_corners") {
      xo = out_width == 1.0 ? 0.0 : xd * static_cast<double>(in - 1) / (out_width - 1.0);
    } else if (o.coord == "asymmetric") {
      xo = xd / scale;
    } else if (o.coord == "tf_crop_and_resize") {
      xo = out_width == 1.0 ? (roi1 - roi0) * static_cast<double>(in - 1) / 2.0
                            : xd * (roi1 - roi0) * static_cast<double>(in - 1) / (out_width - 1.0);
      xo += roi0 * static_cast<double>(in - 1);
      extrapolate = xo < 0.0 || xo > static_cast<double>(in - 1);
    } else if (o.coord == "tf_half_pixel_for_nn") {
      xo = (xd + 0.5) / scale;
    } else if (o.coord == "pytorch_half_pixel") {
      xo = out_width == 1.0 ? -0.5 : (xd + 0.5) / scale - 0.5;
    } else {
      xo = (xd + 0.5) / scale - 0.5;
    }
    t.begin.push_back(static_cast<int64_t>(t.idx.size()));
    if (extrapolate) {
      t.identity = false;
      continue;
    }
    auto clamp = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
    const double fl = std::floor(xo), r = xo - fl;
    const int64_t i0 = static_cast<int64_t>(fl);
    if (o.mode == "nearest") {
      int64_t i = i0;
      if (r > 0.0) {
        if (o.nearest == "ceil")
          i = i0 + 1;
        else if (o.nearest == "round_prefer_floor")
          i = r <= 0.5 ? i0 : i0 + 1;
        else if (o.nearest == "round_prefer_ceil")
          i = r < 0.5 ? i0 : i0 + 1;
      }
      t.idx.push_back(clamp(i));
      t.w.push_back(1.0f);
    } else if (o.mode == "linear") {
      t.idx.push_back(clamp(i0));
      t.w.push_back(static_cast<float>(1.0 - r));
      t.idx.push_back(clamp(i0 + 1));
      t.w.push_back(static_cast<float>(r));
    } else {
      const double a = o.cubic_a, s = 1.0 - r;
      double c[4] = {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a, ((a + 2) * r - (a + 3)) * r * r + 1,
                     ((a + 2) * s - (a + 3)) * s * s + 1, ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
      double total = 0.0;
      for (int k = 0; k < 4; ++k) {
        const int64_t i = i0 - 1 + k;
        if (o.exclude_outside && (i < 0 || i >= in)) c[k] = 0.0;
        total += c[k];
      }
      for (int k = 0; k < 4; ++k) {
        t.idx.push_back(clamp(i0 - 1 + k));
        t.w.push_back(static_cast<float>(o.exclude_outside ? c[k] / total : c[k]));
      }
    }
  }
  t.begin.push_back(static_cast<int64_t>(t.idx.size()));
  if (in != out) t.identity = false;
  for (int64_t x = 0; t.identity && x < out; ++x) {
    double sum = 0.0;
    for (int64_t j = t.begin[x]; j < t.begin[x + 1]; ++j) {
      if (t.w[j] != 0.0f && t.idx[j] != x) t.identity = false;
      if (t.idx[j] == x) sum += t.w[j];
    }
    if (sum != 1.0) t.identity = false;
  }
  return t;
}

}  // namespace

std::vector<ResizeTaps> resize_node_taps(const Node& n, const ResizeOptions& o, const Shape& x,
                                         const std::vector<const Tensor*>& inputs, ResizeSpec& spec) {
  std::vector<bool> present;
  for (const Tensor* t : inputs) present.push_back(t && t->numel() > 0);
  spec = resolve_resize(n, x, inputs, present);
  std::vector<ResizeTaps> taps;
  const size_t r = x.size();
  for (size_t d = 0; d < r; ++d) {
    const double roi0 = spec.roi.size() == 2 * r ? spec.roi[d] : 0.0;
    const double roi1 = spec.roi.size() == 2 * r ? spec.roi[r + d] : 1.0;
    taps.push_back(axis_taps(o, x[d], spec.out[d], spec.scales[d], roi0, roi1));
  }
  return taps;
}

}  // namespace etch::ir
