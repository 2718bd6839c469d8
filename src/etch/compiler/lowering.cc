#include "etch/compiler/lowering.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "etch/core/error.h"

namespace etch::compiler {
namespace {

// Filled during static initialization, read only after it.
std::vector<Lowering>& registered() {
  static std::vector<Lowering> entries;
  return entries;
}

const std::map<std::pair<std::string, std::string>, const Lowering*>& by_op() {
  static const std::map<std::pair<std::string, std::string>, const Lowering*> index = [] {
    std::map<std::pair<std::string, std::string>, const Lowering*> m;
    for (const Lowering& l : all_lowerings()) {
      ETCH_CHECK(l.reason_for_host) << "lowering of " << l.op_type << " does not answer placement";
      ETCH_CHECK(m.emplace(std::make_pair(l.domain, l.op_type), &l).second)
          << "two lowerings registered for " << l.op_type;
    }
    return m;
  }();
  return index;
}

}  // namespace

void register_lowering(Lowering l) { registered().push_back(std::move(l)); }

const std::vector<Lowering>& all_lowerings() {
  static const std::vector<Lowering> all = [] {
    std::vector<Lowering> sorted = registered();
    std::sort(sorted.begin(), sorted.end(), [](const Lowering& a, const Lowering& b) {
      return std::tie(a.domain, a.op_type) < std::tie(b.domain, b.op_type);
    });
    return sorted;
  }();
  return all;
}

const Lowering* find_lowering(const ir::Node& n) {
  auto it = by_op().find({n.domain, n.op_type});
  return it == by_op().end() ? nullptr : it->second;
}

std::vector<std::pair<std::string, std::string>> registered_lowerings() {
  std::vector<std::pair<std::string, std::string>> names;
  for (const Lowering& l : all_lowerings()) names.emplace_back(l.op_type, l.domain);
  return names;
}

}  // namespace etch::compiler
