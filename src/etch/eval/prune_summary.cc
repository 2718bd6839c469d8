#include "etch/eval/prune_summary.h"

namespace etch::eval {

nlohmann::json prune_summary_json(const compress::PruneResult& r, const compress::PruneOptions& o) {
  nlohmann::json j;
  j["criterion"] = compress::criterion_name(o.criterion);
  j["structure"] = compress::structure_name(o);
  j["sparsity"] = o.sparsity;
  j["params_before"] = r.params_before;
  j["params_after"] = r.params_after;
  j["macs_before"] = r.macs_before;
  j["macs_after"] = r.macs_after;
  j["weight_sparsity"] = r.weight_sparsity;
  j["accuracy_before"] = r.acc_before;
  j["accuracy_pruned"] = r.acc_pruned;
  j["accuracy_finetuned"] = r.acc_finetuned;
  // Fine-tuning by self-distillation (data without labels): fidelity to the unpruned model.
  if (r.sqnr_pruned_db) j["sqnr_pruned_db"] = *r.sqnr_pruned_db;
  if (r.sqnr_finetuned_db) j["sqnr_finetuned_db"] = *r.sqnr_finetuned_db;
  if (!r.finetune.epochs.empty()) {
    j["finetune_images_per_sec"] = r.finetune.epochs.back().images_per_sec;
    j["finetune_seconds"] = r.finetune.seconds;
  }
  j["warnings"] = r.warnings;
  j["layers"] = nlohmann::json::array();
  for (const auto& l : r.layers)
    j["layers"].push_back({{"name", l.name},
                           {"op", l.op},
                           {"params_before", l.params_before},
                           {"params_after", l.params_after},
                           {"macs_before", l.macs_before},
                           {"macs_after", l.macs_after},
                           {"sparsity", l.sparsity},
                           {"note", l.note}});
  return j;
}

}  // namespace etch::eval
