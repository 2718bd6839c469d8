// ai.etch QAveragePool: the exact int32 window sum of (x − x_zero_point),
// padding contributing 0, requantized with one multiplier that folds in both
// the scale change and the division by the kernel area (docs/quantization.md).
#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/qint_common.h"

namespace etch::runtime {
namespace {

void qaverage_pool(KernelContext& c) {
  const Tensor& x = c.input(0);
  const ir::Node& n = c.node();
  if (x.rank() != 4)
    c.fail("QAveragePool supports 2-D pooling (rank-4 input) only, got rank " + std::to_string(x.rank()));
  const ir::Window w = ir::resolve_window(n, {x.dim(2), x.dim(3)}, n.attr_ints("kernel_shape"), false);
  const ir::QPoolParams p = ir::qpool_params(n);
  const int32_t zx = p.x_zero_point;
  const int64_t H = x.dim(2), W = x.dim(3), OH = w.out[0], OW = w.out[1];
  const int8_t* xp = x.data<int8_t>();
  int8_t* y = c.output(0).data<int8_t>();
  parallel_for(x.dim(0) * x.dim(1), 1, [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const int8_t* src = xp + plane * H * W;
      int8_t* dst = y + plane * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int32_t acc = 0;
          for (int64_t kh = 0; kh < w.kernel[0]; ++kh) {
            const int64_t ih = oh * w.strides[0] - w.pad_begin[0] + kh * w.dilations[0];
            if (ih < 0 || ih >= H) continue;
            for (int64_t kw = 0; kw < w.kernel[1]; ++kw) {
              const int64_t iw = ow * w.strides[1] - w.pad_begin[1] + kw * w.dilations[1];
              if (iw >= 0 && iw < W) acc += src[ih * W + iw] - zx;
            }
          }
          dst[oh * OW + ow] = qint::requantize_output(acc, p.requant, p.y);
        }
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("QAveragePool", ir::kEtchDomain, DType::I8, qaverage_pool);
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("QAveragePool", ir::kEtchDomain, DType::I8);

}  // namespace etch::runtime
