// The pad rule: a zero Pad between quantized layers runs on int8, padding with
// the zero point, instead of DequantizeLinear -> Pad -> QuantizeLinear (the
// padded tensor is the input with a border of zero points); before a QConv it
// becomes the QConv's own padding. The model's output agrees with the QDQ
// graph's to one output step.
#include <gtest/gtest.h>

#include "etch/ir/builder.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::count_ops;
using testing::max_abs_diff;
using testing::output_scale;
using testing::run;
using testing::small_options;

// conv-relu -> Pad (bottom and right by 1, as before a strided depthwise
// conv in TensorFlow's SAME padding) -> conv 3x3 stride 2, or max pool 3x3
// stride 2 -> conv 1x1.
ir::Graph padded_net(const std::string& mode, float value, bool conv_after = false) {
  ir::GraphBuilder b("padded", 7);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto y = b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "conv"));
  Tensor pads(DType::I64, {8});
  const int64_t p[8] = {0, 0, 0, 0, 0, 0, 1, 1};
  std::copy(p, p + 8, pads.data<int64_t>());
  auto pv = b.constant("pads", pads);
  auto cv = b.constant("pad_value", Tensor::scalar<float>(value));
  y = b.op("Pad", {y, pv, cv}, {{"mode", mode}});
  y = conv_after ? y : b.maxpool(y, 3, 2);
  b.output(b.conv(y, 4, conv_after ? 3 : 1, conv_after ? 2 : 1, 0, 1, true, "last"), "y");
  return b.finish();
}

TEST(PadRule, ZeroPadRunsOnInt8WithTheZeroPoint) {
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(padded_net("constant", 0.0f), d, small_options());
  const ir::Graph i = lower_qdq(q);
  const ir::Node* pad = nullptr;
  for (const auto& n : i.nodes())
    if (n.op_type == "Pad") pad = &n;
  ASSERT_NE(pad, nullptr);
  ASSERT_EQ(i.value(pad->inputs[0]).dtype, DType::I8) << "the Pad reads the int8 tensor";
  EXPECT_EQ(count_ops(i, "DequantizeLinear"), 1) << "only the output is dequantized";
  const ir::Node* conv = nullptr;
  for (const auto& n : i.nodes())
    if (n.op_type == "QConv" && n.outputs[0] == pad->inputs[0]) conv = &n;  // its producer
  ASSERT_NE(conv, nullptr);
  const int8_t zp = static_cast<int8_t>(conv->attr_int("y_zero_point", 0));
  const Tensor x = data::slice_images(d, 0, 8);
  runtime::Interpreter ri(i);
  ri.keep_values({pad->inputs[0], pad->outputs[0]});
  const Tensor out = ri.run({x})[0];
  const Tensor &a = ri.kept().at(pad->inputs[0]), &b = ri.kept().at(pad->outputs[0]);
  ASSERT_EQ(b.shape(), (Shape{8, 4, 9, 9}));
  for (int64_t n = 0; n < 8 * 4; ++n)
    for (int64_t r = 0; r < 9; ++r)
      for (int64_t c = 0; c < 9; ++c) {
        const int8_t got = b.data<int8_t>()[(n * 9 + r) * 9 + c];
        const int8_t want = r < 8 && c < 8 ? a.data<int8_t>()[(n * 8 + r) * 8 + c] : zp;
        ASSERT_EQ(got, want) << n << " " << r << " " << c;
      }
  const float step = output_scale(i);
  ASSERT_GT(step, 0.0f);
  // Integer and float convolutions may round a value differently.
  EXPECT_LE(max_abs_diff(out, run(q, x)), step * 1.001f);
}

TEST(PadRule, ZeroPadBeforeAConvBecomesItsPadding) {
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(padded_net("constant", 0.0f, true), d, small_options());
  const ir::Graph i = lower_qdq(q);
  EXPECT_EQ(count_ops(i, "Pad"), 0);
  int strided = 0;
  for (const auto& n : i.nodes())
    if (n.op_type == "QConv" && n.attr_ints("strides", {}) == std::vector<int64_t>{2, 2}) {
      ++strided;
      EXPECT_EQ(n.attr_ints("pads", {}), (std::vector<int64_t>{0, 0, 1, 1}));
    }
  EXPECT_EQ(strided, 1);
  const Tensor x = data::slice_images(d, 0, 8);
  const float step = output_scale(i);
  ASSERT_GT(step, 0.0f);
  // Integer and float convolutions may round a value differently.
  EXPECT_LE(max_abs_diff(run(i, x), run(q, x)), step * 1.001f);
}

TEST(PadRule, NonZeroPadStaysFloat) {
  const data::Dataset d = blobs(64);
  const ir::Graph i = lower_qdq(quantize_ptq(padded_net("constant", 0.5f), d, small_options()));
  int pads = 0;
  for (const auto& n : i.nodes()) {
    if (n.op_type != "Pad") continue;
    ++pads;
    EXPECT_EQ(i.value(n.inputs[0]).dtype, DType::F32);
  }
  EXPECT_EQ(pads, 1);
}

}  // namespace
}  // namespace etch::quant
