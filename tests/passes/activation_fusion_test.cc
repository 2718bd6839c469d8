// activation_fusion: which Relu/Clip fuse into their Conv/Gemm/Add producer,
// and the clamp range; the quantized graph relies on this one definition.
#include "etch/passes/activation_fusion.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/ir/builder.h"

namespace etch::passes {
namespace {

TEST(ActivationFusion, ReluAndRelu6FuseIntoTheirSoleProducer) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {1, 2, 6, 6});
  auto c1 = b.conv(x, 3, 3, 1, 1, 1, true, "c1");
  auto r = b.relu(c1);
  auto c2 = b.conv(r, 3, 3, 1, 1, 1, true, "c2");
  auto r6 = b.relu6(c2);
  auto c3 = b.conv(r6, 3, 3, 1, 1, 1, true, "c3");  // two consumers: not fused
  auto s = b.add(b.relu(c3), c3);
  b.output(s, "y");
  const ir::Graph g = b.finish();
  auto f1 = fused_activation(g, *g.find_node_by_name("c1"));
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->kind, "relu");
  EXPECT_EQ(f1->lo, 0.0f);
  EXPECT_TRUE(std::isinf(f1->hi));
  auto f2 = fused_activation(g, *g.find_node_by_name("c2"));
  ASSERT_TRUE(f2);
  EXPECT_EQ(f2->kind, "clip");
  EXPECT_EQ(f2->lo, 0.0f);
  EXPECT_EQ(f2->hi, 6.0f);
  EXPECT_FALSE(fused_activation(g, *g.find_node_by_name("c3"))) << "its output also feeds the Add";
  const ir::Node* add = g.find_node(g.value(g.outputs[0]).producer);
  EXPECT_FALSE(fused_activation(g, *add)) << "the Add's output is a graph output";
}

TEST(ActivationFusion, ClipNotContainingZeroOrWithRuntimeBoundsDoesNotFuse) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("x", {1, 2, 6, 6});
  auto lo = b.constant("lo", Tensor::scalar<float>(1.0f));
  auto hi = b.constant("hi", Tensor::scalar<float>(2.0f));
  auto y = b.op("Clip", {b.conv(x, 3, 3, 1, 1, 1, true, "c1"), lo, hi});
  auto m = b.input("m", {});
  auto z = b.op("Clip", {b.conv(y, 3, 3, 1, 1, 1, true, "c2"), m});
  b.output(z, "z");
  const ir::Graph g = b.finish();
  EXPECT_FALSE(fused_activation(g, *g.find_node_by_name("c1")));
  EXPECT_FALSE(fused_activation(g, *g.find_node_by_name("c2")));
}

}  // namespace
}  // namespace etch::passes
