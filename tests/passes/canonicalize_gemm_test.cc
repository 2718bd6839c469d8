// canonicalize_gemm: Gemm(transB=0) and MatMul with a constant weight become
// Gemm(transB=1) with the weight output-channel first; outputs unchanged.
#include "etch/passes/canonicalize_gemm.h"

#include <gtest/gtest.h>

#include "etch/ir/builder.h"
#include "etch/ir/verifier.h"
#include "etch/runtime/interpreter.h"
#include "passes/pass_test_util.h"

namespace etch::passes {
namespace {

using testing::max_abs_diff;
using testing::random_input;

TEST(CanonicalizeGemm, GemmKnAndMatMulBecomeGemmTransB) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {3, 4});
  auto w1 = b.constant("w1", random_input({4, 5}, 2));
  auto c1 = b.constant("c1", random_input({1, 5}, 3));
  auto y = b.op("Gemm", {x, w1, c1}, {}, "fc1");
  auto w2 = b.constant("w2", random_input({5, 2}, 4));
  auto z = b.op("MatMul", {y, w2}, {}, "mm");
  b.output(z, "z");
  ir::Graph g = b.finish();
  const Tensor in = random_input({3, 4}, 5);
  const Tensor before = runtime::Interpreter(g).run({in})[0];
  EXPECT_TRUE(canonicalize_gemm(g, {}));
  ir::verify(g);
  for (const auto& n : g.nodes()) {
    EXPECT_EQ(n.op_type, "Gemm");
    EXPECT_EQ(n.attr_int("transB", 0), 1);
  }
  EXPECT_EQ(g.value(g.find_node_by_name("fc1")->inputs[1]).data->shape(), (Shape{5, 4}));
  EXPECT_EQ(g.value(g.find_node_by_name("fc1")->inputs[2]).data->shape(), (Shape{5}));
  EXPECT_EQ(g.value(g.find_node_by_name("mm")->inputs[1]).data->shape(), (Shape{2, 5}));
  EXPECT_LT(max_abs_diff(before, runtime::Interpreter(g).run({in})[0]), 1e-6f);
  EXPECT_FALSE(canonicalize_gemm(g, {})) << "second run finds nothing";
}

TEST(CanonicalizeGemm, LeavesNonConstantWeightsAndScaledGemmAlone) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {3, 4});
  auto w = b.input("w", {4, 5});
  auto y = b.op("MatMul", {x, w});
  auto w2 = b.constant("w2", random_input({5, 2}, 4));
  auto z = b.op("Gemm", {y, w2}, {{"alpha", 2.0f}});
  b.output(z, "z");
  ir::Graph g = b.finish();
  EXPECT_FALSE(canonicalize_gemm(g, {}));
}

}  // namespace
}  // namespace etch::passes
