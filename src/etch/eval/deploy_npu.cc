#include "etch/eval/deploy_npu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"
#include "etch/eval/sim_stats_json.h"
#include "etch/sim/stats.h"

namespace etch::eval {

// The executor keeps references to both the graph and the compiled model, so
// they live here together, behind a shared_ptr every user holds.
class CompiledNpu {
 public:
  CompiledNpu(ir::Graph g, const npu::Target& t) : graph(std::move(g)), model(compiler::compile(graph, t)) {}
  ir::Graph graph;
  compiler::CompiledModel model;
};

namespace {

class NpuGraphExecutor : public Executor {
 public:
  explicit NpuGraphExecutor(std::shared_ptr<CompiledNpu> c)
      : c_(std::move(c)), exec_(c_->graph, c_->model), program_bytes_(npu_program_bytes(*c_).size()) {}
  std::string name() const override { return "npu"; }
  Tensor run(const Tensor& images) override {
    Tensor scores = exec_.run({images}).at(0);
    if (scores.rank() > 2 && scores.dim(0) > 0)
      scores = scores.reshaped({scores.dim(0), scores.numel() / scores.dim(0)});
    return scores;
  }
  NpuPerf perf() const { return npu_perf(exec_.stats(), exec_.target(), program_bytes_); }
  NpuExecutor& executor() { return exec_; }

 private:
  std::shared_ptr<CompiledNpu> c_;
  NpuExecutor exec_;
  int64_t program_bytes_;
};

}  // namespace

std::shared_ptr<CompiledNpu> compile_for_npu(const ir::Graph& int_graph, const npu::Target& target) {
  compiler::require_integer_graph(int_graph, "integer graph");
  return std::make_shared<CompiledNpu>(int_graph, target);
}

std::string npu_program_bytes(const CompiledNpu& c) { return npu::serialize_program(c.model.program); }

std::string npu_placement_summary(const CompiledNpu& c) {
  int host = 0;
  std::string ops;
  for (const compiler::Placement& p : c.model.placements) {
    if (p.npu || p.boundary) continue;  // Quantize/Dequantize at the graph's edges are expected host work
    ++host;
    if (ops.find(p.op) == std::string::npos) ops += (ops.empty() ? "" : ", ") + p.op;
  }
  if (host == 0) return "";
  const compiler::MacShare share = compiler::mac_share(c.model);
  return fmt::format("{} node(s) on the host ({}), {:.1f}% of the MACs", host, ops, 100 * share.host_fraction());
}

NpuSimulation simulate_one(const std::shared_ptr<CompiledNpu>& c, const std::vector<Tensor>& inputs) {
  NpuGraphExecutor ex(c);
  std::vector<sim::TraceEvent> trace;
  ex.executor().set_trace(&trace);
  ex.executor().run(inputs);
  ex.executor().set_trace(nullptr);
  return {ex.perf(), sim::trace_json(trace, c->model.program)};
}

std::unique_ptr<Executor> make_npu_executor(const std::shared_ptr<CompiledNpu>& c) {
  return std::make_unique<NpuGraphExecutor>(c);
}

std::optional<NpuPerf> npu_average_perf(const Executor& e) {
  if (const auto* n = dynamic_cast<const NpuGraphExecutor*>(&e)) return n->perf();
  return std::nullopt;
}

}  // namespace etch::eval
