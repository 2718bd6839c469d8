// The concat rule: a Concat of quantized tensors and constants runs on int8.
// Channel padding with zeros keeps its input's grid (the zeros become its zero
// point); an input only the Concat reads is written on the Concat's grid by
// its producer; an input also read elsewhere keeps its grid and is rescaled by
// a table, which must be QuantizeLinear(DequantizeLinear(q)) for every q.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "etch/ir/builder.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/ptq_plan.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/qdq_util.h"
#include "etch/quant/quant_rule.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::concat_net;
using testing::count_ops;
using testing::max_abs_diff;
using testing::output_scale;
using testing::run;
using testing::small_options;

// The (scale, zero point) a QDQ graph's QuantizeLinear writes `v` with.
QuantParams q_params(const ir::Graph& q, ir::ValueId v) {
  for (ir::NodeId c : q.consumers(v))
    if (is_quantize(*q.find_node(c))) return *qdq_params(q, *q.find_node(c));
  ADD_FAILURE() << "no QuantizeLinear reads " << q.value(v).name;
  return {};
}

TEST(ConcatRule, ConcatenationsRunOnInt8OnTheirOutputsGrid) {
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(concat_net(), d, small_options());
  // The QDQ graph's Concats: padded = (a, zeros), mixed = (b, a), each input
  // behind its DequantizeLinear.
  std::vector<const ir::Node*> concats;
  for (const auto& n : q.nodes())
    if (n.op_type == "Concat") concats.push_back(&n);
  ASSERT_EQ(concats.size(), 2u);
  if (!q.value(concats[0]->inputs[1]).is_constant()) std::swap(concats[0], concats[1]);
  const ir::Node &padded = *concats[0], &mixed = *concats[1];
  ASSERT_TRUE(q.value(padded.inputs[1]).is_constant());
  auto grid = [&](ir::ValueId v) {
    auto dq = through_dq(q, v);
    EXPECT_TRUE(dq) << q.value(v).name << " is not behind a DequantizeLinear";
    return dq ? dq->p : QuantParams{};
  };
  const QuantParams pa = grid(padded.inputs[0]), pb = grid(mixed.inputs[0]);
  const QuantParams pp = q_params(q, padded.outputs[0]), pm = q_params(q, mixed.outputs[0]);
  EXPECT_EQ(grid(mixed.inputs[1]), pa);
  EXPECT_EQ(pp, pa) << "zero padding keeps its input's grid";
  EXPECT_EQ(pb, pm) << "an input only the Concat reads is written on its grid";
  EXPECT_NE(pa, pm) << "a is read twice and keeps its own grid (else the table below is not exercised)";

  const ir::Graph i = lower_qdq(q);
  int int8_concats = 0;
  const ir::Node* table = nullptr;
  for (const auto& n : i.nodes()) {
    if (n.op_type == "QLut") table = &n;
    if (n.op_type != "Concat") continue;
    ++int8_concats;
    for (ir::ValueId in : n.inputs) EXPECT_EQ(i.value(in).dtype, DType::I8) << n.name;
  }
  EXPECT_EQ(int8_concats, 2);
  EXPECT_EQ(count_ops(i, "DequantizeLinear"), 1) << "only the output is dequantized";
  ASSERT_EQ(count_ops(i, "QLut"), 1) << "one rescaling table: a into mixed's grid";
  ASSERT_NE(producer_of(i, table->inputs[0]), nullptr);
  EXPECT_EQ(producer_of(i, table->inputs[0])->op_type, "QConv");
  // The table is QuantizeLinear(DequantizeLinear(q)) onto mixed's grid, each
  // rounded half to even in float as ONNX defines them.
  const Tensor& t = *i.value(table->inputs[1]).data;
  ASSERT_EQ(t.numel(), 256);
  for (int k = 0; k < 256; ++k) {
    const float real = static_cast<float>(k - 128 - pa.zero_points[0]) * pa.scales[0];
    const float want =
        std::clamp(std::nearbyint(real / pm.scales[0]) + static_cast<float>(pm.zero_points[0]), -128.0f, 127.0f);
    ASSERT_EQ(static_cast<float>(t.data<int8_t>()[k]), want) << "entry " << k;
  }

  // The padded tensor is a's int8 values and then two channels of a's zero point.
  const ir::Node* pad_concat = nullptr;
  for (const auto& n : i.nodes())
    if (n.op_type == "Concat" && i.value(n.inputs[1]).is_constant()) pad_concat = &n;
  ASSERT_NE(pad_concat, nullptr);
  runtime::Interpreter ri(i);
  ri.keep_values({pad_concat->inputs[0], pad_concat->outputs[0]});
  float worst = 0;
  for (int64_t s = 0; s < 8; ++s) {
    const Tensor x = data::slice_images(d, s, s + 1);
    const Tensor out = ri.run({x})[0];
    const Tensor &in = ri.kept().at(pad_concat->inputs[0]), &cat = ri.kept().at(pad_concat->outputs[0]);
    ASSERT_EQ(cat.shape(), (Shape{1, 6, 8, 8}));
    for (int64_t k = 0; k < 6 * 64; ++k) {
      const int8_t want = k < 4 * 64 ? in.data<int8_t>()[k] : static_cast<int8_t>(pa.zero_points[0]);
      ASSERT_EQ(cat.data<int8_t>()[k], want) << "element " << k;
    }
    worst = std::max(worst, max_abs_diff(out, run(q, x)));
  }
  const float step = output_scale(i);
  ASSERT_GT(step, 0.0f);
  // Integer and float convolutions may round a value differently.
  EXPECT_LE(worst, step * 1.001f);
}

TEST(ConcatRule, ConcatOfNonFloatValuesIsLeftAlone) {
  // Shape arithmetic (int64 Concat) is no activation: nothing to quantize there.
  ir::GraphBuilder b("shapes", 3);
  auto x = b.input("input", {1, 1, 8, 8});
  auto y = b.relu(b.conv(x, 2, 3, 1, 1, 1, true, "conv"));
  auto shape = b.op("Concat",
                    {b.constant("h", Tensor::from_vector<int64_t>({1}, {1})),
                     b.constant("w", Tensor::from_vector<int64_t>({1}, {128}))},
                    {{"axis", int64_t{0}}});
  b.output(b.op("Reshape", {y, shape}), "y");
  const QuantPlan plan = plan_quantization(b.finish(), {});
  EXPECT_TRUE(plan.refused.empty());
  EXPECT_TRUE(plan.inherited.empty());
}

}  // namespace
}  // namespace etch::quant
