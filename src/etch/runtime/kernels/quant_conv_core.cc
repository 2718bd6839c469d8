#include "etch/runtime/kernels/quant_conv_core.h"

#include <algorithm>

#include "etch/core/error.h"
#include "etch/core/thread_pool.h"

namespace etch::runtime {
namespace {
// Output positions per im2col block: bounds the scratch to K·kBlock int32s
// and gives the pool independent tasks.
constexpr int64_t kBlock = 256;
}  // namespace

template <typename T>
void integer_conv(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                  const IntConvEpilogue& epilogue) {
  const int64_t cg = g.in_channels / g.group, mg = g.out_channels / g.group;
  const int64_t kvol = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const int64_t k_total = cg * kvol;
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  ETCH_CHECK(static_cast<int64_t>(w_centered.size()) == g.out_channels * k_total) << "weight size";
  for (int32_t v : w_centered) ETCH_CHECK(v >= -255 && v <= 255) << "centered weight " << v << " exceeds 9 bits";
  if (out_plane == 0 || g.batch == 0 || g.out_channels == 0) return;
  const int64_t blocks = (out_plane + kBlock - 1) / kBlock;
  const int64_t tasks = g.batch * g.group * blocks;

  parallel_for(tasks, 1, [&](int64_t tb, int64_t te) {
    // Centered 8-bit values lie in [-255, 255]: int16 columns halve the
    // traffic and let baseline SSE2 multiply 16x16 -> 32 natively.
    std::vector<int16_t> col(static_cast<size_t>(k_total * kBlock));
    std::vector<uint32_t> acc(kBlock);  // unsigned: wrap-around is defined
    std::vector<int32_t> acc_out(kBlock);
    std::vector<int64_t> o0(kBlock), o1(kBlock), o2(kBlock);
    for (int64_t t = tb; t < te; ++t) {
      const int64_t blk = t % blocks, grp = (t / blocks) % g.group, n = t / (blocks * g.group);
      const int64_t p0 = blk * kBlock, count = std::min(kBlock, out_plane - p0);
      for (int64_t p = 0; p < count; ++p) {
        const int64_t q = p0 + p;
        o2[p] = q % g.out[2];
        o1[p] = (q / g.out[2]) % g.out[1];
        o0[p] = q / (g.out[2] * g.out[1]);
      }
      // im2col: row (c, k0, k1, k2), column p.
      const T* xg = x + (n * g.in_channels + grp * cg) * in_plane;
      for (int64_t c = 0; c < cg; ++c) {
        const T* xc = xg + c * in_plane;
        for (int64_t k0 = 0; k0 < g.kernel[0]; ++k0)
          for (int64_t k1 = 0; k1 < g.kernel[1]; ++k1)
            for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
              const int64_t row = ((c * g.kernel[0] + k0) * g.kernel[1] + k1) * g.kernel[2] + k2;
              int16_t* dst = col.data() + row * kBlock;
              for (int64_t p = 0; p < count; ++p) {
                const int64_t i0 = o0[p] * g.stride[0] - g.pad_begin[0] + k0 * g.dilation[0];
                const int64_t i1 = o1[p] * g.stride[1] - g.pad_begin[1] + k1 * g.dilation[1];
                const int64_t i2 = o2[p] * g.stride[2] - g.pad_begin[2] + k2 * g.dilation[2];
                const bool inside = i0 >= 0 && i0 < g.in[0] && i1 >= 0 && i1 < g.in[1] && i2 >= 0 && i2 < g.in[2];
                dst[p] = inside ? static_cast<int16_t>(xc[(i0 * g.in[1] + i1) * g.in[2] + i2] - x_zero) : int16_t{0};
              }
            }
      }
      for (int64_t mi = 0; mi < mg; ++mi) {
        const int64_t m = grp * mg + mi;
        const int32_t* wrow = w_centered.data() + m * k_total;
        std::fill(acc.begin(), acc.begin() + count, 0u);
        for (int64_t k = 0; k < k_total; ++k) {
          const int32_t wv = wrow[k];
          if (wv == 0) continue;
          const int16_t w16 = static_cast<int16_t>(wv);
          const int16_t* src = col.data() + k * kBlock;
          uint32_t* a = acc.data();
          for (int64_t p = 0; p < count; ++p) a[p] += static_cast<uint32_t>(int32_t{w16} * src[p]);
        }
        for (int64_t p = 0; p < count; ++p) acc_out[p] = static_cast<int32_t>(acc[p]);
        epilogue(n, m, p0, count, acc_out.data());
      }
    }
  });
}

template void integer_conv<uint8_t>(const ir::ConvGeometry&, const uint8_t*, int32_t, const std::vector<int32_t>&,
                                    const IntConvEpilogue&);
template void integer_conv<int8_t>(const ir::ConvGeometry&, const int8_t*, int32_t, const std::vector<int32_t>&,
                                   const IntConvEpilogue&);

}  // namespace etch::runtime
