#include "etch/ir/attribute.h"

#include <sstream>

namespace etch::ir {

namespace {
template <typename T>
std::string list_str(const std::vector<T>& v) {
  std::ostringstream ss;
  ss << "[";
  for (size_t i = 0; i < v.size(); ++i) ss << (i ? "," : "") << v[i];
  ss << "]";
  return ss.str();
}
}  // namespace

std::string attribute_str(const Attribute& a) {
  struct V {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const {
      std::ostringstream ss;
      ss << v;
      return ss.str();
    }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const std::vector<int64_t>& v) const { return list_str(v); }
    std::string operator()(const std::vector<float>& v) const { return list_str(v); }
    std::string operator()(const std::vector<std::string>& v) const { return list_str(v); }
    std::string operator()(const Tensor& t) const {
      return std::string("tensor<") + dtype_name(t.dtype()) + shape_str(t.shape()) + ">";
    }
  };
  return std::visit(V{}, a);
}

bool attribute_equal(const Attribute& a, const Attribute& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Tensor>)
          return x.equals(y);
        else
          return x == y;
      },
      a);
}

}  // namespace etch::ir
