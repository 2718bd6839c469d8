// Integer graphs the compiler tests share (random weights, valid
// requantization): built by hand with QGraph.
#pragma once
#include "compiler/qgraph.h"

namespace etch::testing {

// conv -> maxpool -> conv(stride 2) -> depthwise -> 1x1 conv + residual add ->
// global average pool -> flatten -> gemm, int8 output and a dequantized one.
inline QGraph small_cnn(uint64_t seed, bool with_dq = true) {
  QGraph q(seed);
  auto x = q.float_input("x", {-1, 3, 16, 16});
  auto a = q.quantize(x, 0.02f, 3);
  a = q.conv(a, 12, 3, 1, 1, 1, 3, -100, true);
  a = q.maxpool(a, 2, 2);
  a = q.conv(a, 20, 3, 2, 1, 1, -100, 5, false);
  auto d = q.conv(a, 20, 3, 1, 1, 20, 5, -7, true);
  auto p = q.conv(d, 20, 1, 1, 0, 1, -7, 4, false);
  a = q.add(p, a, 4, 5, -2);
  a = q.avgpool(a, 4, 4, 0, -2, 1);
  a = q.flatten(a);
  a = q.gemm(a, 10, 1, 0, false);
  if (with_dq) a = q.dequantize(a, 0.1f, 0);
  q.g.outputs.push_back(a);
  return q;
}

// grouped and dilated convs with asymmetric padding, a padded max pool, a
// lookup table, a channel concat and a fenced float region (host).
inline QGraph odd_layers(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {-1, 4, 11, 13});
  auto a = q.quantize(x, 0.03f, -5);
  auto b = q.conv(a, 8, 3, 2, 1, 2, -5, 10, false);
  auto c = q.conv(a, 6, 3, 1, 2, 1, -5, -20, true, false, 2);
  c = q.maxpool(c, 3, 2, 1);
  auto l = q.lut(b);
  auto cat = q.concat({l, c});
  auto f = q.dequantize(cat, 0.05f, 0);
  f = q.relu_float(f);
  auto r = q.quantize(f, 0.05f, 0);
  r = q.conv(r, 5, 2, 1, 0, 1, 0, 2, false, false, 1, 1);  // pads: 0 before, 1 after
  q.g.outputs.push_back(q.dequantize(r, 0.1f, 2));
  return q;
}

// Channel padding as a Concat with an int8 constant (BlazeFace's residual
// blocks widen this way): conv 8 -> 12, then four constant channels of
// varied values, then a 3x3 conv over all 16 that reads the padded halo; the
// 12-channel tensor is also read by a 3x3 conv of its own, and the two are added.
inline QGraph channel_padding(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 8, 12, 12});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(a, 12, 3, 1, 1, 1, 0, 3, true);
  Tensor pad(DType::I8, {1, 4, 12, 12});
  for (int64_t i = 0; i < pad.numel(); ++i) pad.data<int8_t>()[i] = static_cast<int8_t>(i % 7 - 3);
  auto padded = q.concat({a, q.g.add_constant("padding", pad)});
  auto b = q.conv(padded, 8, 3, 1, 1, 1, 3, -2, false);
  auto c = q.conv(a, 8, 3, 1, 1, 1, 3, 1, false);
  q.g.outputs.push_back(q.dequantize(q.add(b, c, -2, 1, 0), 0.1f, 0));
  return q;
}

// Five 3x3 convs on 28x28, three of them of 1.8M MACs.
inline QGraph large_layers(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 16, 28, 28});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(a, 16, 3, 1, 1, 1, 0, 1, true);   // 1.8M MACs
  a = q.conv(a, 32, 3, 2, 1, 1, 1, -1, true);  // 0.9M
  a = q.conv(a, 32, 3, 1, 1, 1, -1, 0, true);  // 1.8M
  a = q.conv(a, 64, 3, 2, 1, 1, 0, 3, true);   // 0.9M
  a = q.conv(a, 64, 3, 1, 1, 1, 3, 0, true);   // 1.8M
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 0));
  return q;
}

// Three 3x3 convs of 32 channels in a row (each may prefetch behind the last).
inline QGraph three_convs(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 16, 14, 14});
  auto a = q.quantize(x, 0.02f, 0);
  for (int i = 0; i < 3; ++i) a = q.conv(a, 32, 3, 1, 1, 1, i == 0 ? 0 : 1, 1, true);
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 1));
  return q;
}

// Convs behind vector-unit layers: table -> conv -> max pool -> table ->
// conv -> conv (the first two may prefetch behind a table; no table follows
// a conv, which would fuse it into the conv's requantization).
inline QGraph convs_between_tables(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 16, 20, 20});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(q.lut(a), 32, 3, 1, 1, 1, 0, 1, false);
  a = q.conv(q.lut(q.maxpool(a, 2, 2)), 48, 3, 1, 1, 1, 1, 2, false);
  a = q.conv(a, 32, 3, 1, 1, 1, 2, 0, true);
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 0));
  return q;
}

// Two 3x3 convs whose weights are 2:4 sparse.
inline QGraph sparse_convs(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 16, 12, 12});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(a, 32, 3, 1, 1, 1, 0, 3, true, true);
  a = q.conv(a, 32, 3, 1, 1, 1, 3, -3, false, true);
  q.g.outputs.push_back(q.dequantize(a, 0.1f, -3));
  return q;
}

// A residual block: conv, then main path m1 -> m2 and a 1x1 projection, added.
inline QGraph residual_block(uint64_t seed, ir::ValueId* m1_out = nullptr, ir::ValueId* m2_out = nullptr) {
  QGraph q(seed);
  auto x = q.float_input("x", {-1, 8, 12, 12});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(a, 16, 3, 1, 1, 1, 0, 2, true);
  auto m1 = q.conv(a, 16, 3, 1, 1, 1, 2, 1, true);
  auto proj = q.conv(a, 16, 1, 1, 0, 1, 2, 3, false);
  auto m2 = q.conv(m1, 16, 3, 1, 1, 1, 1, 4, false);
  a = q.add(m2, proj, 4, 3, 0);
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 0));
  if (m1_out) *m1_out = m1;
  if (m2_out) *m2_out = m2;
  return q;
}

// Layers that need more than row and channel tiles on edge's buffers: a 1x1
// expansion whose accumulators hold only a few of its output channels for a
// row tile (its weights fit the weight buffer, so they can stay resident
// over an H>M loop), a projection back, and a 3x3 conv of dilation 4, whose
// kernel spans 9 input rows (one row phase needs 3).
inline QGraph wide_and_dilated(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 16, 40, 40});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(a, 128, 1, 1, 0, 1, 0, 2, true);               // 3.3M MACs
  a = q.conv(a, 32, 1, 1, 0, 1, 2, -1, false);              // 6.6M
  a = q.conv(a, 32, 3, 1, 4, 1, -1, 3, true, false, 4);     // 14.7M, dilation 4
  a = q.conv(a, 16, 3, 2, 4, 1, 3, 0, false, false, 4, 3);  // stride 2, dilation 4
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 0));
  return q;
}

// Rows too wide for edge's accumulators to hold a full-width row of 16
// output channels three times: 3x3 convs on 96 output columns.
inline QGraph wide_rows(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 4, 48, 192});
  auto a = q.quantize(x, 0.02f, 0);
  a = q.conv(a, 16, 3, 2, 1, 1, 0, 1, true);   // 1.3M MACs, 24 x 96 outputs
  a = q.conv(a, 24, 3, 1, 1, 1, 1, -2, true);  // 8.0M
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 0));
  return q;
}

// A chain of convs, each the only reader of the one before (their
// activations can stay on chip): 3x3 (the next reads its halo rows and
// columns), 3x1 (its reader reads halo rows only), 1x1 (no halo), a
// depthwise 3x3 (a grouped reader) and a stride-2 3x3.
inline QGraph conv_chain(uint64_t seed) {
  QGraph q(seed);
  auto x = q.float_input("x", {1, 8, 14, 10});
  auto a = q.quantize(x, 0.02f, 3);
  a = q.conv(a, 16, 3, 1, 1, 1, 3, -4, true);
  a = q.conv_rect(a, 16, 3, 1, 1, 0, -4, 6, false);
  a = q.conv(a, 24, 1, 1, 0, 1, 6, -9, true);
  a = q.conv(a, 24, 3, 1, 1, 24, -9, 2, false);
  a = q.conv(a, 32, 3, 2, 1, 1, 2, 5, true);
  q.g.outputs.push_back(q.dequantize(a, 0.1f, 5));
  return q;
}

}  // namespace etch::testing
