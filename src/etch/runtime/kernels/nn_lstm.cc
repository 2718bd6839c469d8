// LSTM (ONNX gate order i, o, f, c; biases Wb then Rb; peepholes i, o, f):
// X·Wᵀ for all steps in one GEMM, then per step H·Rᵀ in one GEMM and the cell
// update per batch row. Rows past their sequence length keep their state and
// leave zeros in Y.
#include <algorithm>
#include <vector>

#include "etch/runtime/kernels/gemm.h"
#include "etch/runtime/kernels/nn_recurrent.h"

namespace etch::runtime {
namespace {

void lstm_direction(KernelContext& ctx, const Recurrence& r, int64_t dir) {
  const int64_t H = r.hidden, G = 4 * H;
  const std::vector<float> xw = r.input_projection(ctx, dir);
  const float* rw = ctx.input(2).data<float>() + dir * G * H;
  std::vector<float> bias(G, 0.0f), peep(3 * H, 0.0f);
  if (ctx.has_input(3)) {
    const float* b = ctx.input(3).data<float>() + dir * 2 * G;
    for (int64_t k = 0; k < G; ++k) bias[k] = b[k] + b[G + k];
  }
  if (ctx.has_input(7)) std::copy_n(ctx.input(7).data<float>() + dir * 3 * H, 3 * H, peep.begin());
  std::vector<float> h(r.batch * H, 0.0f), c(r.batch * H, 0.0f), hr(r.batch * G);
  for (int64_t b = 0; b < r.batch; ++b) {
    if (ctx.has_input(5)) std::copy_n(ctx.input(5).data<float>() + r.state_offset(dir, b), H, h.begin() + b * H);
    if (ctx.has_input(6)) std::copy_n(ctx.input(6).data<float>() + r.state_offset(dir, b), H, c.begin() + b * H);
  }
  float* y = ctx.output(0).data<float>();
  for (int64_t s = 0; s < r.seq; ++s) {
    sgemm(false, true, r.batch, G, H, 1.0f, h.data(), H, rw, H, 0.0f, hr.data(), G);
    for (int64_t b = 0; b < r.batch; ++b) {
      const int64_t t = r.time_of(dir, s, b);
      if (t < 0) continue;
      const float* gx = xw.data() + (t * r.batch + b) * G;
      const float* gh = hr.data() + b * G;
      float* hb = h.data() + b * H;
      float* cb = c.data() + b * H;
      for (int64_t k = 0; k < H; ++k) {
        auto pre = [&](int64_t gate) { return gx[gate * H + k] + gh[gate * H + k] + bias[gate * H + k]; };
        const float i = r.act(dir, 0, r.clipped(pre(0) + peep[k] * cb[k]));
        const float f = r.act(dir, 0, r.clipped(pre(2) + peep[2 * H + k] * cb[k]));
        const float cand = r.act(dir, 1, r.clipped(pre(3)));
        cb[k] = f * cb[k] + i * cand;
        const float o = r.act(dir, 0, r.clipped(pre(1) + peep[H + k] * cb[k]));
        hb[k] = o * r.act(dir, 2, cb[k]);
      }
      std::copy_n(hb, H, y + r.y_offset(t, dir, b));
    }
  }
  for (int64_t b = 0; b < r.batch; ++b) {
    if (ctx.num_outputs() > 1) std::copy_n(h.data() + b * H, H, ctx.output(1).data<float>() + r.state_offset(dir, b));
    if (ctx.num_outputs() > 2) std::copy_n(c.data() + b * H, H, ctx.output(2).data<float>() + r.state_offset(dir, b));
  }
}

void lstm_f32(KernelContext& ctx) {
  const Recurrence r(ctx, 4, 3);
  for (int64_t dir = 0; dir < r.dirs; ++dir) lstm_direction(ctx, r, dir);
}

}  // namespace

ETCH_REGISTER_KERNEL("LSTM", "", DType::F32, lstm_f32);

}  // namespace etch::runtime
