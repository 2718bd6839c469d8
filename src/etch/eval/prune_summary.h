// What `etch prune --json` reports about a pruning run (and the Python
// Model.report after etch.prune): the options, the totals before and after,
// the accuracies and one entry per layer.
#pragma once
#include <nlohmann/json.hpp>

#include "etch/compress/prune.h"

namespace etch::eval {

// Keys: criterion, structure, sparsity, params_before, params_after,
// macs_before, macs_after, weight_sparsity, accuracy_before, accuracy_pruned,
// accuracy_finetuned, warnings, layers.
nlohmann::json prune_summary_json(const compress::PruneResult& r, const compress::PruneOptions& o);

}  // namespace etch::eval
