// The compiler pipeline, top to bottom: check the graph is integer, place
// every node (NPU or host), lay out the NPU's tensors in DRAM, lower each NPU
// node to a layer (conv/gemm through the mapper; pooling, add, lookup and
// copies on the vector unit) and emit its instructions, one segment per run of
// consecutive NPU nodes. docs/compiler.md describes the passes.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "etch/compiler/cost_model.h"
#include "etch/compiler/tile_plan.h"
#include "etch/ir/graph.h"
#include "etch/npu/program.h"

namespace etch::compiler {

struct CompileOptions {
  bool naive = false;        // use the fixed baseline plan for every layer instead of searching
  bool allow_sparse = true;  // use 2:4 sparsity where the target has it and the weights allow
  bool pack_groups = true;   // let the mapper pack grouped/depthwise convs (group_packing.h)
  // Keep a conv/gemm layer's output in the input buffer for the next layer
  // when that is its only reader and it fits (ConvSpec::in_image, out_image).
  bool on_chip_activations = true;
};

struct Placement {
  std::string node, op;
  bool npu = false;
  std::string reason;     // why it runs on the host, or what it became on the NPU
  int layer = -1;         // Program::layers index when on the NPU (-1 if it emitted nothing)
  bool boundary = false;  // a float <-> int8 conversion at the model's edge (expected host work)
  int64_t macs = 0;       // the node's multiply-accumulates (ir/cost.h)
};

struct LayerReport {
  int layer = -1;  // Program::layers index
  std::string name, kind;
  int64_t macs = 0;
  bool has_plan = false;  // conv/gemm: the mapper's choice
  bool sparse = false;
  bool input_on_chip = false, output_on_chip = false;  // activations kept in the input buffer
  TilePlan plan, naive;
  int64_t predicted_cycles = 0;  // cost model (conv/gemm only)
  ConvBounds bounds;
};

// One step of running the model: a run of host nodes, or an NPU segment.
struct Step {
  bool npu = false;
  int segment = -1;
  std::vector<ir::NodeId> nodes;  // host nodes (graph order)
};

struct CompiledModel {
  npu::Program program;
  std::vector<Placement> placements;
  std::vector<LayerReport> layers;
  std::vector<Step> steps;
  // True when the program runs from its file alone: one segment, host work
  // only QuantizeLinear on the inputs and DequantizeLinear on the outputs.
  bool standalone = false;
};

// InvalidInput if the graph has no ai.etch integer ops (names a float op and
// says to run `etch quantize` first).
void require_integer_graph(const ir::Graph& g, const std::string& label);

CompiledModel compile(const ir::Graph& g, const npu::Target& t, const CompileOptions& opt = {});

// Multiply-accumulates placed on the NPU and on the host.
struct MacShare {
  int64_t npu = 0, host = 0;
  double host_fraction() const { return npu + host > 0 ? static_cast<double>(host) / (npu + host) : 0.0; }
};
MacShare mac_share(const CompiledModel& m);

}  // namespace etch::compiler
