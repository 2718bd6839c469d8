#include "etch/ir/ops/nn_window.h"

#include <algorithm>

#include "etch/core/error.h"

namespace etch::ir {
namespace {

std::vector<int64_t> per_dim(const Node& n, const char* name, int nd, int64_t def) {
  std::vector<int64_t> v = n.attr_ints(name, std::vector<int64_t>(nd, def));
  ETCH_REQUIRE(static_cast<int>(v.size()) == nd, InvalidInput)
      << n.describe() << ": attribute '" << name << "' has " << v.size() << " values, expected " << nd
      << " (one per spatial dimension)";
  for (int64_t x : v)
    ETCH_REQUIRE(x >= 1, InvalidInput) << n.describe() << ": attribute '" << name << "' must be >= 1, got " << x;
  return v;
}

void read_pads(const Node& n, Window& w) {
  std::vector<int64_t> pads = n.attr_ints("pads", std::vector<int64_t>(2 * w.nd, 0));
  ETCH_REQUIRE(static_cast<int>(pads.size()) == 2 * w.nd, InvalidInput)
      << n.describe() << ": attribute 'pads' has " << pads.size() << " values, expected " << 2 * w.nd;
  w.pad_begin.assign(pads.begin(), pads.begin() + w.nd);
  w.pad_end.assign(pads.begin() + w.nd, pads.end());
}

void init(const Node& n, Window& w, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel) {
  w.nd = static_cast<int>(in.size());
  ETCH_REQUIRE(w.nd >= 1, InvalidInput) << n.describe() << ": input needs at least one spatial dimension";
  w.in = in;
  w.kernel = kernel;
  ETCH_REQUIRE(static_cast<int>(kernel.size()) == w.nd, InvalidInput)
      << n.describe() << ": kernel has " << kernel.size() << " spatial dims, input has " << w.nd;
  for (int64_t k : kernel)
    ETCH_REQUIRE(k >= 1, InvalidInput) << n.describe() << ": kernel dims must be >= 1, got " << k;
  w.strides = per_dim(n, "strides", w.nd, 1);
  w.dilations = per_dim(n, "dilations", w.nd, 1);
  w.pad_begin.assign(w.nd, 0);
  w.pad_end.assign(w.nd, 0);
  w.out.assign(w.nd, -1);
}

}  // namespace

Window resolve_window(const Node& n, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                      bool ceil_mode) {
  Window w;
  init(n, w, in, kernel);
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (auto_pad == "NOTSET")
    read_pads(n, w);
  else
    ETCH_REQUIRE(same || auto_pad == "VALID", InvalidInput) << n.describe() << ": attribute 'auto_pad' is '" << auto_pad
                                                            << "', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID";
  for (int i = 0; i < w.nd; ++i) {
    const int64_t dk = (w.kernel[i] - 1) * w.dilations[i] + 1, s = w.strides[i];
    if (w.in[i] < 0) {
      w.out[i] = -1;
      continue;
    }
    if (same) {
      w.out[i] = (w.in[i] + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * s + dk - w.in[i]);
      const int64_t small = total / 2;
      w.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pad_end[i] = total - w.pad_begin[i];
      continue;
    }
    const int64_t span = w.in[i] + w.pad_begin[i] + w.pad_end[i] - dk;
    ETCH_REQUIRE(span >= 0, InvalidInput)
        << n.describe() << ": window of extent " << dk << " does not fit spatial dim " << i << " of size " << w.in[i]
        << " with pads " << w.pad_begin[i] << "+" << w.pad_end[i];
    if (ceil_mode) {
      w.out[i] = (span + s - 1) / s + 1;
      // A last window starting inside the end padding would see no input.
      if ((w.out[i] - 1) * s >= w.in[i] + w.pad_begin[i]) --w.out[i];
    } else {
      w.out[i] = span / s + 1;
    }
  }
  return w;
}

Window resolve_transpose_window(const Node& n, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel) {
  Window w;
  init(n, w, in, kernel);
  std::vector<int64_t> out_pad = n.attr_ints("output_padding", std::vector<int64_t>(w.nd, 0));
  ETCH_REQUIRE(static_cast<int>(out_pad.size()) == w.nd, InvalidInput)
      << n.describe() << ": attribute 'output_padding' has " << out_pad.size() << " values, expected " << w.nd;
  std::vector<int64_t> out_shape = n.attr_ints("output_shape");
  if (static_cast<int>(out_shape.size()) == w.nd + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  ETCH_REQUIRE(out_shape.empty() || static_cast<int>(out_shape.size()) == w.nd, InvalidInput)
      << n.describe() << ": attribute 'output_shape' has " << out_shape.size() << " values, expected " << w.nd;
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  ETCH_REQUIRE(same || auto_pad == "VALID" || auto_pad == "NOTSET", InvalidInput)
      << n.describe() << ": attribute 'auto_pad' is '" << auto_pad
      << "', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID";
  if (auto_pad == "NOTSET" && out_shape.empty()) read_pads(n, w);
  for (int i = 0; i < w.nd; ++i) {
    const int64_t dk = (w.kernel[i] - 1) * w.dilations[i] + 1, s = w.strides[i];
    if (w.in[i] < 0) {
      w.out[i] = out_shape.empty() ? -1 : out_shape[i];
      continue;
    }
    const int64_t full = s * (w.in[i] - 1) + out_pad[i] + dk;
    int64_t target = -1;
    if (!out_shape.empty())
      target = out_shape[i];
    else if (same)
      target = w.in[i] * s;
    if (target >= 0) {
      const int64_t total = full - target;
      if (total <= 0) {
        // Output larger than the full result: the extra rows are zeros at the end.
        w.pad_begin[i] = 0;
        w.pad_end[i] = total;
      } else {
        const int64_t small = total / 2;
        w.pad_begin[i] = auto_pad == "SAME_LOWER" ? total - small : small;
        w.pad_end[i] = total - w.pad_begin[i];
      }
      w.out[i] = target;
    } else {
      w.out[i] = full - w.pad_begin[i] - w.pad_end[i];
    }
    ETCH_REQUIRE(w.out[i] >= 1, InvalidInput)
        << n.describe() << ": output spatial dim " << i << " would be " << w.out[i];
  }
  return w;
}

}  // namespace etch::ir
