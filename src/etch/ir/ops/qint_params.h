// Typed parameters of etch's integer ops (domain ai.etch;
// docs/quantization.md). Each op's attributes are read, defaulted and checked
// here and nowhere else: the schema calls the parse function at verification,
// and the runtime kernels and the NPU compiler read the same struct instead of
// re-reading string attributes with their own defaults.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::ir {

// Defaults of attributes an integer op may omit.
inline constexpr int32_t kDefaultActMin = -128;  // act_min: full int8 range
inline constexpr int32_t kDefaultActMax = 127;   // act_max
inline constexpr int kDefaultLeftShift = 20;     // QAdd headroom bits (TFLite's)

// One requantization multiplier as runtime::quantize_multiplier encodes it:
// real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) and shift in
// [-31, 30], or (0, 0) for a zero multiplier.
struct RequantPair {
  int32_t multiplier = 0;
  int shift = 0;
};

// The output side every integer op shares: zero point and clamp range.
struct QOutput {
  int32_t zero_point = 0;
  int32_t act_min = kDefaultActMin, act_max = kDefaultActMax;
};

// QConv and QGemm: acc = bias + sum (x - x_zero_point) * w, requantized per
// output channel.
struct QConvParams {
  int32_t x_zero_point = 0;
  std::vector<RequantPair> requant;  // one per output channel, or one for all
  QOutput y;
  const RequantPair& channel(int64_t c) const { return requant.size() == 1 ? requant[0] : requant.at(c); }
};
using QGemmParams = QConvParams;

// QAdd: both inputs centred, shifted left by `left_shift` bits of headroom,
// rescaled to a common scale (a, b), summed and rescaled to the output (y).
struct QAddParams {
  int32_t a_zero_point = 0, b_zero_point = 0;
  int left_shift = kDefaultLeftShift;
  RequantPair a, b, y_requant;
  QOutput y;
};

// QAveragePool: the window sum of (x - x_zero_point), requantized with one
// multiplier that also divides by the kernel area. The window itself
// (kernel_shape, strides, pads) is ir::resolve_window's.
struct QPoolParams {
  int32_t x_zero_point = 0;
  RequantPair requant;
  QOutput y;
};

// Parse and validate; InvalidInput naming the node and the attribute on a
// missing or out-of-range value. `channels` is the output channel count the
// per-channel attributes must match (1 entry or `channels`), -1 if unknown.
QConvParams qconv_params(const Node& n, int64_t channels);
QAddParams qadd_params(const Node& n);
QPoolParams qpool_params(const Node& n);

// The parts the parse functions are built from, for an op that keeps its
// parameters in its own file (qint_mul.h): an int8 zero point attribute, the
// pair `<prefix>multiplier`/`<prefix>shift` (default 0: a zero multiplier),
// and the output side (y_zero_point, act_min, act_max).
int32_t parse_zero_point(const Node& n, const std::string& name);
RequantPair parse_requant(const Node& n, const std::string& prefix);
QOutput parse_output(const Node& n);

}  // namespace etch::ir
