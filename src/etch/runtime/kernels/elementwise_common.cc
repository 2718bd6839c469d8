#include "etch/runtime/kernels/elementwise_common.h"

namespace etch::runtime {

int64_t BroadcastPlan::rows() const {
  int64_t r = 1;
  for (size_t d = 0; d + 1 < dims.size(); ++d) r *= dims[d];
  return r;
}

BroadcastPlan make_broadcast_plan(const Shape& out, const std::vector<Shape>& operands) {
  const size_t rank = out.size();
  const size_t k = operands.size();
  // Full-rank strides, 0 where the operand is broadcast.
  std::vector<std::vector<int64_t>> full(k, std::vector<int64_t>(rank, 0));
  for (size_t i = 0; i < k; ++i) {
    const Shape& s = operands[i];
    ETCH_CHECK(s.size() <= rank) << "operand rank " << s.size() << " exceeds output rank " << rank;
    int64_t stride = 1;
    for (size_t j = 0; j < s.size(); ++j) {
      const size_t d = s.size() - 1 - j;
      const size_t od = rank - 1 - j;
      ETCH_CHECK(s[d] == out[od] || s[d] == 1)
          << "shape " << shape_str(s) << " does not broadcast to " << shape_str(out);
      full[i][od] = s[d] == 1 ? 0 : stride;
      stride *= s[d];
    }
  }
  BroadcastPlan p;
  p.strides.assign(k, {});
  // Drop size-1 dims, then merge a dim into the previous one when every operand
  // stays linear across the boundary.
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    bool merge = !p.dims.empty();
    for (size_t i = 0; merge && i < k; ++i) merge = p.strides[i].back() == full[i][d] * out[d];
    if (merge) {
      p.dims.back() *= out[d];
      for (size_t i = 0; i < k; ++i) p.strides[i].back() = full[i][d];
    } else {
      p.dims.push_back(out[d]);
      for (size_t i = 0; i < k; ++i) p.strides[i].push_back(full[i][d]);
    }
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    for (size_t i = 0; i < k; ++i) p.strides[i].push_back(0);
  }
  return p;
}

}  // namespace etch::runtime
