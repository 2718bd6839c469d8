// Runs a compiled model end to end on float (or whatever the graph takes)
// inputs: host steps on the reference interpreter's kernels, NPU segments on
// the cycle-level simulator, one image at a time. Statistics accumulate over
// every image run.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "etch/compiler/compiler.h"
#include "etch/core/tensor.h"
#include "etch/ir/graph.h"
#include "etch/sim/simulator.h"

namespace etch::eval {

class NpuExecutor {
 public:
  // `g` is the integer graph `m` was compiled from; both must outlive this.
  NpuExecutor(const ir::Graph& g, const compiler::CompiledModel& m);
  ~NpuExecutor();

  // Inputs in graph-input order with a leading batch dimension; outputs in
  // graph-output order, images stacked along the batch dimension.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);

  // Accumulated over every image since construction or reset_stats():
  // stats().layers[i] per Program layer, stats().total (total.cycles = sum of
  // per-image cycles), stats().runs = images.
  const sim::SimStats& stats() const { return stats_; }
  void reset_stats() { stats_ = sim::SimStats{}; }
  const npu::Target& target() const { return model_.program.target; }
  // Per-image latency in ms at the target clock (average over images run).
  double latency_ms() const;

  void set_trace(std::vector<sim::TraceEvent>* trace) { sim_->set_trace(trace); }

 private:
  std::vector<Tensor> run_one(const std::vector<Tensor>& inputs);

  const ir::Graph& g_;
  const compiler::CompiledModel& model_;
  std::unique_ptr<sim::Simulator> sim_;
  std::map<int, ir::ValueId> value_of_tensor_;
  sim::SimStats stats_;
};

// Mapper evaluation on one input: the model compiled with the searched plans
// and with the naive baseline, both simulated; per conv/gemm layer the
// simulated cycles of each, the cost model's prediction and the efficiency
// against max(fold-granular compute, compulsory DRAM traffic / bandwidth).
struct LayerAnalysis {
  std::string name, kind, plan, naive_plan;
  int64_t macs = 0;
  bool sparse = false;
  int64_t predicted = 0, cycles = 0, naive_cycles = 0, bound = 0, array_cycles = 0;
  double efficiency() const { return bound > 0 ? static_cast<double>(cycles) / static_cast<double>(bound) : 0; }
  double model_error() const {
    return cycles > 0 ? static_cast<double>(predicted - cycles) / static_cast<double>(cycles) : 0;
  }
};
struct ModelAnalysis {
  std::vector<LayerAnalysis> layers;     // conv/gemm layers only
  int64_t cycles = 0, naive_cycles = 0;  // whole model (one image)
  sim::SimStats stats;                   // the chosen plans' run
};
ModelAnalysis analyze_plans(const ir::Graph& g, const npu::Target& t, const std::vector<Tensor>& one_image,
                            const compiler::CompileOptions& opt = {});

// Stacks [1, ...] tensors along dimension 0 / takes image b of a batch.
Tensor stack_batch(const std::vector<Tensor>& images);
Tensor batch_item(const Tensor& t, int64_t b);

}  // namespace etch::eval
