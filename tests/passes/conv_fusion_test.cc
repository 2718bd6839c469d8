// fuse_conv_activation and fuse_conv_maxpool: which chains become one
// ai.etch.FusedConv, and that the fused graph computes exactly what the
// unfused one does (same float expressions, so bit-identical outputs).
#include <gtest/gtest.h>

#include <cstring>

#include "etch/ir/builder.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/verifier.h"
#include "etch/passes/fuse_conv_activation.h"
#include "etch/passes/fuse_conv_maxpool.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/interpreter.h"
#include "passes/pass_test_util.h"

namespace etch::passes {
namespace {

using testing::count_ops;
using testing::random_input;
using testing::randomize_bias;

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data<float>(), b.data<float>(), a.numel() * sizeof(float)) == 0;
}

void expect_same_outputs(const ir::Graph& before, const ir::Graph& after, const Tensor& x) {
  const auto want = runtime::Interpreter(before).run({x});
  const auto got = runtime::Interpreter(after).run({x});
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(bit_identical(want[i], got[i])) << "output " << i;
}

TEST(FuseConvActivation, ReluAndClipJoinTheirConvAndOutputsAreIdentical) {
  ir::GraphBuilder b("t", 5);
  auto x = b.input("x", {2, 3, 9, 9});
  auto r = b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "c1"));
  auto r6 = b.relu6(b.conv(r, 5, 3, 2, 1, 1, true, "c2"));
  auto c3 = b.conv(r6, 5, 1, 1, 0, 1, true, "c3");  // two consumers: stays a Conv
  b.output(b.add(b.relu(c3), c3), "y");
  ir::Graph g = b.finish();
  randomize_bias(g, 6);
  const ir::Graph before = g;
  EXPECT_TRUE(fuse_conv_activation(g, PassContext{}));
  ir::verify(g);
  EXPECT_EQ(count_ops(g, "FusedConv"), 2);
  EXPECT_EQ(count_ops(g, "Conv"), 1);
  EXPECT_EQ(count_ops(g, "Clip"), 0);
  EXPECT_EQ(count_ops(g, "Relu"), 1);
  const ir::Node& c2 = *g.find_node_by_name("c2");
  EXPECT_EQ(c2.domain, "ai.etch");
  EXPECT_EQ(c2.attr_string("activation", ""), "Clip");
  EXPECT_EQ(c2.attr_floats("activation_params"), (std::vector<float>{0.0f, 6.0f}));
  EXPECT_EQ(g.find_node_by_name("c1")->attr_string("activation", ""), "Relu");
  expect_same_outputs(before, g, random_input({2, 3, 9, 9}, 7));
  EXPECT_FALSE(fuse_conv_activation(g, PassContext{})) << "nothing left to fuse";
}

TEST(FuseConvMaxpool, UnpaddedPoolsJoinAndOutputsAreIdentical) {
  ir::GraphBuilder b("t", 8);
  auto x = b.input("x", {3, 2, 12, 11});
  auto p1 = b.maxpool(b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "c1")), 2, 2);  // odd width: floor drops a column
  auto p2 = b.op("MaxPool", {b.relu(b.conv(p1, 6, 3, 1, 1, 1, true, "c2"))},
                 {{"kernel_shape", std::vector<int64_t>{3, 2}}, {"strides", std::vector<int64_t>{1, 2}}});
  auto p3 = b.op("MaxPool", {b.relu(b.conv(p2, 6, 3, 1, 1, 1, true, "c3"))},
                 {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  b.output(p3, "y");
  ir::Graph g = b.finish();
  randomize_bias(g, 9);
  const ir::Graph before = g;
  ASSERT_TRUE(fuse_conv_activation(g, PassContext{}));
  EXPECT_TRUE(fuse_conv_maxpool(g, PassContext{}));
  ir::verify(g);
  EXPECT_EQ(count_ops(g, "MaxPool"), 1) << "the padded pool stays separate";
  const ir::Node& c2 = *g.find_node_by_name("c2");
  EXPECT_EQ(c2.attr_ints("pool_kernel"), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(c2.attr_ints("pool_strides"), (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(g.find_node_by_name("c3")->has_attr("pool_kernel"));
  expect_same_outputs(before, g, random_input({3, 2, 12, 11}, 10));
}

TEST(FuseConvMaxpool, PlainConvAndPoolWithIndicesAreLeftAlone) {
  ir::GraphBuilder b("t", 11);
  auto x = b.input("x", {1, 2, 8, 8});
  b.output(b.maxpool(b.conv(x, 3, 3, 1, 1, 1, true, "c1"), 2, 2), "y");  // no activation: no FusedConv
  ir::Graph g = b.finish();
  EXPECT_FALSE(fuse_conv_maxpool(g, PassContext{}));
  EXPECT_EQ(count_ops(g, "MaxPool"), 1);
}

TEST(InferencePipeline, ConvBnReluPoolBecomesOneNodeWithinFloatRounding) {
  ir::GraphBuilder b("t", 12);
  auto x = b.input("x", {2, 1, 10, 10});
  b.output(b.maxpool(b.relu(b.batchnorm(b.conv(x, 4, 3, 1, 1, 1, false, "c"), "bn")), 2, 2), "y");
  ir::Graph g = b.finish();
  const ir::Graph before = g;
  PassContext ctx;
  ctx.evaluate = runtime::run_node;
  run_pipeline(g, inference_pipeline(), ctx);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].op_type, "FusedConv");
  const Tensor in = random_input({2, 1, 10, 10}, 13);
  const Tensor want = runtime::Interpreter(before).run({in})[0], got = runtime::Interpreter(g).run({in})[0];
  ASSERT_EQ(want.shape(), got.shape());
  for (int64_t i = 0; i < want.numel(); ++i) EXPECT_NEAR(want.data<float>()[i], got.data<float>()[i], 1e-5f);
}

TEST(FusedConvSchema, BadActivationOrPoolNamesTheAttribute) {
  for (const auto& [attrs, needle] : std::vector<std::pair<std::map<std::string, ir::Attribute>, std::string>>{
           {{{"activation", std::string("Tanh")}}, "'activation'"},
           {{{"activation", std::string("Clip")}, {"activation_params", std::vector<float>{6, 0}}},
            "activation_params"},
           {{{"activation", std::string("Relu")}, {"pool_kernel", std::vector<int64_t>{2}}}, "pool_kernel"},
           {{{"activation", std::string("Relu")},
             {"pool_kernel", std::vector<int64_t>{9, 9}},
             {"pool_strides", std::vector<int64_t>{1, 1}}},
            "pool window"}}) {
    ir::Graph g;
    const ir::ValueId x = g.add_input("x", DType::F32, {1, 1, 4, 4});
    const ir::ValueId w = g.add_constant("w", Tensor(DType::F32, {2, 1, 3, 3}));
    const ir::ValueId y = g.add_value("y", DType::F32, {}, false);
    g.add_node("FusedConv", {x, w}, {y}, "fc", attrs, "ai.etch");
    try {
      ir::infer_shapes(g);
      ADD_FAILURE() << "accepted " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("fc"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace etch::passes
