// Times etch's fp32 Conv kernel on one layer (1 thread), for comparing the direct
// kernels with other libraries (onednn_layers.cc) on corpus-sized layers.
//   bench_conv_layers GROUP K CHANNELS SIZE [im2col|direct] [STRIDE]
//     e.g. 24 3 24 128 (BlazeFace depthwise), 1 1 24 128 (1x1), 1 3 64 80 (M-LSD 3x3),
//     24 5 24 128 direct 2 (BlazeFace's stride-2 depthwise);
//     `im2col` turns the oneDNN path off (im2col + OpenBLAS sgemm instead).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "etch/core/thread_pool.h"
#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/kernels/nn_conv_onednn.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s GROUP K CHANNELS SIZE [im2col|direct] [STRIDE]\n", argv[0]);
    return 2;
  }
  using etch::Tensor;
  etch::set_num_threads(1);
  const bool im2col = argc > 5 && std::string(argv[5]) == "im2col";
  etch::runtime::set_onednn_conv_disabled(im2col);
  const int64_t stride = argc > 6 ? std::atoll(argv[6]) : 1;
  const int64_t g = std::atoll(argv[1]), k = std::atoll(argv[2]), c = std::atoll(argv[3]), hw = std::atoll(argv[4]);
  Tensor x(etch::DType::F32, {1, c, hw, hw}), w(etch::DType::F32, {c, c / g, k, k}), b(etch::DType::F32, {c});
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = dist(rng);
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = dist(rng);
  etch::ir::Node n;
  n.name = "conv";
  n.op_type = "Conv";
  n.inputs = {0, 1, 2};
  n.outputs = {3};
  n.attrs["group"] = g;
  n.attrs["pads"] = std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2};
  n.attrs["kernel_shape"] = std::vector<int64_t>{k, k};
  n.attrs["strides"] = std::vector<int64_t>{stride, stride};
  for (int i = 0; i < 10; ++i) etch::runtime::run_node(n, {&x, &w, &b});
  const int runs = 100;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) etch::runtime::run_node(n, {&x, &w, &b});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t out = (hw + 2 * (k / 2) - k) / stride + 1;
  const double macs = static_cast<double>(c) * out * out * (c / g) * k * k;
  std::printf("etch%s conv C%lld %lldx%lld k%lld s%lld g%lld: %.3f ms, %.2f GMAC/s\n", im2col ? " im2col" : "",
              static_cast<long long>(c), static_cast<long long>(hw), static_cast<long long>(hw),
              static_cast<long long>(k), static_cast<long long>(stride), static_cast<long long>(g), 1e3 * s / runs,
              macs * runs / s / 1e9);
  return 0;
}
