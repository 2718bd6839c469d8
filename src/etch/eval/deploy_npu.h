// Deploy's NPU stages behind a small interface: compile an integer graph for a
// target, simulate one image (per-layer figures + Chrome trace), and an
// executor that runs the compiled model on the simulator for validation.
// Thin wrappers around compiler::compile and eval::NpuExecutor.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "etch/eval/executor.h"
#include "etch/eval/report.h"
#include "etch/ir/graph.h"
#include "etch/npu/target.h"

namespace etch::eval {

class CompiledNpu;  // the compiler's output plus the integer graph it came from

std::shared_ptr<CompiledNpu> compile_for_npu(const ir::Graph& int_graph, const npu::Target& target);
std::string npu_program_bytes(const CompiledNpu& c);
// Nodes the compiler left to the host, e.g. "2 of 9 nodes on the host (Softmax, ...)"; "" when all on the NPU.
std::string npu_placement_summary(const CompiledNpu& c);

struct NpuSimulation {
  NpuPerf perf;            // one inference
  std::string trace_json;  // Chrome trace-event JSON of that inference
};
// inputs: one sample for every model input, in graph order.
NpuSimulation simulate_one(const std::shared_ptr<CompiledNpu>& c, const std::vector<Tensor>& inputs);

// Scores of the compiled model on the simulator (name "npu").
std::unique_ptr<Executor> make_npu_executor(const std::shared_ptr<CompiledNpu>& c);
// Average per-inference figures of everything an executor from
// make_npu_executor ran; nullopt for any other executor.
std::optional<NpuPerf> npu_average_perf(const Executor& e);

}  // namespace etch::eval
