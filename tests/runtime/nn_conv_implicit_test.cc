// The implicit-GEMM convolution against im2col + direct_gemm, the path it
// replaces, bit for bit (same products in the same order), at stride 1 and
// through phase planes at larger strides, delivered in bands or written row by
// row into the output; and FusedConv with
// a 2x2 pool, whose pool reads the padded-width planes, against the unfused
// ops.
#include "etch/runtime/kernels/nn_conv_implicit.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/nn_conv_pointwise.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using testing::float_values;
using testing::make_node;
using testing::random_tensor;
using testing::run;

struct Case {
  int64_t groups, cg, mg, h, w, kh, kw, dh, dw;
  int64_t pt, pl, pb, pr;
  int64_t band_rows;
  int64_t sh = 1, sw = 1;
};

Geom3 geom(const Case& c) {
  Geom3 g{};
  const int64_t oh = (c.h + c.pt + c.pb - (c.kh - 1) * c.dh - 1) / c.sh + 1;
  const int64_t ow = (c.w + c.pl + c.pr - (c.kw - 1) * c.dw - 1) / c.sw + 1;
  const int64_t in[3] = {1, c.h, c.w}, out[3] = {1, oh, ow}, k[3] = {1, c.kh, c.kw}, s[3] = {1, c.sh, c.sw},
                d[3] = {1, c.dh, c.dw}, p[3] = {0, c.pt, c.pl};
  for (int i = 0; i < 3; ++i)
    g.in[i] = in[i], g.out[i] = out[i], g.k[i] = k[i], g.s[i] = s[i], g.d[i] = d[i], g.p[i] = p[i];
  return g;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(ImplicitConv, EqualsIm2colPlusDirectGemmBitForBit) {
  if (!pointwise_conv_available()) GTEST_SKIP() << "the direct kernels need AVX2 or AVX-512";
  const Case cases[] = {
      {1, 16, 32, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 100},  // the fixture's first layers, whole planes
      {1, 3, 5, 17, 40, 3, 3, 1, 1, 1, 1, 1, 1, 3},      // bands of 3 rows, a partial last one
      {2, 4, 3, 20, 33, 3, 3, 2, 2, 2, 1, 0, 3, 7},      // groups, dilation, asymmetric pads
      {1, 2, 7, 9, 50, 5, 5, 1, 1, 0, 0, 0, 0, 2},       // no padding (input rows wider than reached)
      {1, 3, 4, 1, 64, 1, 3, 1, 1, 0, 1, 0, 1, 1},       // 1-D
      // Strided: a first layer's 5x5 stride 2 (BlazeFace), 3x3 stride 2 with
      // odd and even input sizes, stride 3 with dilation, a 1-D stride 2, and
      // stride 2 by 1 with an input wider than the taps reach.
      {1, 3, 24, 32, 32, 5, 5, 1, 1, 1, 1, 2, 2, 5, 2, 2},
      {1, 4, 6, 19, 21, 3, 3, 1, 1, 1, 1, 1, 1, 4, 2, 2},
      {2, 2, 5, 24, 26, 3, 3, 1, 1, 0, 1, 1, 0, 100, 2, 2},
      {1, 3, 3, 20, 40, 3, 3, 2, 2, 2, 2, 2, 2, 3, 3, 3},
      {1, 2, 7, 1, 80, 1, 5, 1, 1, 0, 2, 0, 2, 1, 1, 2},
      {1, 3, 4, 16, 61, 3, 3, 1, 1, 1, 0, 1, 0, 6, 2, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("cg" + std::to_string(c.cg) + " mg" + std::to_string(c.mg) + " " + std::to_string(c.h) + "x" +
                 std::to_string(c.w) + " band " + std::to_string(c.band_rows) + " stride " + std::to_string(c.sh) +
                 "x" + std::to_string(c.sw));
    const Geom3 g = geom(c);
    const int64_t batch = 2, m = c.groups * c.mg, kc = c.cg * c.kh * c.kw, out_sz = g.out_size();
    const Tensor x = random_tensor({batch, c.groups * c.cg, c.h, c.w}, 11);
    const Tensor w = random_tensor({m, c.cg, c.kh, c.kw}, 12);
    const Tensor b = random_tensor({m}, 13);
    for (bool relu : {true, false}) {
      const PointwiseEpilogue e{b.data<float>(), nullptr, true, relu, -0.25f, 0.5f};
      std::vector<float> want(static_cast<size_t>(batch * m * out_sz));
      std::vector<float> col(static_cast<size_t>(kc * out_sz + kIm2colSlack));
      for (int64_t n = 0; n < batch; ++n)
        for (int64_t gi = 0; gi < c.groups; ++gi) {
          im2col(g, c.cg, x.data<float>() + (n * c.groups + gi) * c.cg * c.h * c.w, 0, out_sz, col.data(), true);
          PointwiseEpilogue eg = e;
          eg.bias += gi * c.mg;
          direct_gemm(c.mg, kc, out_sz, w.data<float>() + gi * c.mg * kc, col.data(), out_sz, eg,
                      want.data() + (n * m + gi * c.mg) * out_sz, out_sz);
        }
      std::vector<float> got(want.size(), -1.0f);
      std::vector<int> seen(static_cast<size_t>(batch * m * g.out[1]), 0);
      implicit_conv(g, batch, c.groups, c.cg, c.mg, x.data<float>(), w.data<float>(), e, c.band_rows,
                    [&](int64_t n, int64_t gi, int64_t r0, int64_t r1, const float* planes, int64_t ld) {
                      ASSERT_GE(ld, g.out[2]);
                      for (int64_t oc = 0; oc < c.mg; ++oc)
                        for (int64_t r = r0; r < r1; ++r) {
                          const int64_t ch = n * m + gi * c.mg + oc;
                          ++seen[static_cast<size_t>(ch * g.out[1] + r)];
                          std::memcpy(got.data() + ch * out_sz + r * g.out[2], planes + (oc * (r1 - r0) + r - r0) * ld,
                                      sizeof(float) * static_cast<size_t>(g.out[2]));
                        }
                    });
      for (int s : seen) ASSERT_EQ(s, 1) << "every output row is delivered once";
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_TRUE(same_bits(got[i], want[i]))
            << (relu ? "relu" : "clip") << " at " << i << ": " << got[i] << " vs " << want[i];
      std::vector<float> rows(want.size(), -1.0f);
      implicit_conv_rows(g, batch, c.groups, c.cg, c.mg, x.data<float>(), w.data<float>(), e, c.band_rows, rows.data());
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_TRUE(same_bits(rows[i], want[i]))
            << "rows, " << (relu ? "relu" : "clip") << " at " << i << ": " << rows[i] << " vs " << want[i];
    }
  }
}

TEST(ImplicitConv, FusedPoolEqualsConvReluMaxPool) {
  const Tensor x = random_tensor({3, 4, 28, 30}, 21), w = random_tensor({6, 4, 3, 3}, 22), b = random_tensor({6}, 23);
  const std::map<std::string, ir::Attribute> pads{{"pads", std::vector<int64_t>{1, 1, 1, 1}}};
  const ir::Node fused = testing::fused_conv_relu_pool2x2(pads);
  const Tensor conv = run(make_node("Conv", 3, pads), {&x, &w, &b})[0];
  const Tensor relu = run(make_node("Relu", 1), {&conv})[0];
  const Tensor want = run(
      make_node("MaxPool", 1, {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}}),
      {&relu})[0];
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    const Tensor got = run(fused, {&x, &w, &b})[0];
    ASSERT_EQ(got.shape(), want.shape());
    const auto gv = float_values(got), wv = float_values(want);
    for (size_t i = 0; i < wv.size(); ++i) ASSERT_TRUE(same_bits(gv[i], wv[i])) << threads << " threads, at " << i;
  }
  set_num_threads(0);
}

}  // namespace
}  // namespace etch::runtime
