// MatMulInteger and QLinearMatMul kernels: numpy.matmul on 8-bit operands
// with zero points per tensor, per row of A or per column of B; exact int32
// sums. QLinearMatMul requantizes like the ONNX reference: float32
// multiplier a_scale[i]·b_scale[j]/y_scale applied in double, rounded half to
// even, offset and saturated.
#include <algorithm>
#include <functional>
#include <string>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/quant_matmul_geometry.h"
#include "etch/runtime/kernels/quant_common.h"

namespace etch::runtime {
namespace {
using namespace quant_detail;

// Called per (output batch, row) with the N int32 sums of that row.
using RowEpilogue = std::function<void(int64_t batch, int64_t row, const int32_t* acc)>;

struct Operands {
  std::vector<int32_t> a, b;  // centered: a − a_zero[row], b − b_zero[col]
};

Operands center(const KernelContext& c, const ir::MatMulGeometry& g, size_t a_i, size_t a_zp, size_t b_i, size_t b_zp) {
  Operands o{int32_values(c.input(a_i)), int32_values(c.input(b_i))};
  const std::vector<int32_t> za = int_param(c, a_zp, g.m, "a_zero_point");
  const std::vector<int32_t> zb = int_param(c, b_zp, g.n, "b_zero_point");
  for (size_t i = 0; i < o.a.size(); ++i) o.a[i] -= za[(i / g.k) % g.m];
  for (size_t i = 0; i < o.b.size(); ++i) o.b[i] -= zb[i % g.n];
  return o;
}

void integer_matmul(const ir::MatMulGeometry& g, const Operands& o, const RowEpilogue& epilogue) {
  const int64_t batches = static_cast<int64_t>(g.a_matrix.size());
  parallel_for(batches * g.m, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.k * g.n)),
               [&](int64_t rb, int64_t re) {
                 std::vector<uint32_t> acc(static_cast<size_t>(g.n));  // unsigned: defined wrap-around
                 std::vector<int32_t> out(static_cast<size_t>(g.n));
                 for (int64_t r = rb; r < re; ++r) {
                   const int64_t bi = r / g.m, row = r % g.m;
                   const int32_t* a = o.a.data() + (g.a_matrix[bi] * g.m + row) * g.k;
                   const int32_t* b = o.b.data() + g.b_matrix[bi] * g.k * g.n;
                   std::fill(acc.begin(), acc.end(), 0u);
                   for (int64_t k = 0; k < g.k; ++k) {
                     const int32_t av = a[k];
                     if (av == 0) continue;
                     const int32_t* brow = b + k * g.n;
                     for (int64_t j = 0; j < g.n; ++j) acc[j] += static_cast<uint32_t>(av * brow[j]);
                   }
                   for (int64_t j = 0; j < g.n; ++j) out[j] = static_cast<int32_t>(acc[j]);
                   epilogue(bi, row, out.data());
                 }
               });
}

void matmul_integer(KernelContext& c) {
  const ir::MatMulGeometry g = ir::resolve_matmul_geometry(c.node(), c.input(0).shape(), c.input(1).shape());
  const Operands o = center(c, g, 0, 2, 1, 3);
  int32_t* y = c.output(0).data<int32_t>();
  integer_matmul(g, o, [&](int64_t bi, int64_t row, const int32_t* acc) {
    std::copy(acc, acc + g.n, y + (bi * g.m + row) * g.n);
  });
}

template <typename Y>
void qlinear_matmul_to(KernelContext& c, const ir::MatMulGeometry& g) {
  const Operands o = center(c, g, 0, 2, 3, 5);
  const std::vector<float> a_scale = float_param(c, 1, g.m, "a_scale");
  const std::vector<float> b_scale = float_param(c, 4, g.n, "b_scale");
  const float y_scale = float_param(c, 6, 1, "y_scale")[0];
  const int32_t y_zero = int_param(c, 7, 1, "y_zero_point")[0];
  std::vector<float> multiplier(static_cast<size_t>(g.m * g.n));
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) multiplier[i * g.n + j] = a_scale[i] * b_scale[j] / y_scale;
  Y* y = c.output(0).data<Y>();
  integer_matmul(g, o, [&](int64_t bi, int64_t row, const int32_t* acc) {
    Y* dst = y + (bi * g.m + row) * g.n;
    const float* mult = multiplier.data() + row * g.n;
    for (int64_t j = 0; j < g.n; ++j) dst[j] = requantize_onnx<Y>(acc[j], mult[j], y_zero);
  });
}

void qlinear_matmul(KernelContext& c) {
  const ir::MatMulGeometry g = ir::resolve_matmul_geometry(c.node(), c.input(0).shape(), c.input(3).shape());
  if (c.output(0).dtype() == DType::U8)
    qlinear_matmul_to<uint8_t>(c, g);
  else
    qlinear_matmul_to<int8_t>(c, g);
}

}  // namespace

ETCH_REGISTER_KERNEL("MatMulInteger", "", DType::U8, matmul_integer);
ETCH_REGISTER_KERNEL("MatMulInteger", "", DType::I8, matmul_integer);
ETCH_REGISTER_KERNEL("QLinearMatMul", "", DType::U8, qlinear_matmul);
ETCH_REGISTER_KERNEL("QLinearMatMul", "", DType::I8, qlinear_matmul);

}  // namespace etch::runtime
