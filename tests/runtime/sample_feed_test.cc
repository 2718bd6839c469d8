#include "etch/runtime/sample_feed.h"

#include <gtest/gtest.h>

#include "etch/core/error.h"

namespace etch::runtime {
namespace {

// y = Relu(x), s = Neg(h): one data input and one state input.
ir::Graph two_input_graph(Shape x_shape) {
  ir::Graph g;
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::F32, x_shape);
  const ir::ValueId h = g.add_input("h", DType::F32, {2});
  const ir::ValueId y = g.add_value("y", DType::F32, x_shape);
  const ir::ValueId s = g.add_value("s", DType::F32, {2});
  g.add_node("Relu", {x}, {y}, "relu");
  g.add_node("Neg", {h}, {s}, "neg");
  g.outputs = {y, s};
  return g;
}

Tensor samples(Shape shape) {
  Tensor t(DType::F32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  return t;
}

std::vector<float> relu(const Tensor& t) {
  std::vector<float> v = t.to_float_vector();
  for (float& x : v) x = x > 0 ? x : 0;
  return v;
}

TEST(SampleFeed, FixedBatchOfOneRunsSampleBySample) {
  const ir::Graph g = two_input_graph({1, 3});
  const Tensor data = samples({5, 3});
  SampleFeed feed(g, {{"x", data}}, 32);
  EXPECT_EQ(feed.samples(), 5);
  EXPECT_EQ(feed.chunk(), 1);
  EXPECT_EQ(feed.source(1), "");  // h: zeros
  Interpreter interp(g);
  const std::vector<Tensor> out = run_all(interp, feed);
  ASSERT_EQ(out[0].shape(), (Shape{5, 3}));
  EXPECT_EQ(out[0].to_float_vector(), relu(data));
  // The state output of each of the five calls, from a zero state.
  EXPECT_EQ(out[1].shape(), (Shape{10}));
  for (float v : out[1].to_float_vector()) EXPECT_EQ(v, 0.0f);
}

TEST(SampleFeed, FixedBatchPadsTheLastChunkAndDropsThePadding) {
  const ir::Graph g = two_input_graph({2, 3});
  const Tensor data = samples({5, 3});
  SampleFeed feed(g, {{"x", data}}, 32);
  EXPECT_EQ(feed.chunk(), 2);
  Interpreter interp(g);
  const std::vector<Tensor> out = run_all(interp, feed);
  ASSERT_EQ(out[0].shape(), (Shape{5, 3}));
  EXPECT_EQ(out[0].to_float_vector(), relu(data));
}

TEST(SampleFeed, DynamicBatchUsesTheRequestedBatch) {
  const ir::Graph g = two_input_graph({-1, 3});
  const Tensor data = samples({5, 3});
  SampleFeed feed(g, {{"x", data}}, 2);
  EXPECT_EQ(feed.chunk(), 2);
  Interpreter interp(g);
  const std::vector<Tensor> out = run_all(interp, feed);
  EXPECT_EQ(out[0].to_float_vector(), relu(data));
}

TEST(SampleFeed, SamplesHoldingAWholeInputAreMerged) {
  const ir::Graph g = two_input_graph({1, 3});
  const Tensor data = samples({4, 1, 3});
  SampleFeed feed(g, {{"x", data}}, 32);
  EXPECT_EQ(feed.samples(), 4);
  Interpreter interp(g);
  const std::vector<Tensor> out = run_all(interp, feed);
  ASSERT_EQ(out[0].shape(), (Shape{4, 3}));
  EXPECT_EQ(out[0].to_float_vector(), relu(data));
}

TEST(SampleFeed, StateArraysFeedTheirInputByName) {
  const ir::Graph g = two_input_graph({1, 3});
  // h [2] has no batch axis: each of the three samples holds a whole h.
  const Tensor h = Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  SampleFeed feed(g, {{"x", samples({3, 3})}, {"h", h}}, 32);
  EXPECT_EQ(feed.source(1), "h");
  Interpreter interp(g);
  const std::vector<Tensor> out = run_all(interp, feed);
  EXPECT_EQ(out[1].to_float_vector(), (std::vector<float>{-1, -2, -3, -4, -5, -6}));
}

TEST(SampleFeed, ShapeMismatchNamesTheInputAndBothShapes) {
  const ir::Graph g = two_input_graph({1, 3});
  try {
    SampleFeed feed(g, {{"x", samples({5, 4})}}, 32);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'x'"), std::string::npos) << m;
    EXPECT_NE(m.find("[5,4]"), std::string::npos) << m;
    EXPECT_NE(m.find("[1,3]"), std::string::npos) << m;
  }
}

TEST(SampleFeed, ScalarInputsTakeTheGivenValue) {
  ir::Graph g;
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 2});
  const ir::ValueId sr = g.add_input("sr", DType::F32, {});
  const ir::ValueId y = g.add_value("y", DType::F32, {1, 2});
  g.add_node("Mul", {x, sr}, {y}, "mul");
  g.outputs = {y};
  SampleFeed feed(g, {{"x", Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4})}}, 8, {{"sr", 10.0}});
  Interpreter interp(g);
  EXPECT_EQ(run_all(interp, feed)[0].to_float_vector(), (std::vector<float>{10, 20, 30, 40}));
}

// y = x + h, s = Identity(y): with carry s:h the model sums its inputs
// along a sequence, from zero at each sequence's start and after a gap.
TEST(SampleFeed, CarriedStateFollowsEachSequence) {
  ir::Graph g;
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 2});
  const ir::ValueId h = g.add_input("h", DType::F32, {1, 2});
  const ir::ValueId y = g.add_value("y", DType::F32, {1, 2});
  const ir::ValueId s = g.add_value("s", DType::F32, {1, 2});
  g.add_node("Add", {x, h}, {y}, "add");
  g.add_node("Identity", {y}, {s}, "state");
  g.outputs = {y, s};
  const Tensor data = Tensor::from_vector<float>({5, 2}, {1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  const Streaming streaming{{{"s", "h"}}, {0, 0, 0, 1, 1}};
  SampleFeed feed(g, {{"x", data}}, 32, {}, streaming);
  EXPECT_EQ(feed.chunk(), 1);
  Interpreter interp(g);
  EXPECT_EQ(run_all(interp, feed)[0].to_float_vector(), (std::vector<float>{1, 1, 3, 3, 6, 6, 4, 4, 9, 9}));
  // Row 2 without row 1 just before it starts from zeros.
  SampleFeed gap(g, {{"x", data}}, 32, {}, streaming);
  std::vector<float> y_gap;
  run_feed(interp, gap, {0, 2}, [&](size_t, size_t, std::vector<Tensor>& outs) {
    for (float v : outs[0].to_float_vector()) y_gap.push_back(v);
  });
  EXPECT_EQ(y_gap, (std::vector<float>{1, 1, 3, 3}));
  auto error = [&](Streaming st) {
    try {
      SampleFeed f(g, {{"x", data}}, 32, {}, st);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error({{{"sn", "h"}}, {0, 0, 0, 1, 1}}).find("no output 'sn'"), std::string::npos);
  EXPECT_NE(error({{{"s", "x"}}, {0, 0, 0, 1, 1}}).find("fed by data array 'x'"), std::string::npos);
}

}  // namespace
}  // namespace etch::runtime
