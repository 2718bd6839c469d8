#include "etch/runtime/feed_check.h"

#include "etch/core/error.h"

namespace etch::runtime {

void check_feed(const std::string& source, const Tensor& t, const ir::Value& v) {
  ETCH_REQUIRE(t.dtype() == v.dtype, InvalidInput)
      << source << ": holds " << dtype_name(t.dtype()) << " data but model input '" << v.name << "' expects "
      << dtype_name(v.dtype);
  for (int64_t d : t.shape())
    ETCH_REQUIRE(d > 0, InvalidInput) << source << ": shape " << shape_str(t.shape()) << " is empty; model input '"
                                      << v.name << "' needs at least one element";
  if (!v.has_shape) return;
  bool ok = t.rank() == static_cast<int>(v.shape.size());
  for (size_t d = 0; ok && d < v.shape.size(); ++d) ok = v.shape[d] < 0 || v.shape[d] == t.shape()[d];
  ETCH_REQUIRE(ok, InvalidInput) << source << ": shape " << shape_str(t.shape()) << " does not match model input '"
                                 << v.name << "' " << shape_str(v.shape) << " ('?' = any size)";
}

}  // namespace etch::runtime
