// The direct conv kernels (depthwise, 1x1, the FusedConv summand) against the
// generic im2col + GEMM path and the unfused ops. Depthwise: against the
// same convolution written as a dense one with a block-diagonal weight; and
// bit-identical results with 1 and 2 threads for corpus-like layers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/gemm.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using testing::float_values;
using testing::make_node;
using testing::random_tensor;
using testing::run;

struct DwCase {
  int64_t c, h, w, k, s, d;
  std::vector<int64_t> pads;  // top, left, bottom, right
};

std::map<std::string, ir::Attribute> conv_attrs(const DwCase& c, int64_t group) {
  return {{"kernel_shape", std::vector<int64_t>{c.k, c.k}},
          {"strides", std::vector<int64_t>{c.s, c.s}},
          {"dilations", std::vector<int64_t>{c.d, c.d}},
          {"pads", c.pads},
          {"group", group}};
}

// The depthwise weight [c,1,k,k] as a dense [c,c,k,k] one, zero off the diagonal.
Tensor block_diagonal(const Tensor& w) {
  const int64_t c = w.dim(0), kk = w.dim(2) * w.dim(3);
  Tensor dense(DType::F32, {c, c, w.dim(2), w.dim(3)});
  for (int64_t o = 0; o < c; ++o)
    for (int64_t t = 0; t < kk; ++t) dense.data<float>()[(o * c + o) * kk + t] = w.data<float>()[o * kk + t];
  return dense;
}

const DwCase kCases[] = {
    {24, 32, 32, 3, 1, 1, {1, 1, 1, 1}},  // BlazeFace-like, a multiple of 16 wide
    {5, 13, 37, 3, 1, 1, {1, 1, 1, 1}},   // vector tails
    {6, 20, 41, 3, 2, 1, {0, 0, 1, 1}},   // TF "same" with stride 2 (asymmetric pads)
    {4, 33, 70, 3, 2, 1, {1, 1, 1, 1}},   // stride 2, full and partial vectors
    {3, 17, 19, 5, 1, 1, {2, 2, 2, 2}},   // 5x5
    {3, 16, 23, 3, 1, 2, {2, 2, 2, 2}},   // dilated
    {2, 9, 11, 3, 3, 1, {0, 0, 0, 0}},    // stride 3 (scalar path), no padding
    {2, 4, 5, 3, 1, 1, {3, 3, 3, 3}},     // pads wider than the kernel reach
    // Rows whose last block needs every one of the row kernel's vectors
    // (56 and 61 columns: 49-63 past a multiple of 64 with AVX-512's 4 x 16,
    // 57-63 with AVX2's 8 x 8); MobileFaceNet's 56-wide layers lost them.
    {3, 6, 56, 3, 1, 1, {1, 1, 1, 1}},
    {2, 7, 61, 3, 1, 1, {1, 1, 1, 1}},
    {2, 9, 121, 3, 2, 1, {0, 0, 1, 1}},  // stride 2, 61 output columns
};

TEST(DepthwiseConv, MatchesDenseBlockDiagonalConv) {
  // Outputs the kernel fails to write read as NaN, not as fresh zero pages
  // (off again when the test ends, however it ends).
  struct Poisoned {
    Poisoned() { set_poison_uninitialised_outputs(true); }
    ~Poisoned() { set_poison_uninitialised_outputs(false); }
  } poisoned;
  for (const DwCase& c : kCases) {
    const Tensor x = random_tensor({2, c.c, c.h, c.w}, 1);
    const Tensor w = random_tensor({c.c, 1, c.k, c.k}, 2);
    const Tensor b = random_tensor({c.c}, 3);
    const Tensor dense = block_diagonal(w);
    const auto fast = float_values(run(make_node("Conv", 3, conv_attrs(c, c.c)), {&x, &w, &b})[0]);
    const auto ref = float_values(run(make_node("Conv", 3, conv_attrs(c, 1)), {&x, &dense, &b})[0]);
    ASSERT_EQ(fast.size(), ref.size());
    for (size_t i = 0; i < ref.size(); ++i)
      ASSERT_NEAR(fast[i], ref[i], 1e-5) << "c" << c.c << " " << c.h << "x" << c.w << " k" << c.k << " s" << c.s << " d"
                                         << c.d << " at " << i;
    // Without bias the output is the plain sum (no +0 that could flip a -0).
    const auto fast_nb = float_values(run(make_node("Conv", 2, conv_attrs(c, c.c)), {&x, &w})[0]);
    const auto ref_nb = float_values(run(make_node("Conv", 2, conv_attrs(c, 1)), {&x, &dense})[0]);
    for (size_t i = 0; i < ref_nb.size(); ++i) ASSERT_NEAR(fast_nb[i], ref_nb[i], 1e-5) << i;
  }
}

TEST(DepthwiseConv, MatchesDefinitionInDouble) {
  const DwCase c{3, 11, 29, 3, 2, 1, {0, 1, 1, 0}};
  const Tensor x = random_tensor({1, c.c, c.h, c.w}, 4);
  const Tensor w = random_tensor({c.c, 1, 3, 3}, 5);
  const auto y = run(make_node("Conv", 2, conv_attrs(c, c.c)), {&x, &w})[0];
  const int64_t oh = y.dim(2), ow = y.dim(3);
  ASSERT_EQ(oh, (c.h + 1 - 3) / 2 + 1);
  ASSERT_EQ(ow, (c.w + 1 - 3) / 2 + 1);
  for (int64_t ch = 0; ch < c.c; ++ch)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double ref = 0;
        for (int64_t a = 0; a < 3; ++a)
          for (int64_t b = 0; b < 3; ++b) {
            const int64_t yy = i * 2 - 0 + a, xx = j * 2 - 1 + b;
            if (yy >= 0 && yy < c.h && xx >= 0 && xx < c.w)
              ref += static_cast<double>(x.data<float>()[(ch * c.h + yy) * c.w + xx]) *
                     w.data<float>()[ch * 9 + a * 3 + b];
          }
        ASSERT_NEAR(y.data<float>()[(ch * oh + i) * ow + j], ref, 1e-5) << ch << "," << i << "," << j;
      }
}

TEST(DepthwiseConv, FusedClampMatchesConvThenClip) {
  const DwCase c{8, 15, 33, 3, 1, 1, {1, 1, 1, 1}};
  const Tensor x = random_tensor({1, c.c, c.h, c.w}, 6, -3.0f, 3.0f);
  const Tensor w = random_tensor({c.c, 1, 3, 3}, 7);
  const Tensor b = random_tensor({c.c}, 8);
  auto attrs = conv_attrs(c, c.c);
  const Tensor conv = run(make_node("Conv", 3, attrs), {&x, &w, &b})[0];
  for (bool relu : {true, false}) {
    auto fattrs = attrs;
    if (relu) {
      fattrs["activation"] = std::string("Relu");
    } else {
      fattrs["activation"] = std::string("Clip");
      fattrs["activation_params"] = std::vector<float>{0.0f, 6.0f};
    }
    ir::Node fused = make_node("FusedConv", 3, fattrs);
    fused.domain = "ai.etch";
    const auto got = float_values(run(fused, {&x, &w, &b})[0]);
    const auto plain = float_values(conv);
    for (size_t i = 0; i < plain.size(); ++i) {
      const float v = plain[i];
      const float want = relu ? (v > 0.0f ? v : 0.0f) : (v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v));
      ASSERT_EQ(got[i], want) << (relu ? "relu" : "clip") << " at " << i;
    }
  }
}

// Corpus-like layers (BlazeFace: depthwise 3x3 then 1x1 on 24 channels; M-LSD:
// a 3x3 dense conv) give the same bits with 1 and 2 threads.
TEST(ConvThreads, OneAndTwoThreadsGiveIdenticalBits) {
  const Tensor x = random_tensor({1, 24, 64, 64}, 9);
  const Tensor wdw = random_tensor({24, 1, 3, 3}, 10);
  const Tensor w1 = random_tensor({24, 24, 1, 1}, 11);
  const Tensor w3 = random_tensor({32, 24, 3, 3}, 12);
  const Tensor b24 = random_tensor({24}, 13);
  const Tensor b32 = random_tensor({32}, 14);
  const DwCase dw1{24, 64, 64, 3, 1, 1, {1, 1, 1, 1}}, dw2{24, 64, 64, 3, 2, 1, {0, 0, 1, 1}};
  const ir::Node n_dw1 = make_node("Conv", 3, conv_attrs(dw1, 24));
  const ir::Node n_dw2 = make_node("Conv", 3, conv_attrs(dw2, 24));
  const ir::Node n_pw = make_node("Conv", 3);
  const ir::Node n_3x3 = make_node("Conv", 3, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  auto run_all = [&] {
    std::vector<std::vector<float>> outs;
    outs.push_back(float_values(run(n_dw1, {&x, &wdw, &b24})[0]));
    outs.push_back(float_values(run(n_dw2, {&x, &wdw, &b24})[0]));
    outs.push_back(float_values(run(n_pw, {&x, &w1, &b24})[0]));
    outs.push_back(float_values(run(n_3x3, {&x, &w3, &b32})[0]));
    return outs;
  };
  const int before = num_threads();
  set_num_threads(1);
  const auto one = run_all();
  set_num_threads(2);
  const auto two = run_all();
  set_num_threads(before);
  ASSERT_EQ(one.size(), two.size());
  for (size_t l = 0; l < one.size(); ++l) {
    ASSERT_EQ(one[l].size(), two[l].size());
    for (size_t i = 0; i < one[l].size(); ++i) {
      uint32_t a, b;
      std::memcpy(&a, &one[l][i], 4);
      std::memcpy(&b, &two[l][i], 4);
      ASSERT_EQ(a, b) << "layer " << l << " element " << i;
    }
  }
}

// Pad's row copy against the definition, for every mode, wide rows and crops.
TEST(PadFastPath, MatchesDefinition) {
  const Tensor x = random_tensor({2, 3, 5, 40}, 15);
  const std::vector<std::vector<int64_t>> all_pads = {
      {0, 0, 1, 2, 0, 0, 2, 1}, {0, 1, 0, 0, 0, 0, 1, 3}, {0, 0, -1, 3, 0, 0, 1, -2}, {0, 0, 0, 45, 0, 0, 0, -41}};
  for (const std::string mode : {"constant", "reflect", "edge"})
    for (const auto& p : all_pads) {
      if (mode == "reflect" && (p[3] > 39 || p[7] > 39)) continue;  // reflect needs pads < the dim
      const Tensor pads = Tensor::from_vector<int64_t>({8}, p);
      const Tensor cv = Tensor::from_vector<float>({}, {7.5f});
      const Tensor y = run(make_node("Pad", 3, {{"mode", mode}}), {&x, &pads, &cv})[0];
      Shape want_shape;
      for (int d = 0; d < 4; ++d) want_shape.push_back(x.dim(d) + p[d] + p[d + 4]);
      ASSERT_EQ(y.shape(), want_shape);
      std::vector<int64_t> idx(4, 0);
      for (int64_t o = 0; o < y.numel(); ++o) {
        int64_t rem = o, src = 0;
        bool outside = false;
        for (int d = 3; d >= 0; --d) {
          int64_t i = rem % y.dim(d) - p[d];
          rem /= y.dim(d);
          const int64_t n = x.dim(d);
          if (i < 0 || i >= n) {
            if (mode == "constant")
              outside = true;
            else if (mode == "edge")
              i = i < 0 ? 0 : n - 1;
            else
              i = i < 0 ? -i : 2 * (n - 1) - i;
          }
          int64_t stride = 1;
          for (int e = d + 1; e < 4; ++e) stride *= x.dim(e);
          src += i * stride;
        }
        const float want = outside ? 7.5f : x.data<float>()[src];
        ASSERT_EQ(y.data<float>()[o], want) << mode << " at " << o;
      }
    }
}

// The direct 1x1 kernel against sgemm (the generic path's product) plus bias,
// for tile and tail sizes: rows not a multiple of 4, columns not of 16 or 64.
TEST(PointwiseConv, MatchesSgemmPlusBias) {
  const int64_t shapes[][3] = {{24, 24, 128 * 128}, {7, 5, 37}, {16, 3, 64}, {5, 33, 200}, {1, 9, 15}};
  for (const auto& s : shapes) {
    const int64_t m = s[0], c = s[1], hw = s[2];
    const Tensor x = random_tensor({2, c, 1, hw}, 31);
    const Tensor w = random_tensor({m, c, 1, 1}, 32);
    const Tensor b = random_tensor({m}, 33);
    const auto y = float_values(run(make_node("Conv", 3), {&x, &w, &b})[0]);
    ASSERT_EQ(static_cast<int64_t>(y.size()), 2 * m * hw);
    std::vector<float> ref(static_cast<size_t>(m * hw));
    for (int64_t n = 0; n < 2; ++n) {
      sgemm(false, false, m, hw, c, 1.0f, w.data<float>(), c, x.data<float>() + n * c * hw, hw, 0.0f, ref.data(), hw);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < hw; ++j)
          ASSERT_NEAR(y[(n * m + i) * hw + j], ref[i * hw + j] + b.data<float>()[i], 1e-5)
              << m << "x" << c << "x" << hw << " at " << n << "," << i << "," << j;
    }
  }
}

// FusedConv with a summand (Conv→Add→Relu/Clip) equals the three ops run one by
// one, bit for bit, on the 1x1, depthwise-shaped and 3x3 (im2col) paths, with
// and without a bias.
TEST(FusedConvSummand, EqualsConvAddActivation) {
  struct Case {
    int64_t c, m, k, group;
    bool bias;
  };
  for (const Case cs : {Case{24, 24, 1, 1, true}, Case{6, 10, 1, 1, false}, Case{8, 8, 3, 8, true},
                        Case{4, 6, 3, 1, true}, Case{4, 6, 3, 1, false}}) {
    const int64_t pad = cs.k / 2;
    std::map<std::string, ir::Attribute> attrs{{"group", cs.group}, {"pads", std::vector<int64_t>{pad, pad, pad, pad}}};
    const Tensor x = random_tensor({2, cs.c, 9, 21}, 41);
    const Tensor w = random_tensor({cs.m, cs.c / cs.group, cs.k, cs.k}, 42);
    const Tensor b = random_tensor({cs.m}, 43);
    const Tensor z = random_tensor({2, cs.m, 9, 21}, 44);
    const Tensor conv =
        cs.bias ? run(make_node("Conv", 3, attrs), {&x, &w, &b})[0] : run(make_node("Conv", 2, attrs), {&x, &w})[0];
    const Tensor sum = run(make_node("Add", 2), {&conv, &z})[0];
    for (bool relu : {true, false}) {
      auto fattrs = attrs;
      fattrs["activation"] = std::string(relu ? "Relu" : "Clip");
      if (!relu) fattrs["activation_params"] = std::vector<float>{-0.5f, 0.75f};
      ir::Node fused = make_node("FusedConv", 4, fattrs);
      fused.domain = "ai.etch";
      const Tensor want = relu ? run(make_node("Relu", 1), {&sum})[0]
                               : run(make_node("Clip", 1, {{"min", -0.5f}, {"max", 0.75f}}), {&sum})[0];
      const auto got = float_values(run(fused, {&x, &w, cs.bias ? &b : nullptr, &z})[0]);
      const auto wv = float_values(want);
      ASSERT_EQ(got.size(), wv.size());
      for (size_t i = 0; i < wv.size(); ++i) {
        uint32_t a, bb;
        std::memcpy(&a, &got[i], 4);
        std::memcpy(&bb, &wv[i], 4);
        ASSERT_EQ(a, bb) << "c" << cs.c << " m" << cs.m << " k" << cs.k << " g" << cs.group
                         << (relu ? " relu" : " clip") << " at " << i;
      }
    }
  }
}

}  // namespace
}  // namespace etch::runtime
