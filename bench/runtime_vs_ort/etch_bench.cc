// Times etch's interpreter on a model with one f32 input: one measurement per
// process (warm-up, then as many runs as fit in --seconds), printed as images/s.
// --shape gives the input shape where the model leaves dimensions symbolic (its
// first dimension is replaced by BATCH); --save PREFIX writes the input
// (PREFIX_input.npy) and every output (PREFIX_out<i>.npy) for a correctness check.
// --conv im2col runs dense convolutions on im2col + sgemm instead of oneDNN.
// --integer 1 runs a quantized (QDQ) model as `etch compile` and validation
// see it: lowered to etch's integer ops, on the integer runtime.
//   bench_runtime MODEL.onnx BATCH [--threads N] [--seconds S] [--warmup K] [--shape D0,D1,..] [--save PREFIX]
//                 [--conv onednn|im2col] [--integer 1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "etch/core/error.h"
#include "etch/core/thread_pool.h"
#include "etch/data/npy.h"
#include "etch/eval/integer_graph.h"
#include "etch/ir/builder.h"
#include "etch/onnx/importer.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/kernels/nn_conv_onednn.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.onnx BATCH [--threads N] [--seconds S] [--warmup K]\n", argv[0]);
    return 2;
  }
  const std::string model = argv[1];
  const int64_t batch = std::atoll(argv[2]);
  int threads = 0, warmup = 3;
  double seconds = 1.0;
  std::string shape_arg, save;
  bool integer = false;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (k == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (k == "--warmup")
      warmup = std::atoi(argv[i + 1]);
    else if (k == "--shape")
      shape_arg = argv[i + 1];
    else if (k == "--save")
      save = argv[i + 1];
    else if (k == "--integer")
      integer = std::string(argv[i + 1]) == "1";
    else if (k == "--conv")
      etch::runtime::set_onednn_conv_disabled(std::string(argv[i + 1]) == "im2col");
  }
  try {
    etch::set_num_threads(threads);
    etch::ir::Graph g = etch::onnx::import_model(model);
    if (integer) {
      g = etch::eval::to_integer_graph(g, model);
    } else {
      // What `etch run` executes: the graph after the inference pipeline.
      etch::passes::PassContext ctx;
      ctx.evaluate = etch::runtime::run_node;
      etch::passes::run_pipeline(g, etch::passes::inference_pipeline(), ctx);
    }
    const etch::ir::Value& in = g.value(g.inputs.at(0));
    etch::Shape shape = in.shape;
    if (!shape_arg.empty()) {
      shape.clear();
      for (size_t p = 0; p <= shape_arg.size();) {
        const size_t q = std::min(shape_arg.find(',', p), shape_arg.size());
        shape.push_back(std::atoll(shape_arg.substr(p, q - p).c_str()));
        p = q + 1;
      }
    }
    shape.at(0) = batch;
    for (int64_t d : shape)
      if (d <= 0) {
        std::fprintf(stderr, "bench_runtime: input shape %s has symbolic dims: pass --shape\n",
                     etch::shape_str(shape).c_str());
        return 1;
      }
    etch::Tensor x(etch::DType::F32, shape);
    etch::ir::Rng rng(42);
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(rng.uniform());
    etch::runtime::Interpreter interp(g);
    if (!save.empty()) {
      const std::vector<etch::Tensor> outs = interp.run({x});
      etch::data::write_npy(save + "_input.npy", x);
      for (size_t i = 0; i < outs.size(); ++i)
        etch::data::write_npy(save + "_out" + std::to_string(i) + ".npy", outs[i]);
    }
    for (int i = 0; i < warmup; ++i) interp.run({x});
    int64_t runs = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (runs < 3 || elapsed < seconds) {
      interp.run({x});
      ++runs;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::printf("%.3f\n", static_cast<double>(runs * batch) / elapsed);
    return 0;
  } catch (const etch::Error& e) {
    std::fprintf(stderr, "bench_runtime: %s\n", e.what());
    return 1;
  }
}
