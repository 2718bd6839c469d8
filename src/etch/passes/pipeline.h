// The one place that orders graph rewrites. Each entry says why it sits where
// it does.
#pragma once
#include <string>
#include <vector>

#include "etch/passes/pass.h"

namespace etch::passes {

// Passes that prepare a float graph for quantization and the NPU.
std::vector<Pass> prepare_pipeline();
// Passes that make a float graph faster to execute without changing what it
// computes beyond float rounding (ONNX Runtime's default graph optimizations):
// BatchNorm folding and Conv+activation fusion. `etch run` applies them.
std::vector<Pass> inference_pipeline();
// Runs passes to a fixed point (at most `max_rounds`), verifying after each
// pass when ctx.verify_each. Returns the names of passes that changed the graph.
std::vector<std::string> run_pipeline(ir::Graph& g, const std::vector<Pass>& passes, const PassContext& ctx,
                                      int max_rounds = 4);

}  // namespace etch::passes
