#include "etch/runtime/kernels/onednn_conv_plan.h"

#include <omp.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>

#include "etch/core/thread_pool.h"

namespace etch::runtime::onednn {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// The engine and the plans live until the process ends (never destroyed, so
// no primitive outlives its engine during static destruction).
dnnl::engine& cpu_engine() {
  static dnnl::engine& eng = *new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return eng;
}

// oneDNN is built on OpenMP here; each call runs on the calling etch thread
// alone (the blocking it picks then never depends on how many threads there are).
void single_threaded() { omp_set_num_threads(1); }

Band band_of(const Conv2d& v, int64_t r0, int64_t r1) {
  const int64_t lo = r0 * v.s_h - v.p_t, hi = (r1 - 1) * v.s_h - v.p_t + (v.k_h - 1) * v.d_h + 1;
  const int64_t row0 = std::max<int64_t>(0, lo), row1 = std::min(v.in_h, hi);
  return Band{r0, r1, row0, row1 - row0, row0 - lo, hi - row1};
}

Prim make_prim(const Conv2d& v, const Band& b, int64_t m) {
  // Columns the window never reaches (a stride that skips the last ones) are
  // left out of the view, so the right padding is never negative.
  const int64_t pad_r_full = (v.out_w - 1) * v.s_w + (v.k_w - 1) * v.d_w + 1 - v.in_w - v.p_l;
  const int64_t w = v.in_w + std::min<int64_t>(0, pad_r_full), pad_r = std::max<int64_t>(0, pad_r_full);
  const memory::dims src{1, v.c, b.rows, w}, wei{m, v.c, v.k_h, v.k_w}, dst{1, m, b.r1 - b.r0, v.out_w};
  auto any = [](const memory::dims& d, memory::data_type t) { return memory::desc(d, t, Tag::any); };
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  auto pd_with_src = [&](Tag src_tag, dnnl::algorithm algorithm = dnnl::algorithm::convolution_direct) {
    const dnnl::convolution_forward::desc cd(
        dnnl::prop_kind::forward_inference, algorithm, memory::desc(src, v.src, src_tag), any(wei, v.wei),
        any(dst, v.dst), {v.s_h, v.s_w}, {v.d_h - 1, v.d_w - 1}, {b.pad_t, v.p_l}, {b.pad_b, pad_r});
    return dnnl::convolution_forward::primitive_desc(cd, attr, cpu_engine());
  };
  Prim p{pd_with_src(Tag::any), {}, {}, {}, {}, {}, {}, {}, 0};
  // fp32 3x3 stride-1 layers: oneDNN's Winograd kernels (F(4,3) or F(2,3) by
  // the band's size) where it has one for the shape. Single-threaded on
  // bench_conv_layers' layers they took 0.55-0.7x the time of its direct
  // kernel (64->64 at 80x80: 1.1 against 2.3 ms), and the corpus models'
  // outputs moved by 1e-6 of their range against ONNX Runtime (bench/README.md).
  // Never for integer sums, which must stay exact.
  if (v.src == memory::data_type::f32 && v.k_h == 3 && v.k_w == 3 && v.s_h == 1 && v.s_w == 1 && v.d_h == 1 &&
      v.d_w == 1)
    try {
      p.pd = pd_with_src(Tag::any, dnnl::algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
      // no Winograd kernel for this shape (channels not a multiple of 16): direct
    }
  // A first layer (few input channels): left to choose, oneDNN takes NHWC,
  // and every band was transposed in and out (M-LSD 320's 4→32 stem: 0.9 ms
  // for 45 µs of convolution per band). Its direct kernel for plain NCHW
  // input, where it has one, reads the rows as etch stores them.
  if (v.c < kFirstLayerChannels) try {
      auto plain = pd_with_src(Tag::nchw);
      const std::string impl = plain.impl_info_str();
      if (impl.find("gemm") == std::string::npos && impl.find("ref") == std::string::npos) p.pd = std::move(plain);
    } catch (const dnnl::error&) {
      // no such kernel for this shape or type: keep oneDNN's own choice
    }
  p.conv = dnnl::convolution_forward(p.pd);
  p.user_src = memory::desc(src, v.src, Tag::nchw);
  p.user_wei = memory::desc(wei, v.wei, Tag::oihw);
  p.user_dst = memory::desc(dst, v.dst, Tag::nchw);
  auto& eng = cpu_engine();
  auto reorder = [&](const memory::desc& from, const memory::desc& to) -> std::unique_ptr<Reorder> {
    if (from == to) return nullptr;
    dnnl::primitive_attr reorder_attr;
    reorder_attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::reorder::primitive_desc pd(eng, from, eng, to, reorder_attr);
    return std::make_unique<Reorder>(Reorder{dnnl::reorder(pd), pd.scratchpad_desc()});
  };
  p.src_in = reorder(p.user_src, p.pd.src_desc());
  p.wei_in = reorder(p.user_wei, p.pd.weights_desc());
  p.dst_out = reorder(p.pd.dst_desc(), p.user_dst);
  return p;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(cpu_engine());
  return s;
}

// What each per-thread scratch buffer holds during one block's call.
enum Scratch {
  kDenseSrc,        // the band copied out of the image
  kBlockedSrc,      // ... in oneDNN's layout
  kBlockedDst,      // the output in oneDNN's layout
  kDenseDst,        // ... as dense NCHW, before it goes into the image
  kConvScratchpad,  // the convolution's own
  kReorderScratchpad,
  kScratchBuffers
};

// Per-thread scratch buffer `which`, at least `bytes` long.
void* thread_buffer(size_t bytes, Scratch which) {
  thread_local std::vector<uint64_t> buf[kScratchBuffers];
  const size_t words = bytes / sizeof(uint64_t) + 1;
  if (buf[which].size() < words) buf[which].resize(words);
  return buf[which].data();
}

void run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args) {
  p.execute(thread_stream(), args);
  thread_stream().wait();
}

// A reorder with this thread's scratchpad.
void run(const Reorder& r, const memory& from, const memory& to) {
  std::unordered_map<int, memory> args{{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  if (r.scratch.get_size() > 0)
    args.emplace(DNNL_ARG_SCRATCHPAD,
                 memory(r.scratch, cpu_engine(), thread_buffer(r.scratch.get_size(), kReorderScratchpad)));
  run(r.prim, args);
}

}  // namespace

std::shared_ptr<const Plan> plan_for(const Conv2d& v) {
  constexpr size_t kMaxPlans = 256;
  static std::mutex& mu = *new std::mutex;
  static auto& plans = *new std::map<std::array<int64_t, 17>, std::shared_ptr<const Plan>>;
  const std::array<int64_t, 17> key{v.c,
                                    v.m,
                                    v.in_h,
                                    v.in_w,
                                    v.out_h,
                                    v.out_w,
                                    v.k_h,
                                    v.k_w,
                                    v.s_h,
                                    v.s_w,
                                    v.d_h,
                                    v.d_w,
                                    v.p_t,
                                    v.p_l,
                                    static_cast<int64_t>(v.src),
                                    static_cast<int64_t>(v.wei),
                                    static_cast<int64_t>(v.dst)};
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = plans.find(key); it != plans.end()) return it->second;
  if (plans.size() >= kMaxPlans) plans.clear();
  auto& p = plans[key];
  single_threaded();
  auto plan = std::make_unique<Plan>();
  const int64_t positions = v.out_h * v.out_w, blocks = (v.m + kChannelBlock - 1) / kChannelBlock;
  // Enough bands for kMinItems calls per image where each keeps
  // kMinBandPositions outputs: a layer of at most 64 channels and fewer than
  // 2 × kBandPositions outputs was one call, which ran on one thread.
  const int64_t wanted = std::max(positions / kBandPositions, (kMinItems + blocks - 1) / blocks);
  const int64_t bands = std::clamp<int64_t>(std::min({wanted, positions / kMinBandPositions, v.out_h}), 1, kMaxBands);
  const int64_t rows = (v.out_h + bands - 1) / bands;
  for (int64_t r0 = 0; r0 < v.out_h; r0 += rows) plan->bands.push_back(band_of(v, r0, std::min(v.out_h, r0 + rows)));
  plan->blocks = blocks;
  try {
    for (const Band& b : plan->bands)
      for (int64_t m : {std::min(v.m, kChannelBlock), v.m % kChannelBlock}) {
        auto& prim = plan->prims[{b.r1 - b.r0, b.rows, b.pad_t, b.pad_b, m}];
        if (m > 0 && !prim) prim = std::make_unique<Prim>(make_prim(v, b, m));
      }
  } catch (const dnnl::error&) {
    return nullptr;  // remembered: the entry stays null
  }
  for (auto& [key, prim] : plan->prims) {
    if (!prim) continue;
    const memory::desc wd = prim->pd.weights_desc();
    const auto at = std::find(plan->layouts.begin(), plan->layouts.end(), wd);
    prim->layout = static_cast<size_t>(at - plan->layouts.begin());
    if (at == plan->layouts.end()) plan->layouts.push_back(wd);
    plan->slot_bytes = std::max(plan->slot_bytes, (wd.get_size() + 63) / 64 * 64);
  }
  p = std::move(plan);
  return p;
}

namespace {

// Weights block `blk` (output channels blk·kChannelBlock onwards) into the
// layout `p` takes, at `to`.
template <typename W>
void reorder_block(const Prim& p, const Conv2d& v, const W* w, int64_t blk, void* to) {
  W* from = const_cast<W*>(w + blk * kChannelBlock * v.c * v.k_h * v.k_w);
  if (p.wei_in)
    run(*p.wei_in, memory(p.user_wei, cpu_engine(), from), memory(p.pd.weights_desc(), cpu_engine(), to));
  else
    std::copy(from, from + p.user_wei.get_size() / sizeof(W), static_cast<W*>(to));
}

}  // namespace

template <typename W>
std::vector<uint8_t> reorder_weights(const Plan& plan, const Conv2d& v, const W* w) {
  // One kernel per (layout, block width) that uses it, for its reorder.
  std::map<std::pair<size_t, int64_t>, const Prim*> users;
  for (const auto& [key, prim] : plan.prims)
    if (prim) users.emplace(std::pair{prim->layout, key[4]}, prim.get());
  std::vector<uint8_t> wei(plan.slot_offset(plan.layouts.size(), 0));
  parallel_for(plan.blocks, 1, [&](int64_t b0, int64_t b1) {
    single_threaded();
    for (int64_t blk = b0; blk < b1; ++blk)
      for (size_t layout = 0; layout < plan.layouts.size(); ++layout)
        if (auto it = users.find({layout, std::min(kChannelBlock, v.m - blk * kChannelBlock)}); it != users.end())
          reorder_block(*it->second, v, w, blk, wei.data() + plan.slot_offset(layout, blk));
  });
  return wei;
}

template <typename S, typename W, typename D>
void run_plan(const Plan& plan, const Conv2d& v, int64_t batch, const S* x, const W* w, const BlockSink<D>& sink,
              const uint8_t* reordered) {
  auto& eng = cpu_engine();
  const int64_t nbands = static_cast<int64_t>(plan.bands.size());
  const int64_t in_size = v.in_h * v.in_w, m = v.m;
  // Weights in oneDNN's layouts, per block of output channels, once per call
  // unless the caller kept them.
  std::vector<uint8_t> own;
  if (!reordered) {
    own = reorder_weights(plan, v, w);
    reordered = own.data();
  }
  parallel_for(batch * nbands * plan.blocks, 1, [&](int64_t i0, int64_t i1) {
    single_threaded();
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t blk = it % plan.blocks, bi = (it / plan.blocks) % nbands, n = it / (plan.blocks * nbands);
      const Band& band = plan.bands[bi];
      const int64_t oc0 = blk * kChannelBlock, oc1 = std::min(m, oc0 + kChannelBlock);
      const Prim& p = plan.prim(band, oc1 - oc0);
      // The band as a dense NCHW tensor: oneDNN's reorders from a strided
      // view of the image ran 3-5x slower than from a dense copy.
      const S* view = x + n * v.c * in_size + band.row0 * v.in_w;
      const int64_t src_w = p.user_src.dims()[3];
      void* src = const_cast<S*>(view);
      if (band.rows != v.in_h || src_w != v.in_w) {
        S* dense = static_cast<S*>(thread_buffer(p.user_src.get_size(), kDenseSrc));
        for (int64_t ch = 0; ch < v.c; ++ch)
          for (int64_t r = 0; r < band.rows; ++r)
            std::copy_n(view + ch * in_size + r * v.in_w, src_w, dense + (ch * band.rows + r) * src_w);
        src = dense;
      }
      if (p.src_in) {
        void* to = thread_buffer(p.pd.src_desc().get_size(), kBlockedSrc);
        run(*p.src_in, memory(p.user_src, eng, src), memory(p.pd.src_desc(), eng, to));
        src = to;
      }
      void* wb = const_cast<uint8_t*>(reordered) + plan.slot_offset(p.layout, blk);
      // The output band, dense, then copied channel by channel into the
      // image (the reorder's own strided writes were 5x slower).
      D* out = sink.dst(n, oc0) + band.r0 * v.out_w;
      const int64_t band_size = (band.r1 - band.r0) * v.out_w, out_size = v.out_h * v.out_w;
      const bool whole = band_size == out_size;
      D* dense = whole ? out : static_cast<D*>(thread_buffer(p.user_dst.get_size(), kDenseDst));
      void* acc = p.dst_out ? thread_buffer(p.pd.dst_desc().get_size(), kBlockedDst) : dense;
      void* pad = thread_buffer(p.pd.scratchpad_desc().get_size(), kConvScratchpad);
      run(p.conv, {{DNNL_ARG_SRC, memory(p.pd.src_desc(), eng, src)},
                   {DNNL_ARG_WEIGHTS, memory(p.pd.weights_desc(), eng, wb)},
                   {DNNL_ARG_DST, memory(p.pd.dst_desc(), eng, acc)},
                   {DNNL_ARG_SCRATCHPAD, memory(p.pd.scratchpad_desc(), eng, pad)}});
      if (p.dst_out) run(*p.dst_out, memory(p.pd.dst_desc(), eng, acc), memory(p.user_dst, eng, dense));
      if (!whole)
        for (int64_t oc = 0; oc < oc1 - oc0; ++oc) std::copy_n(dense + oc * band_size, band_size, out + oc * out_size);
      sink.finish(n, oc0, oc1, band.r0 * v.out_w, band.r1 * v.out_w, sink.dst(n, oc0));
    }
  });
}

template std::vector<uint8_t> reorder_weights<float>(const Plan&, const Conv2d&, const float*);
template std::vector<uint8_t> reorder_weights<int8_t>(const Plan&, const Conv2d&, const int8_t*);
template void run_plan<float, float, float>(const Plan&, const Conv2d&, int64_t, const float*, const float*,
                                            const BlockSink<float>&, const uint8_t*);
template void run_plan<uint8_t, int8_t, int32_t>(const Plan&, const Conv2d&, int64_t, const uint8_t*, const int8_t*,
                                                 const BlockSink<int32_t>&, const uint8_t*);
template void run_plan<int8_t, int8_t, int32_t>(const Plan&, const Conv2d&, int64_t, const int8_t*, const int8_t*,
                                                const BlockSink<int32_t>&, const uint8_t*);

}  // namespace etch::runtime::onednn
