#include "etch/runtime/kernels/nn_conv_onednn.h"

#include <atomic>

#include "etch/runtime/kernels/onednn_conv_plan.h"

namespace etch::runtime {
namespace {
std::atomic<bool> g_disabled{false};
}  // namespace

bool onednn_conv_supported(const Geom3& g, int64_t groups, int64_t c, int64_t m) {
  if (g_disabled.load(std::memory_order_relaxed)) return false;
  if (groups != 1 || g.in[0] != 1 || g.k[0] != 1) return false;
  // bench_conv_layers and bench_runtime (bench/README.md): with fewer than 32
  // multiply-adds per output, 16 output channels or 2M multiply-adds per image,
  // im2col + sgemm is as fast (oneDNN's calls and reorders cost microseconds;
  // the fixture's 0.9M-MAC layer ran at half the speed through oneDNN).
  const int64_t per_output = c * g.k[1] * g.k[2];
  return per_output >= 32 && m >= 16 && g.out_size() * m * per_output >= (int64_t{1} << 21);
}

void set_onednn_conv_disabled(bool disabled) { g_disabled.store(disabled); }

bool onednn_conv(const Geom3& g, int64_t batch, int64_t c, int64_t m, const float* x, const float* w,
                 const ConvBlockSink& sink, OnednnWeightCache* cache) {
  using dt = dnnl::memory::data_type;
  const onednn::Conv2d v{c,      m,      g.in[1], g.in[2], g.out[1], g.out[2], g.k[1],  g.k[2], g.s[1],
                         g.s[2], g.d[1], g.d[2],  g.p[1],  g.p[2],   dt::f32,  dt::f32, dt::f32};
  const std::shared_ptr<const onednn::Plan> plan = onednn::plan_for(v);
  if (!plan) return false;
  if (cache && cache->plan != plan) {
    cache->reordered = onednn::reorder_weights(*plan, v, w);
    cache->plan = plan;
  }
  onednn::run_plan<float, float, float>(*plan, v, batch, x, w, sink, cache ? cache->reordered.data() : nullptr);
  return true;
}

}  // namespace etch::runtime
