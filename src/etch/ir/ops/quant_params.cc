#include "etch/ir/ops/quant_params.h"

#include "etch/core/error.h"
#include "etch/ir/op_registry.h"

namespace etch::ir {

int64_t resolve_quant_axis(const Node& n, const Shape& x, const Shape& scale, const Shape* zero_point) {
  if (zero_point) {
    const bool same = *zero_point == scale || (shape_numel(*zero_point) == 1 && shape_numel(scale) == 1);
    ETCH_REQUIRE(same, InvalidInput) << n.describe() << ": zero point shape " << shape_str(*zero_point)
                                     << " differs from scale shape " << shape_str(scale);
  }
  ETCH_REQUIRE(scale.size() <= 1, InvalidInput)
      << n.describe() << ": scale must be a scalar or 1-D, got shape " << shape_str(scale);
  if (scale.empty() || scale[0] == 1) return -1;
  const int64_t axis = normalize_axis(n.attr_int("axis", 1), static_cast<int64_t>(x.size()), n);
  ETCH_REQUIRE(x.size() > 0 && (x[axis] < 0 || scale[0] < 0 || x[axis] == scale[0]), InvalidInput)
      << n.describe() << ": scale has " << scale[0] << " values but input has " << (x.empty() ? int64_t{0} : x[axis])
      << " along axis " << axis;
  return axis;
}

}  // namespace etch::ir
