#include "etch/quant/quant_rule.h"

#include <algorithm>

#include "etch/ir/op_registry.h"

namespace etch::quant {
namespace {
std::vector<QuantRule>& rules() {
  static std::vector<QuantRule> r;
  return r;
}
}  // namespace

void register_rule(QuantRule rule) { rules().push_back(std::move(rule)); }

const std::vector<QuantRule>& quant_rules() { return rules(); }

const QuantRule* find_rule(const ir::Node& n) {
  if (!n.domain.empty()) return nullptr;
  for (const QuantRule& r : rules())
    if (std::find(r.op_types.begin(), r.op_types.end(), n.op_type) != r.op_types.end()) return &r;
  for (const QuantRule& r : rules())
    if (r.trait && ir::has_trait(n, *r.trait)) return &r;
  return nullptr;
}

bool is_data_movement(const ir::Node& n) {
  const QuantRule* r = find_rule(n);
  return r && r->kind == RuleKind::kDataMovement && n.outputs.size() == 1;
}

std::vector<std::string> registered_rule_ops() {
  std::vector<std::string> out;
  for (const QuantRule& r : rules()) out.insert(out.end(), r.op_types.begin(), r.op_types.end());
  return out;
}

}  // namespace etch::quant
