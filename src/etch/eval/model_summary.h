// What is in a model as JSON (`etch inspect --json`, the Python Model's
// inputs/outputs/nodes/macs/params): graph metadata, inputs and outputs with
// dtype and shape (-1 = dynamic), every node with its parameters and MACs
// (null when unknown), and totals.
#pragma once
#include <nlohmann/json.hpp>

#include "etch/ir/graph.h"

namespace etch::eval {

nlohmann::json model_summary_json(const ir::Graph& g);

}  // namespace etch::eval
