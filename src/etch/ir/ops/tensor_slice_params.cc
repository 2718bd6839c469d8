#include "etch/ir/ops/tensor_slice_params.h"

#include <algorithm>
#include <set>

namespace etch::ir {

std::optional<std::vector<SliceAxis>> resolve_slice(const Node& n, const Shape& shape,
                                                    const std::vector<const Tensor*>& values) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.has_input(1) || n.has_input(2)) {
    auto get = [&](size_t i) -> const Tensor* { return i < values.size() ? values[i] : nullptr; };
    if (!n.has_input(1) || !n.has_input(2))
      ETCH_FAIL(InvalidInput) << n.describe() << ": inputs 'starts' and 'ends' are both required";
    if (!get(1) || !get(2) || (n.has_input(3) && !get(3)) || (n.has_input(4) && !get(4))) return std::nullopt;
    starts = get(1)->to_int64_vector();
    ends = get(2)->to_int64_vector();
    if (n.has_input(3)) axes = get(3)->to_int64_vector();
    if (n.has_input(4)) steps = get(4)->to_int64_vector();
  } else {
    ETCH_REQUIRE(n.has_attr("starts") && n.has_attr("ends"), InvalidInput)
        << n.describe() << ": needs 'starts' and 'ends' (attributes before opset 10, inputs after)";
    starts = n.attr_ints("starts");
    ends = n.attr_ints("ends");
    axes = n.attr_ints("axes");
  }
  ETCH_REQUIRE(starts.size() == ends.size(), InvalidInput)
      << n.describe() << ": starts has " << starts.size() << " entries but ends has " << ends.size();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  ETCH_REQUIRE(axes.size() == starts.size() && steps.size() == starts.size(), InvalidInput)
      << n.describe() << ": starts, ends, axes and steps must have the same length (" << starts.size() << ", "
      << ends.size() << ", " << axes.size() << ", " << steps.size() << ")";

  std::vector<SliceAxis> out(rank);
  for (int64_t d = 0; d < rank; ++d) out[d] = SliceAxis{0, 1, shape[d]};
  std::set<int64_t> seen;
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes[i];
    ETCH_REQUIRE(axis >= -rank && axis < rank, InvalidInput)
        << n.describe() << ": axis " << axis << " is out of range for rank " << rank;
    if (axis < 0) axis += rank;
    ETCH_REQUIRE(seen.insert(axis).second, InvalidInput) << n.describe() << ": axis " << axis << " is repeated";
    const int64_t step = steps[i];
    ETCH_REQUIRE(step != 0, InvalidInput) << n.describe() << ": step for axis " << axis << " is 0";
    const int64_t dim = shape[axis];
    if (dim < 0) {
      out[axis] = SliceAxis{0, step, -1};
      continue;
    }
    int64_t s = starts[i], e = ends[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    int64_t len;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      len = e > s ? (e - s - 1) / step + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      len = s > e ? (s - e - 1) / -std::max(step, -dim - 1) + 1 : 0;
    }
    out[axis] = SliceAxis{len > 0 ? s : 0, step, len};
  }
  return out;
}

}  // namespace etch::ir
