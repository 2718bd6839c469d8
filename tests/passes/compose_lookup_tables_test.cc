// compose_lookup_tables: two QLuts in a row become one whose table is the
// composition; the integer output is the same for every int8 input value.
// A first table whose output is read elsewhere too stays.
#include "etch/passes/compose_lookup_tables.h"

#include <gtest/gtest.h>

#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/interpreter.h"
#include "passes/pass_test_util.h"

namespace etch::passes {
namespace {

using testing::count_ops;

Tensor random_table(uint64_t seed) {
  ir::Rng rng(seed);
  Tensor t(DType::I8, {256});
  for (int i = 0; i < 256; ++i) t.data<int8_t>()[i] = static_cast<int8_t>(rng.uniform(-128.0f, 127.99f));
  return t;
}

// x (every int8 value once) -> QLut(t1) -> QLut(t2) -> y; with `tap`, the
// first table's output is a graph output too.
ir::Graph chain(bool tap) {
  ir::Graph g;
  const ir::ValueId x = g.add_input("x", DType::I8, {1, 256});
  const ir::ValueId mid = g.add_value("mid", DType::I8, {1, 256});
  const ir::ValueId y = g.add_value("y", DType::I8, {1, 256});
  g.add_node("QLut", {x, g.add_constant("t1", random_table(1))}, {mid}, "relu", {{"function", std::string("Relu")}},
             ir::kEtchDomain);
  g.add_node("QLut", {mid, g.add_constant("t2", random_table(2))}, {y}, "max", {{"function", std::string("Max")}},
             ir::kEtchDomain);
  g.outputs = {y};
  if (tap) g.outputs.push_back(mid);
  return g;
}

Tensor every_int8() {
  Tensor x(DType::I8, {1, 256});
  for (int i = 0; i < 256; ++i) x.data<int8_t>()[i] = static_cast<int8_t>(i - 128);
  return x;
}

TEST(ComposeLookupTables, TwoTablesBecomeOneWithTheSameOutput) {
  ir::Graph g = chain(false);
  const Tensor before = runtime::Interpreter(g).run({every_int8()})[0];
  ASSERT_TRUE(compose_lookup_tables(g, PassContext{}));
  EXPECT_EQ(count_ops(g, "QLut"), 1);
  const ir::Node& n = g.nodes().front();
  EXPECT_EQ(n.attr_string("function", ""), "Relu,Max");
  EXPECT_EQ(n.inputs[0], g.inputs[0]);
  const Tensor after = runtime::Interpreter(g).run({every_int8()})[0];
  EXPECT_TRUE(after.equals(before));
  // The table itself: t2[t1[x]], checked against the tables, not the pass.
  const Tensor t1 = random_table(1), t2 = random_table(2);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(after.data<int8_t>()[i], t2.data<int8_t>()[t1.data<int8_t>()[i] + 128]) << "x = " << i - 128;
}

TEST(ComposeLookupTables, ATableReadElsewhereStays) {
  ir::Graph g = chain(true);
  EXPECT_FALSE(compose_lookup_tables(g, PassContext{}));
  EXPECT_EQ(count_ops(g, "QLut"), 2);
}

}  // namespace
}  // namespace etch::passes
