// oneDNN 2.6 fp32 conv timing on the layers bench_conv_layers times: plain nchw
// tensors (what etch stores) and oneDNN's preferred blocked layout (reorders
// excluded): oneDNN alone, one call per layer, for comparison with
// bench_conv_layers (whose dense layers use oneDNN in fixed blocks). Built by hand:
//   g++ -O2 -std=c++17 bench/runtime_vs_ort/onednn_layers.cc -ldnnl -o /tmp/onednn_layers
//   OMP_NUM_THREADS=1 /tmp/onednn_layers
#include <chrono>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;
double bench(engine& eng, stream& s, int C, int M, int H, int W, int K, int G, bool blocked) {
  int P = K / 2;
  memory::dims src{1, C, H, W}, wei = G > 1 ? memory::dims{G, M / G, C / G, K, K} : memory::dims{M, C, K, K}, bia{M},
                                dst{1, M, H, W}, str{1, 1}, pad{P, P};
  auto s_md = memory::desc(src, dt::f32, blocked ? tag::any : tag::nchw);
  auto w_md = memory::desc(wei, dt::f32, blocked ? tag::any : (G > 1 ? tag::goihw : tag::oihw));
  auto b_md = memory::desc(bia, dt::f32, tag::x);
  auto d_md = memory::desc(dst, dt::f32, blocked ? tag::any : tag::nchw);
  auto cd = convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, s_md, w_md, b_md,
                                      d_md, str, pad, pad);
  auto pd = convolution_forward::primitive_desc(cd, eng);
  memory sm(pd.src_desc(), eng), wm(pd.weights_desc(), eng), bm(pd.bias_desc(), eng), dm(pd.dst_desc(), eng);
  float* sp = (float*)sm.get_data_handle();
  for (size_t i = 0; i < pd.src_desc().get_size() / 4; ++i) sp[i] = (i % 17) * 0.1f;
  auto conv = convolution_forward(pd);
  auto args = std::unordered_map<int, memory>{
      {DNNL_ARG_SRC, sm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, bm}, {DNNL_ARG_DST, dm}};
  for (int i = 0; i < 20; ++i) conv.execute(s, args);
  s.wait();
  int N = 300;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < N; ++i) conv.execute(s, args);
  s.wait();
  double ms = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e3 / N;
  std::printf("%-8s C%-3d M%-3d %dx%d k%d g%-3d %-7s %.3f ms  impl %s\n", "onednn", C, M, H, W, K, G,
              blocked ? "blocked" : "nchw", ms, pd.impl_info_str());
  return ms;
}
int main() {
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  for (bool blocked : {false, true}) {
    bench(eng, s, 24, 24, 128, 128, 3, 24, blocked);
    bench(eng, s, 24, 24, 128, 128, 1, 1, blocked);
    bench(eng, s, 64, 64, 80, 80, 3, 1, blocked);
  }
}
