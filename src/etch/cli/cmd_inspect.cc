// etch inspect: what is in a model — per-node output shapes, parameters and
// MACs, totals, inputs and outputs.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/table.h"
#include "etch/eval/load_model.h"
#include "etch/eval/model_summary.h"
#include "etch/ir/cost.h"
#include "etch/onnx/importer.h"

namespace etch::cli {
namespace {

struct InspectArgs {
  std::string model;
  bool json = false;
};

std::string value_str(const ir::Value& v) {
  return fmt::format("{} {} {}", v.name, dtype_name(v.dtype), v.has_shape ? shape_str(v.shape) : "(unknown shape)");
}

std::string outputs_shape_str(const ir::Graph& g, const ir::Node& n) {
  std::string s;
  for (ir::ValueId id : n.outputs) {
    const ir::Value& v = g.value(id);
    if (!s.empty()) s += " ";
    s += v.has_shape ? shape_str(v.shape) : "?";
  }
  return s;
}

int run_inspect(const InspectArgs& a) {
  const ir::Graph g = eval::load_model(a.model);
  const ir::GraphCost cost = ir::graph_cost(g);

  if (a.json) {
    nlohmann::json j = eval::model_summary_json(g);
    j["model"] = a.model;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }

  fmt::print("model: {} (graph '{}', opset {}, producer {})\n", a.model, g.name, g.opset,
             g.producer.empty() ? "unknown" : g.producer);
  for (ir::ValueId id : g.inputs) fmt::print("input:  {}\n", value_str(g.value(id)));
  for (ir::ValueId id : g.outputs) fmt::print("output: {}\n", value_str(g.value(id)));
  fmt::print("\n");
  Table t({{"#", Align::Right},
           {"node", Align::Left, 36},
           {"op", Align::Left},
           {"output shape", Align::Left},
           {"params", Align::Right},
           {"MACs", Align::Right}});
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const ir::Node& n = g.nodes()[i];
    const ir::NodeCost& c = cost.nodes[i];
    t.add_row({std::to_string(i), n.name.empty() ? "(unnamed)" : n.name,
               n.domain.empty() ? n.op_type : n.domain + "." + n.op_type, outputs_shape_str(g, n),
               c.params ? group_thousands(c.params) : "",
               c.macs_known ? (c.macs ? group_thousands(c.macs) : "") : "?"});
  }
  t.add_separator();
  t.add_row({"", fmt::format("total: {} nodes", g.nodes().size()), "", "", group_thousands(cost.params),
             group_thousands(cost.macs) + (cost.macs_known ? "" : "+")});
  fmt::print("{}", t.render());
  if (cost.per_sample) fmt::print("MACs are per sample ('?' dimensions, such as a dynamic batch, count as 1).\n");
  if (!cost.macs_known) fmt::print("Some nodes' MACs are unknown ('?'): their shapes could not be inferred.\n");
  return 0;
}

const CommandRegistrar register_inspect{
    {"inspect", "show a model's nodes, shapes, parameters and MACs", [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<InspectArgs>();
       sub.add_option("model", a->model, "ONNX model")->required();
       sub.add_flag("--json", a->json, "print machine-readable JSON instead of a table");
       sub.footer(
           "Example:\n  etch inspect fixtures/cnn.onnx\n"
           "  etch inspect fixtures/cnn.onnx --json > cnn.json\n"
           "MACs count Conv/Gemm/MatMul multiply-accumulates; for a dynamic batch they are "
           "per sample.");
       return [a] { return run_inspect(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
