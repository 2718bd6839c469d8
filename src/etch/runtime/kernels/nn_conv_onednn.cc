#include "etch/runtime/kernels/nn_conv_onednn.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "etch/core/thread_pool.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace etch::runtime {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Work is split into fixed blocks of at most kChannelBlock output channels ×
// bands of output rows per image (bench_conv_layers: 64 channels per call is
// 10-25% faster than 16 or 32). Bands give the threads work when a layer has
// few channels; each has at least kBandPositions outputs per channel (a call
// costs a few microseconds) and there are at most kMaxBands.
constexpr int64_t kChannelBlock = 64;
constexpr int64_t kBandPositions = 1024;
constexpr int64_t kMaxBands = 8;

std::atomic<bool> g_disabled{false};

// The engine and the plans live until the process ends (never destroyed, so
// no primitive outlives its engine during static destruction).
dnnl::engine& cpu_engine() {
  static dnnl::engine& eng = *new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return eng;
}

// oneDNN is built on OpenMP here; each call runs on the calling etch thread
// alone (the blocking it picks then never depends on how many threads there are).
void single_threaded() { omp_set_num_threads(1); }

// The 2-D convolution of a Geom3 whose leading spatial dim is 1.
struct Conv2d {
  int64_t c, m, in_h, in_w, out_h, out_w, k_h, k_w, s_h, s_w, d_h, d_w, p_t, p_l;
};

// One band of output rows [r0, r1) over one block of output channels: the input
// rows it reads (a view of the NCHW input) and its top/bottom padding.
struct Band {
  int64_t r0, r1, row0, rows, pad_t, pad_b;
};

Band band_of(const Conv2d& v, int64_t r0, int64_t r1) {
  const int64_t lo = r0 * v.s_h - v.p_t, hi = (r1 - 1) * v.s_h - v.p_t + (v.k_h - 1) * v.d_h + 1;
  const int64_t row0 = std::max<int64_t>(0, lo), row1 = std::min(v.in_h, hi);
  return Band{r0, r1, row0, row1 - row0, row0 - lo, hi - row1};
}

// One oneDNN convolution and the reorders between etch's NCHW/OIHW tensors
// and the layouts oneDNN chose for it.
struct Prim {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  memory::desc user_src, user_wei, user_dst;
  std::unique_ptr<dnnl::reorder> src_in, wei_in, dst_out;  // null: layouts equal
};

Prim make_prim(const Conv2d& v, const Band& b, int64_t m) {
  // Columns the window never reaches (a stride that skips the last ones) are
  // left out of the view, so the right padding is never negative.
  const int64_t pad_r_full = (v.out_w - 1) * v.s_w + (v.k_w - 1) * v.d_w + 1 - v.in_w - v.p_l;
  const int64_t w = v.in_w + std::min<int64_t>(0, pad_r_full), pad_r = std::max<int64_t>(0, pad_r_full);
  const memory::dims src{1, v.c, b.rows, w}, wei{m, v.c, v.k_h, v.k_w}, dst{1, m, b.r1 - b.r0, v.out_w};
  auto any = [](const memory::dims& d) { return memory::desc(d, memory::data_type::f32, Tag::any); };
  const dnnl::convolution_forward::desc cd(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                           any(src), any(wei), any(dst), {v.s_h, v.s_w}, {v.d_h - 1, v.d_w - 1},
                                           {b.pad_t, v.p_l}, {b.pad_b, pad_r});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  Prim p{dnnl::convolution_forward::primitive_desc(cd, attr, cpu_engine()), {}, {}, {}, {}, {}, {}, {}};
  p.conv = dnnl::convolution_forward(p.pd);
  p.user_src =
      memory::desc(src, memory::data_type::f32, memory::dims{v.c * v.in_h * v.in_w, v.in_h * v.in_w, v.in_w, 1});
  p.user_wei = memory::desc(wei, memory::data_type::f32, Tag::oihw);
  p.user_dst =
      memory::desc(dst, memory::data_type::f32, memory::dims{m * v.out_h * v.out_w, v.out_h * v.out_w, v.out_w, 1});
  auto& eng = cpu_engine();
  auto reorder = [&](const memory::desc& from, const memory::desc& to) {
    return from == to ? nullptr : std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(eng, from, eng, to));
  };
  p.src_in = reorder(p.user_src, p.pd.src_desc());
  p.wei_in = reorder(p.user_wei, p.pd.weights_desc());
  p.dst_out = reorder(p.pd.dst_desc(), p.user_dst);
  return p;
}

// Everything for one conv shape: the bands and one primitive per distinct
// (band geometry, block width); interior bands share theirs.
struct Plan {
  std::vector<Band> bands;
  int64_t blocks = 0;
  std::map<std::array<int64_t, 5>, std::unique_ptr<Prim>> prims;
  const Prim* weights_ref = nullptr;  // the layout weights are reordered to up front
  const Prim& prim(const Band& b, int64_t m) const { return *prims.at({b.r1 - b.r0, b.rows, b.pad_t, b.pad_b, m}); }
};

// The plan for a conv shape, or null where oneDNN has no implementation for it
// (then the im2col path runs). At most kMaxPlans shapes are kept; callers hold
// their plan while the cache is cleared.
constexpr size_t kMaxPlans = 256;
std::shared_ptr<const Plan> plan_for(const Conv2d& v) {
  static std::mutex& mu = *new std::mutex;
  static auto& plans = *new std::map<std::array<int64_t, 14>, std::shared_ptr<const Plan>>;
  const std::array<int64_t, 14> key{v.c,   v.m,   v.in_h, v.in_w, v.out_h, v.out_w, v.k_h,
                                    v.k_w, v.s_h, v.s_w,  v.d_h,  v.d_w,   v.p_t,   v.p_l};
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = plans.find(key); it != plans.end()) return it->second;
  if (plans.size() >= kMaxPlans) plans.clear();
  auto& p = plans[key];
  single_threaded();
  auto plan = std::make_unique<Plan>();
  const int64_t bands = std::clamp<int64_t>(v.out_h * v.out_w / kBandPositions, 1, kMaxBands);
  const int64_t rows = (v.out_h + bands - 1) / bands;
  for (int64_t r0 = 0; r0 < v.out_h; r0 += rows) plan->bands.push_back(band_of(v, r0, std::min(v.out_h, r0 + rows)));
  plan->blocks = (v.m + kChannelBlock - 1) / kChannelBlock;
  try {
    for (const Band& b : plan->bands)
      for (int64_t m : {std::min(v.m, kChannelBlock), v.m % kChannelBlock}) {
        auto& prim = plan->prims[{b.r1 - b.r0, b.rows, b.pad_t, b.pad_b, m}];
        if (m > 0 && !prim) prim = std::make_unique<Prim>(make_prim(v, b, m));
      }
  } catch (const dnnl::error&) {
    return nullptr;  // remembered: the entry stays null
  }
  plan->weights_ref = &plan->prim(plan->bands[0], std::min(v.m, kChannelBlock));
  p = std::move(plan);
  return p;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(cpu_engine());
  return s;
}

float* thread_buffer(size_t bytes, int which) {
  thread_local std::vector<float> buf[3];
  const size_t floats = bytes / sizeof(float) + 1;
  if (buf[which].size() < floats) buf[which].resize(floats);
  return buf[which].data();
}

void run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args) {
  p.execute(thread_stream(), args);
  thread_stream().wait();
}

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
                 const ConvBlockSink& sink) {
  const Conv2d v{c,      m,      g.in[1], g.in[2], g.out[1], g.out[2], g.k[1],
                 g.k[2], g.s[1], g.s[2],  g.d[1],  g.d[2],   g.p[1],   g.p[2]};
  const std::shared_ptr<const Plan> found = plan_for(v);
  if (!found) return false;
  const Plan& plan = *found;
  auto& eng = cpu_engine();
  const int64_t per_oc = c * g.k_size(), nbands = static_cast<int64_t>(plan.bands.size());
  // Weights in oneDNN's layout, per block of output channels, once per call.
  const memory::desc& wmd = plan.weights_ref->pd.weights_desc();
  const size_t wfloats = wmd.get_size() / sizeof(float);
  std::vector<float> wei(wfloats * static_cast<size_t>(plan.blocks));
  auto reorder_weights = [&](const Prim& p, int64_t blk, float* to) {
    float* from = const_cast<float*>(w + blk * kChannelBlock * per_oc);
    if (p.wei_in)
      run(*p.wei_in,
          {{DNNL_ARG_FROM, memory(p.user_wei, eng, from)}, {DNNL_ARG_TO, memory(p.pd.weights_desc(), eng, to)}});
    else
      std::copy(from, from + p.user_wei.get_size() / sizeof(float), to);
  };
  parallel_for(plan.blocks, 1, [&](int64_t b0, int64_t b1) {
    single_threaded();
    for (int64_t blk = b0; blk < b1; ++blk)
      reorder_weights(plan.prim(plan.bands[0], std::min(kChannelBlock, m - blk * kChannelBlock)), blk,
                      wei.data() + blk * wfloats);
  });
  parallel_for(batch * nbands * plan.blocks, 1, [&](int64_t i0, int64_t i1) {
    single_threaded();
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t blk = it % plan.blocks, bi = (it / plan.blocks) % nbands, n = it / (plan.blocks * nbands);
      const Band& band = plan.bands[bi];
      const int64_t oc0 = blk * kChannelBlock, oc1 = std::min(m, oc0 + kChannelBlock);
      const Prim& p = plan.prim(band, oc1 - oc0);
      float* src = const_cast<float*>(x + n * c * g.in_size() + band.row0 * v.in_w);
      if (p.src_in) {
        float* to = thread_buffer(p.pd.src_desc().get_size(), 0);
        run(*p.src_in,
            {{DNNL_ARG_FROM, memory(p.user_src, eng, src)}, {DNNL_ARG_TO, memory(p.pd.src_desc(), eng, to)}});
        src = to;
      }
      float* wb = wei.data() + blk * wfloats;
      if (p.pd.weights_desc() != wmd) {  // this band's kernel wants another layout
        wb = thread_buffer(p.pd.weights_desc().get_size(), 1);
        reorder_weights(p, blk, wb);
      }
      float* out = sink.dst(n, oc0) + band.r0 * v.out_w;
      float* acc = p.dst_out ? thread_buffer(p.pd.dst_desc().get_size(), 2) : out;
      std::vector<uint8_t>& pad = *[] {
        thread_local std::vector<uint8_t> buf;
        return &buf;
      }();
      if (pad.size() < p.pd.scratchpad_desc().get_size()) pad.resize(p.pd.scratchpad_desc().get_size());
      run(p.conv, {{DNNL_ARG_SRC, memory(p.pd.src_desc(), eng, src)},
                   {DNNL_ARG_WEIGHTS, memory(p.pd.weights_desc(), eng, wb)},
                   {DNNL_ARG_DST, memory(p.pd.dst_desc(), eng, acc)},
                   {DNNL_ARG_SCRATCHPAD, memory(p.pd.scratchpad_desc(), eng, pad.data())}});
      if (p.dst_out)
        run(*p.dst_out,
            {{DNNL_ARG_FROM, memory(p.pd.dst_desc(), eng, acc)}, {DNNL_ARG_TO, memory(p.user_dst, eng, out)}});
      sink.finish(n, oc0, oc1, band.r0 * v.out_w, band.r1 * v.out_w, sink.dst(n, oc0));
    }
  });
  return true;
}

}  // namespace etch::runtime
