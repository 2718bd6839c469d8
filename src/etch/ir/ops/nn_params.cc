#include "etch/ir/ops/nn_params.h"

#include <cmath>

#include "etch/core/error.h"
#include "etch/ir/op_registry.h"

namespace etch::ir {

Shape ReduceSpec::out_shape(const Shape& in) const {
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d])
      out.push_back(in[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

ReduceSpec resolve_reduce(const Node& n, int64_t rank, const Tensor* axes_input) {
  ReduceSpec s;
  s.keepdims = n.attr_int("keepdims", 1) != 0;
  std::vector<int64_t> axes;
  if (n.has_input(1)) {
    if (!axes_input) {
      s.known = false;
      return s;
    }
    axes = axes_input->to_int64_vector();
  } else {
    axes = n.attr_ints("axes");
  }
  s.reduced.assign(rank, false);
  if (axes.empty()) {
    if (n.attr_int("noop_with_empty_axes", 0) == 0) s.reduced.assign(rank, true);
    return s;
  }
  for (int64_t a : axes) {
    int64_t d = normalize_axis(a, rank, n);
    ETCH_REQUIRE(!s.reduced[d], InvalidInput) << n.describe() << ": axis " << a << " is listed twice in 'axes'";
    s.reduced[d] = true;
  }
  return s;
}

PadSpec resolve_pad(const Node& n, int64_t rank, const Tensor* pads_input, const Tensor* axes_input) {
  PadSpec s;
  s.mode = n.attr_string("mode", "constant");
  ETCH_REQUIRE(s.mode == "constant" || s.mode == "reflect" || s.mode == "edge", Unsupported)
      << n.describe() << ": pad mode '" << s.mode << "' is not supported (constant, reflect, edge)";
  std::vector<int64_t> pads;
  if (n.has_input(1)) {
    if (!pads_input || (n.has_input(3) && !axes_input)) {
      s.known = false;
      return s;
    }
    pads = pads_input->to_int64_vector();
  } else {
    pads = n.attr_ints("pads");
  }
  std::vector<int64_t> axes;
  if (n.has_input(3)) {
    for (int64_t a : axes_input->to_int64_vector()) axes.push_back(normalize_axis(a, rank, n));
  } else {
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  ETCH_REQUIRE(pads.size() == 2 * axes.size(), InvalidInput)
      << n.describe() << ": pads has " << pads.size() << " values, expected " << 2 * axes.size() << " (2 × "
      << axes.size() << " axes)";
  s.begin.assign(rank, 0);
  s.end.assign(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    s.begin[axes[i]] = pads[i];
    s.end[axes[i]] = pads[i + axes.size()];
  }
  return s;
}

ResizeSpec resolve_resize(const Node& n, const Shape& in, const std::vector<const Tensor*>& inputs,
                          const std::vector<bool>& present) {
  ResizeSpec s;
  const size_t rank = in.size();
  auto has = [&](size_t i) { return i < present.size() && present[i]; };
  auto val = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
  const bool old_form = n.op_type == "Upsample" || n.inputs.size() == 2 || current_opset() < 11;
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  if (old_form) {
    if (n.op_type == "Upsample" && !n.has_input(1)) {
      scales = n.attr_floats("scales");
    } else {
      if (!val(1)) {
        s.known = false;
        return s;
      }
      scales = val(1)->to_float_vector();
    }
  } else {
    if (has(1)) {
      if (!val(1)) {
        s.known = false;
        return s;
      }
      s.roi = val(1)->to_float_vector();
    }
    if (has(3)) {
      if (!val(3)) {
        s.known = false;
        return s;
      }
      sizes = val(3)->to_int64_vector();
    } else if (has(2)) {
      if (!val(2)) {
        s.known = false;
        return s;
      }
      scales = val(2)->to_float_vector();
    } else {
      ETCH_FAIL(InvalidInput) << n.describe() << ": needs either 'scales' or 'sizes'";
    }
  }
  if (!sizes.empty()) {
    ETCH_REQUIRE(sizes.size() == rank, InvalidInput)
        << n.describe() << ": sizes has " << sizes.size() << " values, input has rank " << rank;
    for (size_t d = 0; d < rank; ++d) {
      ETCH_REQUIRE(sizes[d] >= 1, InvalidInput) << n.describe() << ": sizes must be >= 1, got " << sizes[d];
      s.scales.push_back(in[d] > 0 ? static_cast<double>(sizes[d]) / static_cast<double>(in[d]) : 1.0);
    }
    s.out = Shape(sizes.begin(), sizes.end());
  } else {
    ETCH_REQUIRE(scales.size() == rank, InvalidInput)
        << n.describe() << ": scales has " << scales.size() << " values, input has rank " << rank;
    s.scales.assign(scales.begin(), scales.end());
    const bool crop = n.attr_string("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize";
    for (size_t d = 0; d < rank; ++d) {
      ETCH_REQUIRE(scales[d] > 0, InvalidInput) << n.describe() << ": scales must be > 0, got " << scales[d];
      float extent = static_cast<float>(in[d]);
      if (crop && s.roi.size() == 2 * rank) extent *= s.roi[rank + d] - s.roi[d];
      s.out.push_back(in[d] < 0 ? -1 : static_cast<int64_t>(std::floor(extent * scales[d])));
    }
  }
  if (!s.roi.empty()) {
    ETCH_REQUIRE(s.roi.size() == 2 * rank, InvalidInput)
        << n.describe() << ": roi has " << s.roi.size() << " values, expected " << 2 * rank;
  }
  return s;
}

}  // namespace etch::ir
