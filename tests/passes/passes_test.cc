// Each pass: build the input graph, apply, check the structure, and check the
// numbers through the reference interpreter (TVM-style pass tests).
#include <gtest/gtest.h>

#include "etch/ir/builder.h"
#include "etch/ir/verifier.h"
#include "etch/passes/eliminate_dead_nodes.h"
#include "etch/passes/eliminate_identity.h"
#include "etch/passes/fold_batchnorm.h"
#include "etch/passes/fold_constants.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/interpreter.h"
#include "passes/pass_test_util.h"

namespace etch::passes {
namespace {

using testing::count_ops;
using testing::max_abs_diff;
using testing::random_input;

PassContext context() {
  PassContext c;
  c.evaluate = runtime::run_node;
  return c;
}

// Gives BatchNorm non-trivial statistics so folding has something to do.
void randomize_bn(ir::Graph& g, uint64_t seed) {
  ir::Rng rng(seed);
  for (const auto& n : g.nodes()) {
    if (n.op_type != "BatchNormalization") continue;
    for (int i = 1; i <= 4; ++i) {
      Tensor& t = *g.value(n.inputs[i]).data;
      for (int64_t k = 0; k < t.numel(); ++k)
        t.data<float>()[k] = i == 4 ? rng.uniform(0.5f, 2.0f) : rng.uniform(-1.0f, 1.0f);
    }
  }
}

TEST(FoldBatchnorm, ConvBnBecomesOneConvWithSameOutputs) {
  ir::GraphBuilder b("t", 3);
  auto x = b.input("x", {2, 3, 8, 8});
  auto y = b.relu(b.batchnorm(b.conv(x, 4, 3, 1, 1, 1, false, "conv"), "bn"));
  b.output(y, "y");
  ir::Graph g = b.finish();
  randomize_bn(g, 5);
  Tensor in = random_input({2, 3, 8, 8}, 9);
  Tensor before = runtime::Interpreter(g).run({in})[0];
  EXPECT_TRUE(fold_batchnorm(g, context()));
  ir::verify(g);
  EXPECT_EQ(count_ops(g, "BatchNormalization"), 0);
  EXPECT_EQ(count_ops(g, "Conv"), 1);
  const ir::Node& conv = g.nodes()[0];
  EXPECT_TRUE(conv.has_input(2)) << "folded conv gains a bias";
  Tensor after = runtime::Interpreter(g).run({in})[0];
  EXPECT_LT(max_abs_diff(before, after), 1e-5f);
  EXPECT_FALSE(fold_batchnorm(g, context())) << "second run finds nothing";
}

TEST(FoldBatchnorm, GemmBnFolds) {
  ir::GraphBuilder b("t", 4);
  auto x = b.input("x", {3, 5});
  auto y = b.batchnorm(b.gemm(x, 6, "fc"), "bn");
  b.output(y, "y");
  ir::Graph g = b.finish();
  randomize_bn(g, 6);
  Tensor in = random_input({3, 5}, 10);
  Tensor before = runtime::Interpreter(g).run({in})[0];
  EXPECT_TRUE(fold_batchnorm(g, context()));
  EXPECT_EQ(count_ops(g, "BatchNormalization"), 0);
  EXPECT_LT(max_abs_diff(before, runtime::Interpreter(g).run({in})[0]), 1e-5f);
}

TEST(FoldBatchnorm, SharedConvOutputIsNotFolded) {
  ir::GraphBuilder b("t", 4);
  auto x = b.input("x", {1, 2, 4, 4});
  auto c = b.conv(x, 2, 1, 1, 0, 1, false, "conv");
  auto y = b.add(b.batchnorm(c, "bn"), c);  // conv output read twice
  b.output(y, "y");
  ir::Graph g = b.finish();
  EXPECT_FALSE(fold_batchnorm(g, context()));
  EXPECT_EQ(count_ops(g, "BatchNormalization"), 1);
}

TEST(FoldConstants, ChainOfConstantOpsFoldsAndOutputsMatch) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {2, 3});
  auto c1 = b.constant("c1", Tensor::from_vector<float>({3}, {1, 2, 3}));
  auto c2 = b.constant("c2", Tensor::from_vector<float>({3}, {4, 5, 6}));
  auto k = b.op("Mul", {b.op("Add", {c1, c2}), c2});  // (c1 + c2) * c2
  b.output(b.op("Add", {x, k}), "y");
  ir::Graph g = b.finish();
  Tensor in = random_input({2, 3}, 2);
  Tensor before = runtime::Interpreter(g).run({in})[0];
  EXPECT_TRUE(fold_constants(g, context()));
  EXPECT_EQ(g.nodes().size(), 1u);
  const Tensor& folded = *g.value(g.nodes()[0].inputs[1]).data;
  EXPECT_EQ(folded.data<float>()[0], 20.0f);  // (1 + 4) * 4
  EXPECT_EQ(folded.data<float>()[2], 54.0f);  // (3 + 6) * 6
  EXPECT_LT(max_abs_diff(before, runtime::Interpreter(g).run({in})[0]), 0.0f + 1e-7f);
}

// A Pad whose pads are computed from constants has no known shape until they
// fold; then a Shape of its output folds too (M-LSD computes its Resize sizes
// so, after such a Pad).
TEST(FoldConstants, ShapeOfAValueWhoseShapeFoldingRevealedFolds) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {1, 2, 4, 4});
  auto pads = b.op("Concat",
                   {b.constant("before", Tensor::from_vector<int64_t>({4}, {0, 0, 0, 0})),
                    b.constant("after", Tensor::from_vector<int64_t>({4}, {0, 0, 1, 1}))},
                   {{"axis", int64_t{0}}});
  auto padded = b.op("Pad", {x, pads});
  b.output(b.op("Reshape", {padded, b.op("Shape", {padded})}), "y");
  ir::Graph g = b.finish();
  ASSERT_FALSE(g.value(padded).has_shape && shape_is_static(g.value(padded).shape));
  Tensor in = random_input({1, 2, 4, 4}, 5);
  Tensor before = runtime::Interpreter(g).run({in})[0];
  run_pipeline(g, prepare_pipeline(), context());
  EXPECT_EQ(count_ops(g, "Shape"), 0);
  EXPECT_EQ(g.value(padded).shape, (Shape{1, 2, 5, 5}));
  EXPECT_TRUE(before.equals(runtime::Interpreter(g).run({in})[0]));
}

TEST(FoldConstants, WithoutEvaluatorDoesNothing) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {3});
  auto c = b.op("Neg", {b.constant("c", Tensor::from_vector<float>({3}, {1, 2, 3}))});
  b.output(b.op("Add", {x, c}), "y");
  ir::Graph g = b.finish();
  EXPECT_FALSE(fold_constants(g, PassContext{}));
}

TEST(EliminateIdentity, BypassesIdentityAndKeepsOutputs) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {3});
  auto i1 = b.op("Identity", {x});
  b.output(b.op("Identity", {b.op("Relu", {i1})}), "y");
  ir::Graph g = b.finish();
  EXPECT_TRUE(eliminate_identity(g, context()));
  ir::verify(g);
  EXPECT_EQ(count_ops(g, "Identity"), 1) << "the identity producing the graph output stays";
  EXPECT_EQ(g.nodes()[0].op_type, "Relu");
  EXPECT_EQ(g.nodes()[0].inputs[0], x);
}

TEST(EliminateDeadNodes, RemovesUnreachableNodes) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {3});
  b.op("Exp", {x});  // never used
  b.output(b.op("Relu", {x}), "y");
  ir::Graph g = b.finish();
  EXPECT_TRUE(eliminate_dead_nodes(g, context()));
  EXPECT_EQ(g.nodes().size(), 1u);
  EXPECT_FALSE(eliminate_dead_nodes(g, context()));
}

TEST(Pipeline, PrepareReachesFixedPointAndKeepsOutputs) {
  ir::GraphBuilder b("t", 7);
  auto x = b.input("x", {1, 1, 6, 6});
  auto y = b.op("Identity", {b.batchnorm(b.conv(x, 3, 3, 1, 1, 1, true, "conv"), "bn")});
  b.output(b.relu(y), "y");
  ir::Graph g = b.finish();
  randomize_bn(g, 8);
  Tensor in = random_input({1, 1, 6, 6}, 3);
  Tensor before = runtime::Interpreter(g).run({in})[0];
  auto changed = run_pipeline(g, prepare_pipeline(), context());
  EXPECT_FALSE(changed.empty());
  EXPECT_EQ(count_ops(g, "BatchNormalization") + count_ops(g, "Identity"), 0);
  EXPECT_LT(max_abs_diff(before, runtime::Interpreter(g).run({in})[0]), 1e-5f);
}

}  // namespace
}  // namespace etch::passes
