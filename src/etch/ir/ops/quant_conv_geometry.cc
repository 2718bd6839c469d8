#include "etch/ir/ops/quant_conv_geometry.h"

#include <string>

#include "etch/core/error.h"

namespace etch::ir {
namespace {
std::vector<int64_t> ints_or(const Node& n, const char* name, size_t count, int64_t def) {
  std::vector<int64_t> v = n.attr_ints(name, std::vector<int64_t>(count, def));
  ETCH_REQUIRE(v.size() == count, InvalidInput)
      << n.describe() << ": attribute '" << name << "' has " << v.size() << " values, expected " << count;
  return v;
}
}  // namespace

ConvGeometry resolve_conv_geometry(const Node& n, const Shape& x, const Shape& w) {
  ETCH_REQUIRE(x.size() >= 3 && x.size() <= 5, Unsupported)
      << n.describe() << ": input X has rank " << x.size() << "; etch supports 1-D to 3-D convolution (rank 3 to 5)";
  ETCH_REQUIRE(w.size() == x.size(), InvalidInput)
      << n.describe() << ": weight W has rank " << w.size() << " but input X has rank " << x.size();
  ConvGeometry g;
  const int sr = static_cast<int>(x.size()) - 2;
  g.spatial_rank = sr;
  g.batch = x[0];
  g.in_channels = x[1];
  g.out_channels = w[0];
  g.group = n.attr_int("group", 1);
  ETCH_REQUIRE(g.group >= 1, InvalidInput) << n.describe() << ": group must be >= 1, got " << g.group;
  if (g.in_channels >= 0 && w[1] >= 0) {
    ETCH_REQUIRE(w[1] * g.group == g.in_channels, InvalidInput)
        << n.describe() << ": input X has " << g.in_channels << " channels but W expects " << w[1] << " x group "
        << g.group;
  }
  if (g.out_channels >= 0) {
    ETCH_REQUIRE(g.out_channels % g.group == 0, InvalidInput)
        << n.describe() << ": " << g.out_channels << " output channels are not divisible by group " << g.group;
  }

  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  if (n.has_attr("kernel_shape")) {
    const auto ks = ints_or(n, "kernel_shape", sr, 1);
    for (int i = 0; i < sr; ++i) {
      ETCH_REQUIRE(kernel[i] < 0 || ks[i] == kernel[i], InvalidInput)
          << n.describe() << ": kernel_shape " << shape_str(ks) << " does not match weight shape " << shape_str(w);
    }
    kernel = ks;
  }
  const auto strides = ints_or(n, "strides", sr, 1);
  const auto dilations = ints_or(n, "dilations", sr, 1);
  auto pads = ints_or(n, "pads", 2 * sr, 0);
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  ETCH_REQUIRE(auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER",
               InvalidInput)
      << n.describe() << ": unknown auto_pad '" << auto_pad << "'";

  g.output_shape = {g.batch, g.out_channels};
  for (int i = 0; i < sr; ++i) {
    const int d = 3 - sr + i;
    ETCH_REQUIRE(strides[i] >= 1 && dilations[i] >= 1 && kernel[i] >= 1, InvalidInput)
        << n.describe() << ": strides, dilations and kernel sizes must be positive";
    ETCH_REQUIRE(pads[i] >= 0 && pads[i + sr] >= 0, InvalidInput) << n.describe() << ": pads must be non-negative";
    const int64_t in = x[2 + i];
    const int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    int64_t out = -1;
    if (auto_pad == "VALID") {
      pads[i] = pads[i + sr] = 0;
      if (in >= 0) out = in >= extent ? (in - extent) / strides[i] + 1 : 0;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      if (in >= 0) {
        out = (in + strides[i] - 1) / strides[i];
        const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + extent - in);
        pads[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        pads[i + sr] = total - pads[i];
      }
    } else if (in >= 0) {
      const int64_t padded = in + pads[i] + pads[i + sr];
      ETCH_REQUIRE(padded >= extent, InvalidInput)
          << n.describe() << ": kernel extent " << extent << " exceeds padded input size " << padded
          << " in spatial dim " << i;
      out = (padded - extent) / strides[i] + 1;
    }
    g.in[d] = in;
    g.out[d] = out;
    g.kernel[d] = kernel[i];
    g.stride[d] = strides[i];
    g.dilation[d] = dilations[i];
    g.pad_begin[d] = pads[i];
    g.output_shape.push_back(out);
  }
  return g;
}

}  // namespace etch::ir
