// The interpreter keeps each node's kernel, output types and kernel plan
// between runs while the node's input types and shapes stay the same: runs
// with other shapes, and nodes whose shape inference reads input values, must
// give what a fresh interpreter gives.
#include "etch/runtime/interpreter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {
namespace {

// y = MaxPool2x2(x); z = Reshape(y, Shape(y)): the reshape's inference reads
// a value computed at run time.
ir::Graph pool_and_reshape() {
  ir::Graph g;
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::F32, {-1, 1, -1, -1});
  const ir::ValueId y = g.add_value("y", DType::F32, {}, false);
  const ir::ValueId s = g.add_value("s", DType::I64, {}, false);
  const ir::ValueId z = g.add_value("z", DType::F32, {}, false);
  g.add_node("MaxPool", {x}, {y}, "pool",
             {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}});
  g.add_node("Shape", {y}, {s}, "shape");
  g.add_node("Reshape", {y, s}, {z}, "reshape");
  g.outputs = {y, z};
  return g;
}

Tensor ramp(Shape shape, float start) {
  Tensor t(DType::F32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + static_cast<float>((i * 7) % 11);
  return t;
}

TEST(Interpreter, RunsWithOtherShapesAsAFreshInterpreterDoes) {
  const ir::Graph g = pool_and_reshape();
  Interpreter kept(g);
  const Shape shapes[] = {{1, 1, 4, 4}, {2, 1, 6, 8}, {1, 1, 4, 4}, {3, 1, 2, 2}};
  float start = 0.0f;
  for (const Shape& shape : shapes) {
    const Tensor x = ramp(shape, start);
    start += 5.0f;
    const std::vector<Tensor> got = kept.run({x});
    Interpreter fresh(g);
    const std::vector<Tensor> want = fresh.run({x});
    const Shape pooled{shape[0], 1, shape[2] / 2, shape[3] / 2};
    ASSERT_EQ(got[0].shape(), pooled);
    ASSERT_EQ(got[1].shape(), pooled);
    EXPECT_EQ(got[0].to_float_vector(), want[0].to_float_vector()) << shape_str(shape);
    EXPECT_EQ(got[1].to_float_vector(), want[0].to_float_vector()) << shape_str(shape);
    // The first window's maximum, by hand.
    const float* v = x.data<float>();
    const int64_t w = shape[3];
    EXPECT_EQ(got[0].data<float>()[0], std::max({v[0], v[1], v[w], v[w + 1]}));
  }
}

TEST(Interpreter, ReshapesByTheShapeValueOfEachRun) {
  // The same input shapes every run, a different target shape: the output
  // types depend on a value, so they are inferred again each time.
  ir::Graph g;
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::F32, {12});
  const ir::ValueId s = g.add_input("s", DType::I64, {2});
  const ir::ValueId z = g.add_value("z", DType::F32, {}, false);
  g.add_node("Reshape", {x, s}, {z}, "reshape");
  g.outputs = {z};
  Interpreter interp(g);
  for (const Shape& target : {Shape{3, 4}, Shape{6, 2}, Shape{3, 4}}) {
    Tensor shape(DType::I64, {2});
    shape.data<int64_t>()[0] = target[0];
    shape.data<int64_t>()[1] = target[1];
    const std::vector<Tensor> out = interp.run({ramp({12}, 1.0f), shape});
    EXPECT_EQ(out[0].shape(), target);
    EXPECT_EQ(out[0].to_float_vector(), ramp({12}, 1.0f).to_float_vector());
  }
}

TEST(KernelContext, PlanIsBuiltOncePerSlotAndEveryTimeWithout) {
  ir::Node n;
  n.op_type = "Relu";
  std::vector<Tensor> outs;
  std::shared_ptr<void> slot;
  int builds = 0;
  const auto build = [&] { return ++builds; };
  for (int run = 0; run < 3; ++run) {
    KernelContext kept(n, {}, &outs, &slot);
    EXPECT_EQ(kept.plan<int>(build), 1);
  }
  EXPECT_EQ(builds, 1);
  KernelContext once(n, {}, &outs);
  EXPECT_EQ(once.plan<int>(build), 2);
  KernelContext again(n, {}, &outs);
  EXPECT_EQ(again.plan<int>(build), 3);
}

TEST(KernelContext, InputIsConstantFollowsTheMaskForPresentInputsOnly) {
  ir::Node n;
  n.op_type = "Relu";
  std::vector<Tensor> outs;
  const Tensor t(DType::F32, {1});
  // Inputs 0 and 2 present; the mask marks 1 and 2.
  KernelContext c(n, {&t, nullptr, &t}, &outs, nullptr, 0b110);
  EXPECT_FALSE(c.input_is_constant(0));
  EXPECT_FALSE(c.input_is_constant(1));  // absent
  EXPECT_TRUE(c.input_is_constant(2));
  EXPECT_FALSE(c.input_is_constant(3));
  KernelContext none(n, {&t}, &outs);
  EXPECT_FALSE(none.input_is_constant(0));
}

}  // namespace
}  // namespace etch::runtime
