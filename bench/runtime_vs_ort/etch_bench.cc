// Times etch's reference interpreter on a model with one f32 input whose
// dimensions other than the batch are static: one measurement per process
// (warm-up, then as many runs as fit in --seconds), printed as images/s.
//   bench_runtime MODEL.onnx BATCH [--threads N] [--seconds S] [--warmup K]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "etch/core/error.h"
#include "etch/core/thread_pool.h"
#include "etch/ir/builder.h"
#include "etch/onnx/importer.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/interpreter.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.onnx BATCH [--threads N] [--seconds S] [--warmup K]\n", argv[0]);
    return 2;
  }
  const std::string model = argv[1];
  const int64_t batch = std::atoll(argv[2]);
  int threads = 0, warmup = 3;
  double seconds = 1.0;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (k == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (k == "--warmup")
      warmup = std::atoi(argv[i + 1]);
  }
  try {
    etch::set_num_threads(threads);
    etch::ir::Graph g = etch::onnx::import_model(model);
    // What `etch run` executes: the graph after the inference pipeline.
    etch::passes::PassContext ctx;
    ctx.evaluate = etch::runtime::run_node;
    etch::passes::run_pipeline(g, etch::passes::inference_pipeline(), ctx);
    const etch::ir::Value& in = g.value(g.inputs.at(0));
    etch::Shape shape = in.shape;
    shape.at(0) = batch;
    etch::Tensor x(etch::DType::F32, shape);
    etch::ir::Rng rng(42);
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(rng.uniform());
    etch::runtime::Interpreter interp(g);
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
