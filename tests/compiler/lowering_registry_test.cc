// The lowering registry: every entry names an op the IR knows, answers
// placement, and is either an array layer, a vector layer or a host-only
// boundary op.
#include <gtest/gtest.h>

#include <set>

#include "etch/compiler/lowering.h"
#include "etch/ir/op_registry.h"

namespace etch::compiler {
namespace {

TEST(LoweringRegistry, EveryLoweringNamesARegisteredOp) {
  const auto names = registered_lowerings();
  ASSERT_FALSE(names.empty());
  for (const auto& [op, domain] : names)
    EXPECT_NE(ir::find_op(op, domain), nullptr) << "lowering of unknown op " << domain << ":" << op;
}

TEST(LoweringRegistry, OneEntryPerOpAndEachKnowsHowItRuns) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Lowering& l : all_lowerings()) {
    EXPECT_TRUE(seen.insert({l.domain, l.op_type}).second) << l.op_type << " registered twice";
    EXPECT_TRUE(l.reason_for_host) << l.op_type;
    if (l.boundary != Boundary::None) {
      EXPECT_FALSE(l.array || l.emit) << l.op_type << " is a boundary op but emits NPU code";
      continue;
    }
    EXPECT_NE(static_cast<bool>(l.array), static_cast<bool>(l.emit))
        << l.op_type << " must be exactly one of an array layer or a vector layer";
    EXPECT_TRUE(l.kind) << l.op_type << " has no layer kind for reports";
  }
}

TEST(LoweringRegistry, FindsNodesByDomainAndOp) {
  ir::Node n;
  n.op_type = "QConv";
  n.domain = "ai.etch";
  ASSERT_NE(find_lowering(n), nullptr);
  EXPECT_EQ(find_lowering(n)->op_type, "QConv");
  n.domain = "";  // a default-domain op of that name is not etch's
  EXPECT_EQ(find_lowering(n), nullptr);
  n.op_type = "Softmax";
  EXPECT_EQ(find_lowering(n), nullptr);
}

}  // namespace
}  // namespace etch::compiler
