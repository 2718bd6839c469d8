// A direct definition of ONNX Conv (1-D / 2-D, groups, strides, dilations,
// pads) accumulated in double, independent of im2col, BLAS and oneDNN: the
// oracle of the conv kernel tests.
#pragma once
#include <vector>

#include "etch/core/tensor.h"
#include "nn_test_util.h"

namespace etch::runtime::testing {

struct ConvCfg {
  int64_t n, c, m, group;
  std::vector<int64_t> in, k, stride, dil, pads;  // pads: begins then ends
  bool bias;
};

// Direct definition of ONNX Conv for 1-D / 2-D, independent of im2col/BLAS.
inline Tensor naive_conv(const ConvCfg& cfg, const Tensor& x, const Tensor& w, const Tensor* b) {
  const size_t nd = cfg.in.size();
  std::vector<int64_t> in = cfg.in, k = cfg.k, s = cfg.stride, d = cfg.dil, pb(cfg.pads.begin(), cfg.pads.begin() + nd),
                       pe(cfg.pads.begin() + nd, cfg.pads.end());
  if (nd == 1) {  // treat as 2-D with H = 1
    in.insert(in.begin(), 1), k.insert(k.begin(), 1), s.insert(s.begin(), 1), d.insert(d.begin(), 1);
    pb.insert(pb.begin(), 0), pe.insert(pe.begin(), 0);
  }
  int64_t oh = (in[0] + pb[0] + pe[0] - ((k[0] - 1) * d[0] + 1)) / s[0] + 1;
  int64_t ow = (in[1] + pb[1] + pe[1] - ((k[1] - 1) * d[1] + 1)) / s[1] + 1;
  Shape ys{cfg.n, cfg.m};
  if (nd == 2) ys.push_back(oh);
  ys.push_back(ow);
  Tensor y(DType::F32, ys);
  const int64_t cg = cfg.c / cfg.group, mg = cfg.m / cfg.group;
  const float* xv = x.data<float>();
  const float* wv = w.data<float>();
  float* yv = y.data<float>();
  for (int64_t n = 0; n < cfg.n; ++n)
    for (int64_t m = 0; m < cfg.m; ++m)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = b ? b->data<float>()[m] : 0.0;
          const int64_t g = m / mg;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ki = 0; ki < k[0]; ++ki)
              for (int64_t kj = 0; kj < k[1]; ++kj) {
                int64_t hi = i * s[0] - pb[0] + ki * d[0], wj = j * s[1] - pb[1] + kj * d[1];
                if (hi < 0 || hi >= in[0] || wj < 0 || wj >= in[1]) continue;
                acc += static_cast<double>(xv[((n * cfg.c + g * cg + c) * in[0] + hi) * in[1] + wj]) *
                       wv[((m * cg + c) * k[0] + ki) * k[1] + kj];
              }
          yv[((n * cfg.m + m) * oh + i) * ow + j] = static_cast<float>(acc);
        }
  return y;
}

inline void expect_close(const Tensor& got, const Tensor& want, float tol = 1e-4f) {
  ASSERT_EQ(shape_str(got.shape()), shape_str(want.shape()));
  for (int64_t i = 0; i < want.numel(); ++i)
    ASSERT_NEAR(got.data<float>()[i], want.data<float>()[i], tol) << "element " << i;
}

}  // namespace etch::runtime::testing
