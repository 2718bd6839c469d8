#include "etch/compiler/lowering.h"

#include <map>

#include "etch/compiler/lowerings/lowerings.h"
#include "etch/core/error.h"

namespace etch::compiler {
namespace {

std::vector<Lowering> make_lowerings() {
  std::vector<Lowering> all = {lowerings::qconv(),    lowerings::qgemm(),         lowerings::qadd(),
                               lowerings::max_pool(), lowerings::qaverage_pool(), lowerings::qlut(),
                               lowerings::concat(),   lowerings::qmul()};
  for (std::vector<Lowering> group : {lowerings::views(), lowerings::boundary()})
    for (Lowering& l : group) all.push_back(std::move(l));
  return all;
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

const std::vector<Lowering>& all_lowerings() {
  static const std::vector<Lowering> all = make_lowerings();
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
