// Packing the groups of a grouped (e.g. depthwise) convolution onto the array.
// A weight-stationary array runs one group at a time, so a depthwise layer
// (one input and one output channel per group) uses one column and kh x kw
// rows of it. Packing g groups into one makes a dense g-in, g-out convolution
// whose weight matrix is block-diagonal (zeros between the groups): the array
// streams each pixel once for g channels instead of g times, at the price of
// multiplying zeros. The result is bit-identical (x * 0 adds nothing, and the
// padding, the zero point's bias fold and the requantization stay per output
// channel); the mapper picks g from the cost model.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/npu/target.h"

namespace etch::compiler {

// `s` with every g consecutive groups merged (g divides s.groups).
ConvSpec pack_groups(const ConvSpec& s, int64_t g);

// Packing factors worth scoring for `s` on `t`, 1 first: powers of two that
// divide the group count and keep a packed group within the array's columns.
// Just {1} for an ungrouped or sparse layer.
std::vector<int64_t> packing_factors(const ConvSpec& s, const npu::Target& t);

}  // namespace etch::compiler
