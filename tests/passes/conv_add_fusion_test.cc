// fuse_conv_add: residual Conv→Add→Relu/Clip chains become one ai.etch.FusedConv
// with the summand as input 3, only when the summand is computed before the
// conv; fuse_pad_conv: a zero spatial Pad becomes the Conv's padding. The fused
// graphs give bit-identical outputs.
#include <gtest/gtest.h>

#include <cstring>

#include "etch/ir/builder.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/verifier.h"
#include "etch/passes/fuse_conv_add.h"
#include "etch/passes/fuse_pad_conv.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/interpreter.h"
#include "passes/pass_test_util.h"

namespace etch::passes {
namespace {

using testing::count_ops;
using testing::random_input;
using testing::randomize_bias;

void expect_bit_identical(const ir::Graph& before, const ir::Graph& after, const Tensor& x) {
  const auto want = runtime::Interpreter(before).run({x});
  const auto got = runtime::Interpreter(after).run({x});
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want[i].shape(), got[i].shape());
    EXPECT_EQ(std::memcmp(want[i].data<float>(), got[i].data<float>(), want[i].numel() * sizeof(float)), 0)
        << "output " << i;
  }
}

TEST(FuseConvAdd, ResidualBlocksJoinTheirConvAndOutputsAreIdentical) {
  ir::GraphBuilder b("t", 21);
  auto x = b.input("x", {2, 8, 10, 10});
  // BlazeFace's block: depthwise, 1x1 with bias, + skip, Relu.
  auto dw = b.conv(x, 8, 3, 1, 1, 8, true, "dw");
  auto r1 = b.relu(b.add(b.conv(dw, 8, 1, 1, 0, 1, true, "pw1"), x));
  // The summand first, Clip (ReLU6), no bias.
  auto r2 = b.relu6(b.add(r1, b.conv(r1, 8, 3, 1, 1, 1, false, "c2")));
  // Summand produced after the conv: c3 cannot take c4's output; c4 takes c3's.
  auto c3 = b.conv(r2, 8, 1, 1, 0, 1, true, "c3");
  auto c4 = b.conv(r2, 8, 1, 1, 0, 1, true, "c4");
  auto r3 = b.relu(b.add(c3, c4));
  // No activation after the Add: stays.
  b.output(b.add(b.conv(r3, 8, 1, 1, 0, 1, true, "c5"), r3), "y");
  ir::Graph g = b.finish();
  randomize_bias(g, 22);
  const ir::Graph before = g;
  EXPECT_TRUE(fuse_conv_add(g, PassContext{}));
  ir::verify(g);
  EXPECT_EQ(count_ops(g, "FusedConv"), 3);
  EXPECT_EQ(count_ops(g, "Add"), 1);
  EXPECT_EQ(count_ops(g, "Relu"), 0);
  EXPECT_EQ(count_ops(g, "Clip"), 0);
  const ir::Node& pw1 = *g.find_node_by_name("pw1");
  ASSERT_EQ(pw1.inputs.size(), 4u);
  EXPECT_EQ(pw1.inputs[3], x);
  EXPECT_EQ(pw1.attr_string("activation", ""), "Relu");
  EXPECT_EQ(g.find_node_by_name("c2")->attr_string("activation", ""), "Clip");
  EXPECT_EQ(g.find_node_by_name("c2")->inputs[2], ir::kNoValue);
  EXPECT_EQ(g.find_node_by_name("c3")->op_type, "Conv");
  EXPECT_EQ(g.find_node_by_name("c4")->op_type, "FusedConv");
  EXPECT_EQ(g.find_node_by_name("c4")->inputs[3], c3);
  expect_bit_identical(before, g, random_input({2, 8, 10, 10}, 23));
  EXPECT_FALSE(fuse_conv_add(g, PassContext{})) << "nothing left to fuse";
}

TEST(FuseConvAdd, BroadcastSummandAndPipelineOrder) {
  ir::GraphBuilder b("t", 24);
  auto x = b.input("x", {1, 4, 6, 6});
  auto bias = b.input("s", {1, 4, 1, 1});
  auto c1 = b.conv(x, 4, 3, 1, 1, 1, true, "c1");
  auto r1 = b.relu(b.add(c1, bias));  // broadcast summand: not fused
  b.output(b.maxpool(b.relu(b.add(b.conv(r1, 4, 3, 1, 1, 1, true, "c2"), r1)), 2, 2), "y");
  ir::Graph g = b.finish();
  PassContext ctx;
  ctx.evaluate = runtime::run_node;
  run_pipeline(g, inference_pipeline(), ctx);
  ir::verify(g);
  EXPECT_EQ(g.find_node_by_name("c1")->op_type, "Conv");
  const ir::Node& c2 = *g.find_node_by_name("c2");
  EXPECT_EQ(c2.op_type, "FusedConv");
  EXPECT_EQ(c2.inputs.size(), 4u);
  EXPECT_FALSE(c2.has_attr("pool_kernel")) << "no pool after a summand";
  EXPECT_EQ(count_ops(g, "MaxPool"), 1);
}

TEST(FusedConvSchema, SummandMustHaveTheOutputShape) {
  ir::Graph g;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 1, 4, 4});
  const ir::ValueId w = g.add_constant("w", Tensor(DType::F32, {2, 1, 3, 3}));
  const ir::ValueId z = g.add_input("z", DType::F32, {1, 2, 4, 4});
  const ir::ValueId y = g.add_value("y", DType::F32, {}, false);
  g.add_node("FusedConv", {x, w, ir::kNoValue, z}, {y}, "fc", {{"activation", std::string("Relu")}}, "ai.etch");
  try {
    ir::infer_shapes(g);
    ADD_FAILURE() << "accepted a [1,2,4,4] summand for a [1,2,2,2] output";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("summand input Z"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fc"), std::string::npos) << e.what();
  }
}

TEST(FusePadConv, ZeroSpatialPadsBecomeConvPadding) {
  ir::GraphBuilder b("t", 25);
  auto x = b.input("x", {2, 4, 9, 10});
  const auto pads = [&](const std::string& name, std::vector<int64_t> p) {
    return b.constant(name, Tensor::from_vector<int64_t>({8}, p));
  };
  // TF "same" for a stride-2 depthwise conv: bottom/right only, added to the conv's own pads.
  auto p1 = b.op("Pad", {x, pads("p1", {0, 0, 0, 0, 0, 0, 1, 1})});
  auto c1 =
      b.op("Conv", {p1, b.constant("w1", testing::random_input({4, 1, 3, 3}, 26))},
           {{"group", int64_t{4}}, {"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 0, 0, 0}}},
           "c1");
  // Non-zero value and a channel pad stay.
  auto p2 =
      b.op("Pad", {c1, pads("p2", {0, 0, 1, 1, 0, 0, 1, 1}), b.constant("v", Tensor::from_vector<float>({}, {0.5f}))});
  auto c2 = b.op("Conv", {p2, b.constant("w2", testing::random_input({3, 4, 3, 3}, 27))}, {}, "c2");
  auto p3 = b.op("Pad", {c2, pads("p3", {0, 1, 0, 0, 0, 0, 0, 0})});
  b.output(b.op("Conv", {p3, b.constant("w3", testing::random_input({2, 4, 1, 1}, 28))}, {}, "c3"), "y");
  ir::Graph g = b.finish();
  const ir::Graph before = g;
  EXPECT_TRUE(fuse_pad_conv(g, PassContext{}));
  ir::verify(g);
  EXPECT_EQ(count_ops(g, "Pad"), 2);
  const ir::Node& n1 = *g.find_node_by_name("c1");
  EXPECT_EQ(n1.inputs[0], x);
  EXPECT_EQ(n1.attr_ints("pads"), (std::vector<int64_t>{1, 0, 1, 1}));
  expect_bit_identical(before, g, random_input({2, 4, 9, 10}, 29));
  EXPECT_FALSE(fuse_pad_conv(g, PassContext{}));
}

}  // namespace
}  // namespace etch::passes
