// ai.etch QConv and QGemm: exact int32 sums of (x − x_zero_point)·w plus the
// int32 bias, requantized per output channel (docs/quantization.md). These
// kernels define the arithmetic that the NPU simulator reproduces bit for bit.
#include <algorithm>
#include <string>

#include "etch/core/int4.h"
#include "etch/core/thread_pool.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/quant_conv_geometry.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/qint_common.h"
#include "etch/runtime/kernels/quant_conv_core.h"
#include "etch/runtime/requantize_row.h"

namespace etch::runtime {
namespace {

std::vector<int32_t> weights_as_int32(const Tensor& w) {
  const Tensor w8 = unpack_int4(w);
  const int8_t* p = w8.data<int8_t>();
  return std::vector<int32_t>(p, p + w8.numel());
}

std::vector<int32_t> bias_or_zero(const KernelContext& c, size_t i, int64_t channels) {
  if (!c.has_input(i)) return std::vector<int32_t>(static_cast<size_t>(channels), 0);
  const int32_t* b = c.input(i).data<int32_t>();
  return std::vector<int32_t>(b, b + channels);
}

void qconv(KernelContext& c) {
  const ir::ConvGeometry g = ir::resolve_conv_geometry(c.node(), c.input(0).shape(), c.input(1).shape());
  const std::vector<int32_t> w = weights_as_int32(c.input(1));
  const std::vector<int32_t> bias = bias_or_zero(c, 2, g.out_channels);
  const ir::QConvParams p = ir::qconv_params(c.node(), g.out_channels);
  int8_t* y = c.output(0).data<int8_t>();
  const int64_t plane = g.out[0] * g.out[1] * g.out[2];
  const IntConvEpilogue store = [&](int64_t n, int64_t m, int64_t p0, int64_t count, const int32_t* acc) {
    int8_t* dst = y + (n * g.out_channels + m) * plane + p0;
    requantize_row_to_int8(acc, count, bias[m], qint::multiplier(p.channel(m)), p.y.zero_point, p.y.act_min,
                           p.y.act_max, dst);
  };
  integer_conv(g, c.input(0).data<int8_t>(), p.x_zero_point, w, store);
}

void qgemm(KernelContext& c) {
  const Tensor& x = c.input(0);
  const int64_t rows = x.dim(0), k_dim = x.dim(1), channels = c.input(1).dim(0);
  const std::vector<int32_t> w = weights_as_int32(c.input(1));
  const std::vector<int32_t> bias = bias_or_zero(c, 2, channels);
  const ir::QGemmParams p = ir::qconv_params(c.node(), channels);
  const int8_t* xp = x.data<int8_t>();
  int8_t* y = c.output(0).data<int8_t>();
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    std::vector<int32_t> xc(static_cast<size_t>(k_dim));
    for (int64_t r = r0; r < r1; ++r) {
      for (int64_t k = 0; k < k_dim; ++k) xc[k] = xp[r * k_dim + k] - p.x_zero_point;
      for (int64_t m = 0; m < channels; ++m) {
        const int32_t* wr = w.data() + m * k_dim;
        uint32_t acc = static_cast<uint32_t>(bias[m]);  // unsigned: wrap-around is defined
        for (int64_t k = 0; k < k_dim; ++k) acc += static_cast<uint32_t>(xc[k] * wr[k]);
        y[r * channels + m] = qint::requantize_output(static_cast<int32_t>(acc), p.channel(m), p.y);
      }
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("QConv", ir::kEtchDomain, DType::I8, qconv);
ETCH_REGISTER_KERNEL("QGemm", ir::kEtchDomain, DType::I8, qgemm);
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("QConv", ir::kEtchDomain, DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("QGemm", ir::kEtchDomain, DType::I8);

}  // namespace etch::runtime
