#include "etch/runtime/kernel_registry.h"

#include <map>

namespace etch::runtime {
namespace {
using Key = std::pair<std::string, int>;  // (domain::op, dtype or -1)
std::map<Key, KernelFn>& table() {
  static std::map<Key, KernelFn> t;
  return t;
}
std::string op_key(const std::string& op, const std::string& domain) {
  return (domain == "ai.onnx" ? std::string() : domain) + "::" + op;
}
}  // namespace

const Tensor& KernelContext::input(size_t i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but missing");
  return *inputs_[i];
}

void KernelContext::fail(const std::string& msg) const { ETCH_FAIL(InvalidInput) << node_.describe() << ": " << msg; }

void register_kernel(const std::string& op_type, const std::string& domain, std::optional<DType> dtype, KernelFn fn) {
  table()[{op_key(op_type, domain), dtype ? static_cast<int>(*dtype) : -1}] = fn;
}

KernelFn find_kernel(const std::string& op_type, const std::string& domain, DType dtype) {
  auto& t = table();
  auto it = t.find({op_key(op_type, domain), static_cast<int>(dtype)});
  if (it != t.end()) return it->second;
  it = t.find({op_key(op_type, domain), -1});
  return it == t.end() ? nullptr : it->second;
}

bool has_any_kernel(const std::string& op_type, const std::string& domain) {
  const std::string k = op_key(op_type, domain);
  for (const auto& [key, fn] : table())
    if (key.first == k) return true;
  return false;
}

std::vector<std::string> registered_kernels() {
  std::vector<std::string> out;
  for (const auto& [key, fn] : table()) {
    const std::string& k = key.first;  // "domain::op"
    const size_t sep = k.find("::");
    const std::string name = sep == 0 ? k.substr(2) : k.substr(0, sep) + "." + k.substr(sep + 2);
    if (out.empty() || out.back() != name) out.push_back(name);
  }
  return out;
}

}  // namespace etch::runtime
