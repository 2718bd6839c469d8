#include "etch/core/shape.h"

#include "etch/core/error.h"

namespace etch {

int64_t shape_numel(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) return -1;
  int64_t n = 1;
  for (int64_t d : s)
    ETCH_REQUIRE(!__builtin_mul_overflow(n, d, &n), InvalidInput)
        << "shape " << shape_str(s) << " has more elements than int64 holds";
  return n;
}

bool shape_is_static(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) return false;
  return true;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += s[i] < 0 ? std::string("?") : std::to_string(s[i]);
  }
  return out + "]";
}

std::vector<int64_t> shape_strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int i = static_cast<int>(s.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

}  // namespace etch
