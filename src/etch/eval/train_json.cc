#include "etch/eval/train_json.h"

namespace etch::eval {

nlohmann::json train_json(const train::TrainResult& r, double accuracy_before) {
  nlohmann::json j;
  j["best_epoch"] = r.best_epoch;
  j["best_accuracy"] = r.best_eval_acc;
  j["seconds"] = r.seconds;
  if (accuracy_before >= 0) j["accuracy_before"] = accuracy_before;
  for (const auto& s : r.epochs)
    j["epochs"].push_back({{"epoch", s.epoch},
                           {"loss", s.train_loss},
                           {"train_accuracy", s.train_acc},
                           {"test_accuracy", s.eval_acc},
                           {"images_per_sec", s.images_per_sec},
                           {"seconds", s.seconds}});
  return j;
}

nlohmann::json distill_json(const train::TrainResult& r, const compress::DistillOptions& o) {
  nlohmann::json j;
  j["best_epoch"] = r.best_epoch;
  j["best_accuracy"] = r.best_eval_acc;
  j["temperature"] = o.temperature;
  j["alpha"] = o.alpha;
  for (const auto& s : r.epochs)
    j["epochs"].push_back({{"epoch", s.epoch}, {"loss", s.train_loss}, {"test_accuracy", s.eval_acc}});
  return j;
}

nlohmann::json output_matching_json(const train::TrainResult& r, double sqnr_before_db) {
  nlohmann::json j;
  j["sqnr_before_db"] = sqnr_before_db;
  j["best_epoch"] = r.best_epoch;
  if (r.best_sqnr_db) j["best_sqnr_db"] = *r.best_sqnr_db;
  j["seconds"] = r.seconds;
  j["epochs"] = nlohmann::json::array();
  for (const auto& s : r.epochs)
    j["epochs"].push_back({{"epoch", s.epoch},
                           {"loss", s.train_loss},
                           {"sqnr_db", s.eval_sqnr_db.value_or(0)},
                           {"samples_per_sec", s.images_per_sec},
                           {"seconds", s.seconds}});
  return j;
}

}  // namespace etch::eval
