// GRU (ONNX gate order z, r, h; biases Wb then Rb): X·Wᵀ for all steps in one
// GEMM, then per step H·Rᵀ in one GEMM. With linear_before_reset = 0 the
// candidate uses (r ⊙ H)·Rhᵀ, a second GEMM once every row's r is known.
#include <algorithm>
#include <vector>

#include "etch/runtime/kernels/gemm.h"
#include "etch/runtime/kernels/nn_recurrent.h"

namespace etch::runtime {
namespace {

void gru_direction(KernelContext& ctx, const Recurrence& r, int64_t dir) {
  const int64_t H = r.hidden, G = 3 * H;
  const bool linear_before_reset = ctx.node().attr_int("linear_before_reset", 0) != 0;
  const std::vector<float> xw = r.input_projection(ctx, dir);
  const float* rw = ctx.input(2).data<float>() + dir * G * H;
  std::vector<float> wb(G, 0.0f), rb(G, 0.0f);
  if (ctx.has_input(3)) {
    const float* b = ctx.input(3).data<float>() + dir * 2 * G;
    std::copy_n(b, G, wb.begin());
    std::copy_n(b + G, G, rb.begin());
  }
  std::vector<float> h(r.batch * H, 0.0f), hr(r.batch * G), z(r.batch * H), reset(r.batch * H), rh(r.batch * H);
  std::vector<float> cand_h(r.batch * H);  // the candidate's recurrent term, per step
  for (int64_t b = 0; b < r.batch; ++b)
    if (ctx.has_input(5)) std::copy_n(ctx.input(5).data<float>() + r.state_offset(dir, b), H, h.begin() + b * H);
  float* y = ctx.output(0).data<float>();
  for (int64_t s = 0; s < r.seq; ++s) {
    sgemm(false, true, r.batch, G, H, 1.0f, h.data(), H, rw, H, 0.0f, hr.data(), G);
    for (int64_t b = 0; b < r.batch; ++b) {
      const int64_t t = r.time_of(dir, s, b);
      const float* gx = xw.data() + std::max<int64_t>(t, 0) * r.batch * G + b * G;
      for (int64_t k = 0; k < H; ++k) {
        z[b * H + k] = r.act(dir, 0, r.clipped(gx[k] + hr[b * G + k] + wb[k] + rb[k]));
        reset[b * H + k] = r.act(dir, 0, r.clipped(gx[H + k] + hr[b * G + H + k] + wb[H + k] + rb[H + k]));
        rh[b * H + k] = reset[b * H + k] * h[b * H + k];
      }
    }
    if (linear_before_reset) {
      for (int64_t b = 0; b < r.batch; ++b)
        for (int64_t k = 0; k < H; ++k) cand_h[b * H + k] = reset[b * H + k] * (hr[b * G + 2 * H + k] + rb[2 * H + k]);
    } else {
      sgemm(false, true, r.batch, H, H, 1.0f, rh.data(), H, rw + 2 * H * H, H, 0.0f, cand_h.data(), H);
      for (int64_t b = 0; b < r.batch; ++b)
        for (int64_t k = 0; k < H; ++k) cand_h[b * H + k] += rb[2 * H + k];
    }
    for (int64_t b = 0; b < r.batch; ++b) {
      const int64_t t = r.time_of(dir, s, b);
      if (t < 0) continue;
      const float* gx = xw.data() + (t * r.batch + b) * G;
      float* hb = h.data() + b * H;
      for (int64_t k = 0; k < H; ++k) {
        const float cand = r.act(dir, 1, r.clipped(gx[2 * H + k] + wb[2 * H + k] + cand_h[b * H + k]));
        hb[k] = (1.0f - z[b * H + k]) * cand + z[b * H + k] * hb[k];
      }
      std::copy_n(hb, H, y + r.y_offset(t, dir, b));
    }
  }
  if (ctx.num_outputs() > 1)
    for (int64_t b = 0; b < r.batch; ++b)
      std::copy_n(h.data() + b * H, H, ctx.output(1).data<float>() + r.state_offset(dir, b));
}

void gru_f32(KernelContext& ctx) {
  const Recurrence r(ctx, 3, 2);
  for (int64_t dir = 0; dir < r.dirs; ++dir) gru_direction(ctx, r, dir);
}

}  // namespace

ETCH_REGISTER_KERNEL("GRU", "", DType::F32, gru_f32);

}  // namespace etch::runtime
