// Every op named by a stage's registry (runtime kernels, gradient rules,
// quantization rules) or carrying a trait is a registered op schema, and the
// registries agree where one stage relies on another. Lives in tests/eval
// because eval is the one folder that sees every stage.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "etch/compiler/lowering.h"
#include "etch/ir/op_registry.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/train/gradient.h"

namespace etch {
namespace {

using OpList = std::pair<std::string, std::vector<std::string>>;  // (registry, op names)

// The compiler keys lowerings by (op, domain); as "domain.op" like the schemas.
std::vector<std::string> npu_lowering_names() {
  std::vector<std::string> out;
  for (const auto& [op, domain] : compiler::registered_lowerings())
    out.push_back(domain.empty() ? op : domain + "." + op);
  return out;
}

// One line per stage registry. Names are "op" (any domain) or "domain.op".
std::vector<OpList> stage_registries() {
  return {
      {"runtime kernels", runtime::registered_kernels()},
      {"train gradients", train::registered_grads()},
      {"quant rules", quant::registered_rule_ops()},
      {"npu lowerings", npu_lowering_names()},
  };
}

bool is_registered(const std::set<std::string>& schemas, const std::string& name) {
  if (schemas.count(name)) return true;
  // A bare name from a registry keyed by op type alone (gradients): any domain.
  if (name.find('.') == std::string::npos)
    return std::any_of(schemas.begin(), schemas.end(), [&](const std::string& s) {
      return s.size() > name.size() && s.compare(s.size() - name.size() - 1, std::string::npos, "." + name) == 0;
    });
  return false;
}

TEST(OpConsistency, EveryRegistryNamesOnlyRegisteredOps) {
  const auto ops = ir::registered_ops();
  const std::set<std::string> schemas(ops.begin(), ops.end());
  for (const auto& [registry, names] : stage_registries()) {
    EXPECT_FALSE(names.empty()) << registry << " names no op";
    for (const auto& name : names)
      EXPECT_TRUE(is_registered(schemas, name)) << registry << " names unknown op " << name;
  }
}

TEST(OpConsistency, EveryTraitIsCarriedByRegisteredOps) {
  const auto ops = ir::registered_ops();
  const std::set<std::string> schemas(ops.begin(), ops.end());
  for (const auto& [trait, name] : ir::all_op_traits()) {
    const auto with = ir::ops_with_trait(trait);
    EXPECT_FALSE(with.empty()) << "no op has trait " << name;
    for (const auto& op : with) EXPECT_TRUE(schemas.count(op)) << op;
  }
}

TEST(OpConsistency, EveryQuantRuleTargetsSomeOp) {
  for (const quant::QuantRule& r : quant::quant_rules()) {
    EXPECT_TRUE(!r.op_types.empty() || r.trait) << r.name;
    EXPECT_TRUE(r.why_not && r.lower) << r.name << " lacks a selector or an action";
    if (r.trait) {
      EXPECT_FALSE(ir::ops_with_trait(*r.trait).empty()) << r.name;
    }
  }
}

// The lookup-table rule computes its table with the op's float kernel, and the
// data-movement rule runs the op on int8: those kernels must exist.
TEST(OpConsistency, QuantRulesHaveTheKernelsTheyRun) {
  for (const auto& op : ir::ops_with_trait(ir::OpTrait::kLookupTable))
    EXPECT_NE(runtime::find_kernel(op, "", DType::F32), nullptr) << op << " has no float kernel for its table";
  for (const auto& op : ir::ops_with_trait(ir::OpTrait::kDataMovement))
    EXPECT_NE(runtime::find_kernel(op, "", DType::I8), nullptr) << op << " has no int8 kernel";
}

// A registered op named twice in the same registry would hide one definition.
TEST(OpConsistency, RegistryEnumerationsHaveNoDuplicates) {
  for (const auto& [registry, names] : stage_registries()) {
    std::set<std::string> seen;
    for (const auto& n : names) EXPECT_TRUE(seen.insert(n).second) << registry << " lists " << n << " twice";
  }
}

TEST(OpConsistency, TraitsAnswerForNodes) {
  ir::Node relu;
  relu.op_type = "Relu";
  EXPECT_TRUE(ir::has_trait(relu, ir::OpTrait::kLookupTable));
  EXPECT_TRUE(ir::has_trait(relu, ir::OpTrait::kElementwiseUnary));
  EXPECT_FALSE(ir::has_trait(relu, ir::OpTrait::kDataMovement));
  ir::Node unknown;
  unknown.op_type = "NoSuchOp";
  EXPECT_TRUE(ir::op_traits(unknown).empty());
  ir::Node etch_conv;
  etch_conv.op_type = "Conv";
  etch_conv.domain = "ai.etch";  // not ai.onnx's Conv
  EXPECT_FALSE(ir::has_trait(etch_conv, ir::OpTrait::kWeighted));
}

}  // namespace
}  // namespace etch
