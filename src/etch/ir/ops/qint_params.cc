#include "etch/ir/ops/qint_params.h"

#include <fmt/format.h>

#include <string>

#include "etch/core/error.h"

namespace etch::ir {
namespace {

// A zero point of an int8 tensor.
int32_t zero_point(const Node& n, const std::string& name) {
  const int64_t v = n.attr_int(name, 0);
  ETCH_REQUIRE(v >= -128 && v <= 127, InvalidInput)
      << n.describe() << ": attribute '" << name << "' = " << v << " is not an int8 zero point";
  return static_cast<int32_t>(v);
}

// `where()` names the attribute(s) the pair came from; it runs only for an
// error message (kernels parse their parameters on every call).
template <class Where>
RequantPair requant_pair(const Node& n, int64_t multiplier, int64_t shift, Where where) {
  const bool zero = multiplier == 0 && shift == 0;
  ETCH_REQUIRE(zero || (multiplier >= (int64_t{1} << 30) && multiplier < (int64_t{1} << 31)), InvalidInput)
      << n.describe() << ": " << where() << ": requantization multiplier " << multiplier
      << " is outside [2^30, 2^31) (or 0)";
  ETCH_REQUIRE(shift >= -31 && shift <= 30, InvalidInput)
      << n.describe() << ": " << where() << ": requantization shift " << shift << " is outside [-31, 30]";
  return {static_cast<int32_t>(multiplier), static_cast<int>(shift)};
}

// `<prefix>multiplier` and `<prefix>shift` (default 0: a zero multiplier).
RequantPair scalar_pair(const Node& n, const std::string& prefix) {
  const std::string m = prefix + "multiplier", s = prefix + "shift";
  return requant_pair(n, n.attr_int(m, 0), n.attr_int(s, 0), [&] { return fmt::format("attributes '{}'/'{}'", m, s); });
}

QOutput output(const Node& n) {
  QOutput y;
  y.zero_point = zero_point(n, "y_zero_point");
  const int64_t lo = n.attr_int("act_min", kDefaultActMin), hi = n.attr_int("act_max", kDefaultActMax);
  ETCH_REQUIRE(lo >= -128 && hi <= 127 && lo <= hi, InvalidInput)
      << n.describe() << ": attributes 'act_min'/'act_max': activation range [" << lo << ", " << hi
      << "] is not inside [-128, 127]";
  y.act_min = static_cast<int32_t>(lo);
  y.act_max = static_cast<int32_t>(hi);
  return y;
}

}  // namespace

QConvParams qconv_params(const Node& n, int64_t channels) {
  QConvParams p;
  p.x_zero_point = zero_point(n, "x_zero_point");
  for (const char* name : {"multipliers", "shifts"})
    ETCH_REQUIRE(n.has_attr(name), InvalidInput) << n.describe() << ": attribute '" << name << "' is required";
  const std::vector<int64_t> m = n.attr_ints("multipliers"), s = n.attr_ints("shifts");
  ETCH_REQUIRE(m.size() == s.size(), InvalidInput)
      << n.describe() << ": attributes 'multipliers' and 'shifts' differ in length (" << m.size() << " and " << s.size()
      << ")";
  ETCH_REQUIRE(m.size() == 1 || channels < 0 || static_cast<int64_t>(m.size()) == channels, InvalidInput)
      << n.describe() << ": attribute 'multipliers' has " << m.size() << " entries; expected 1 or " << channels;
  for (size_t k = 0; k < m.size(); ++k)
    p.requant.push_back(
        requant_pair(n, m[k], s[k], [k] { return fmt::format("attributes 'multipliers'/'shifts' entry {}", k); }));
  p.y = output(n);
  return p;
}

QAddParams qadd_params(const Node& n) {
  QAddParams p;
  p.a_zero_point = zero_point(n, "a_zero_point");
  p.b_zero_point = zero_point(n, "b_zero_point");
  const int64_t left = n.attr_int("left_shift", kDefaultLeftShift);
  // (q - zp) * 2^left must fit in int32: |q - zp| <= 255.
  ETCH_REQUIRE(left >= 0 && left <= 23, InvalidInput)
      << n.describe() << ": attribute 'left_shift' must be in [0, 23], got " << left;
  p.left_shift = static_cast<int>(left);
  p.a = scalar_pair(n, "a_");
  p.b = scalar_pair(n, "b_");
  p.y_requant = scalar_pair(n, "y_");
  p.y = output(n);
  return p;
}

QPoolParams qpool_params(const Node& n) {
  QPoolParams p;
  p.x_zero_point = zero_point(n, "x_zero_point");
  p.requant = scalar_pair(n, "");
  p.y = output(n);
  return p;
}

int32_t parse_zero_point(const Node& n, const std::string& name) { return zero_point(n, name); }
RequantPair parse_requant(const Node& n, const std::string& prefix) { return scalar_pair(n, prefix); }
QOutput parse_output(const Node& n) { return output(n); }

}  // namespace etch::ir
