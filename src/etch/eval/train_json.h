// The results `etch train --json` and `etch distill --json` print, which
// etch.train() and etch.distill() return as Model.report: one schema for both.
// The caller adds "output" (where the best model went, if anywhere).
#pragma once
#include <nlohmann/json.hpp>

#include "etch/compress/distill.h"
#include "etch/train/trainer.h"

namespace etch::eval {

// accuracy_before < 0: not measured (no imported model, or no held-out set).
nlohmann::json train_json(const train::TrainResult& r, double accuracy_before);
nlohmann::json distill_json(const train::TrainResult& r, const compress::DistillOptions& o);
// Output matching (etch distill on data without labels): best epoch, SQNR and speed per epoch.
nlohmann::json output_matching_json(const train::TrainResult& r, double sqnr_before_db);

}  // namespace etch::eval
