#include "etch/eval/model_summary.h"

#include "etch/ir/cost.h"

namespace etch::eval {
namespace {

nlohmann::json value_json(const ir::Value& v) {
  nlohmann::json j = {{"name", v.name}, {"dtype", dtype_name(v.dtype)}};
  if (v.has_shape)
    j["shape"] = v.shape;  // -1 marks a dynamic dimension
  else
    j["shape"] = nullptr;
  return j;
}

}  // namespace

nlohmann::json model_summary_json(const ir::Graph& g) {
  const ir::GraphCost cost = ir::graph_cost(g);
  nlohmann::json j;
  j["graph_name"] = g.name;
  j["opset"] = g.opset;
  j["ir_version"] = g.ir_version;
  j["producer"] = g.producer;
  for (ir::ValueId id : g.inputs) j["inputs"].push_back(value_json(g.value(id)));
  for (ir::ValueId id : g.outputs) j["outputs"].push_back(value_json(g.value(id)));
  j["nodes"] = nlohmann::json::array();
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const ir::Node& n = g.nodes()[i];
    nlohmann::json jn = {{"name", n.name}, {"op", n.op_type}, {"params", cost.nodes[i].params}};
    if (!n.domain.empty()) jn["domain"] = n.domain;
    jn["macs"] = cost.nodes[i].macs_known ? nlohmann::json(cost.nodes[i].macs) : nlohmann::json(nullptr);
    for (ir::ValueId id : n.inputs)
      jn["inputs"].push_back(id == ir::kNoValue ? nlohmann::json("") : nlohmann::json(g.value(id).name));
    for (ir::ValueId id : n.outputs) jn["outputs"].push_back(value_json(g.value(id)));
    j["nodes"].push_back(jn);
  }
  j["totals"] = {{"nodes", g.nodes().size()},
                 {"params", cost.params},
                 {"macs", cost.macs},
                 {"macs_complete", cost.macs_known},
                 {"macs_per_sample", cost.per_sample}};
  return j;
}

}  // namespace etch::eval
