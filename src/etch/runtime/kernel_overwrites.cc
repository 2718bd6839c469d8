#include "etch/runtime/kernel_overwrites.h"

#include <set>
#include <utility>

namespace etch::runtime {
namespace {
using Key = std::pair<std::string, int>;  // (domain::op, dtype)
std::set<Key>& table() {
  static std::set<Key> t;
  return t;
}
Key key(const std::string& op, const std::string& domain, DType dtype) {
  return {(domain == "ai.onnx" ? std::string() : domain) + "::" + op, static_cast<int>(dtype)};
}
}  // namespace

void declare_overwrites_outputs(const std::string& op_type, const std::string& domain, DType dtype) {
  table().insert(key(op_type, domain, dtype));
}

bool kernel_overwrites_outputs(const std::string& op_type, const std::string& domain, DType dtype) {
  return table().count(key(op_type, domain, dtype)) != 0;
}

}  // namespace etch::runtime
