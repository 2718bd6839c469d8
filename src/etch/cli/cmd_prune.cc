// etch prune: score, prune and fine-tune an ONNX model; prints a per-layer
// table and the accuracy before pruning, after pruning and after fine-tuning.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/table.h"
#include "etch/compress/prune.h"
#include "etch/eval/load_model.h"
#include "etch/eval/prune_summary.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"

namespace etch::cli {
namespace {

struct PruneArgs {
  std::string model, output, criterion = "magnitude", structure = "unstructured", scope = "layer", tied = "joint";
  std::string schedule = "constant", data = "fashion-mnist", eval;
  double sparsity = 0.5;
  CLI::Option* sparsity_given = nullptr;
  CLI::Option* data_given = nullptr;
  compress::PruneOptions o;
  bool json = false;
};

std::string pct(double v) { return v < 0 ? "-" : fmt::format("{:.2f}%", 100 * v); }
std::string delta(int64_t before, int64_t after) {
  if (before == 0) return "";
  return fmt::format("{:+.1f}%",
                     100.0 * (static_cast<double>(after) - static_cast<double>(before)) / static_cast<double>(before));
}

int run_prune(PruneArgs& a) {
  std::optional<double> sparsity;
  if (a.sparsity_given->count() > 0) sparsity = a.sparsity;
  compress::PruneOptions o =
      compress::prune_options_from(a.o, a.criterion, a.structure, sparsity, a.scope, a.tied, a.schedule);
  o.progress = !global_options().quiet && !a.json;

  ir::Graph g = eval::load_model(a.model);
  const compress::PruneDataSpecs specs = compress::prune_data_specs(a.data, a.eval);
  const std::string &train_spec = specs.train, &eval_spec = specs.eval;
  const bool need_train = o.criterion == compress::Criterion::Taylor || o.finetune_epochs > 0;
  data::Dataset train_set, eval_set;
  if (need_train)
    train_set = data::load_dataset(train_spec);
  else if (a.data_given->count() > 0 && !global_options().quiet)
    // Nothing reads it: say so rather than let the user believe it was used.
    fmt::print(stderr,
               "etch prune: note: --data {} is not used (magnitude pruning without fine-tuning needs no data)\n",
               a.data);
  const bool has_eval = !eval_spec.empty();
  if (has_eval) eval_set = data::load_dataset(eval_spec);

  compress::PruneResult r = compress::prune(g, o, need_train ? &train_set : nullptr, has_eval ? &eval_set : nullptr);
  onnx::export_model(g, a.output);

  if (a.json) {
    nlohmann::json j = {{"output", a.output}};
    j.update(eval::prune_summary_json(r, o));
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  fmt::print("pruned {}: {} {} sparsity {:.2f}{}\n\n", a.model, compress::criterion_name(o.criterion),
             compress::structure_name(o), o.sparsity, o.scope == compress::Scope::Global ? " (global)" : "");
  Table t({{"layer", Align::Left, 32},
           {"op", Align::Left},
           {"params before", Align::Right},
           {"params after", Align::Right},
           {"MACs before", Align::Right},
           {"MACs after", Align::Right},
           {"sparsity", Align::Right},
           {"note", Align::Left, 90}});
  int64_t pb = 0, pa = 0, mb = 0, ma = 0;
  for (const auto& l : r.layers) {
    t.add_row({l.name, l.op, group_thousands(l.params_before), group_thousands(l.params_after),
               group_thousands(l.macs_before), group_thousands(l.macs_after), fmt::format("{:.1f}%", 100 * l.sparsity),
               l.note});
    pb += l.params_before;
    pa += l.params_after;
    mb += l.macs_before;
    ma += l.macs_after;
  }
  t.add_separator();
  t.add_row({"prunable layers", "", group_thousands(pb), group_thousands(pa), group_thousands(mb), group_thousands(ma),
             fmt::format("{:.1f}%", 100 * r.weight_sparsity), ""});
  t.add_row(
      {"whole model", "", group_thousands(r.params_before), group_thousands(r.params_after),
       group_thousands(r.macs_before), group_thousands(r.macs_after), "",
       fmt::format("params {}, MACs {}", delta(r.params_before, r.params_after), delta(r.macs_before, r.macs_after))});
  fmt::print("{}", t.render());
  if (has_eval && eval_set.has_labels()) {
    fmt::print("\ntest accuracy ({}): before {}, after pruning {}, after fine-tuning {}\n", eval_spec,
               pct(r.acc_before), o.schedule.kind == "polynomial" ? std::string("- (gradual)") : pct(r.acc_pruned),
               pct(r.acc_finetuned));
  }
  if (r.sqnr_pruned_db || r.sqnr_finetuned_db) {
    const auto db = [](const std::optional<double>& v) { return v ? fmt::format("{:.2f} dB", *v) : std::string("-"); };
    fmt::print("\noutputs against the unpruned model ({}, SQNR): after pruning {}, after fine-tuning {}\n",
               has_eval ? eval_spec : train_spec, db(r.sqnr_pruned_db), db(r.sqnr_finetuned_db));
  }
  if (!r.finetune.epochs.empty())
    fmt::print("fine-tuning: {} epoch(s), {:.1f} samples/s, {:.1f} s\n", r.finetune.epochs.size(),
               r.finetune.epochs.back().images_per_sec, r.finetune.seconds);
  fmt::print("saved to {}\n", a.output);
  return 0;
}

CommandRegistrar register_prune(
    {"prune", "prune an ONNX model (magnitude/Taylor; unstructured, channel, N:M) and fine-tune it", [](CLI::App& sub) {
       auto a = std::make_shared<PruneArgs>();
       auto& o = a->o;
       sub.add_option("model", a->model, "ONNX model to prune")->required()->check(CLI::ExistingFile);
       sub.add_option("--criterion", a->criterion, "magnitude | taylor")->capture_default_str();
       sub.add_option("--structure", a->structure, "unstructured | channel | N:M (e.g. 2:4)")->capture_default_str();
       a->sparsity_given = sub.add_option(
           "--sparsity", a->sparsity, "fraction of weights (or channels) removed, in [0, 1) (default 0.5; N:M: 1-N/M)");
       sub.add_option("--scope", a->scope, "layer (each layer to the sparsity) | global")->capture_default_str();
       sub.add_option("--tied", a->tied,
                      "channel pruning of layers whose channels a residual Add ties together: "
                      "joint (one channel set for the group) | skip (keep them whole; the "
                      "residual stream keeps its width)")
           ->capture_default_str();
       sub.add_option("--min-channels", o.min_channels, "channels every layer keeps at least")->capture_default_str();
       sub.add_option("--schedule", a->schedule, "constant | polynomial (during fine-tuning)")->capture_default_str();
       sub.add_option("--initial-sparsity", o.schedule.initial_sparsity, "polynomial: initial sparsity")
           ->capture_default_str();
       sub.add_option("--begin-step", o.schedule.begin_step, "polynomial: first pruning step")->capture_default_str();
       sub.add_option("--end-step", o.schedule.end_step,
                      "polynomial: step reaching the final sparsity (default: 2/3 of fine-tuning)");
       sub.add_option("--frequency", o.schedule.frequency, "polynomial: steps between mask updates")
           ->capture_default_str();
       sub.add_option("--taylor-batches", o.taylor_batches, "batches of gradients for Taylor scores")
           ->capture_default_str();
       sub.add_option("--finetune-epochs", o.finetune_epochs, "fine-tuning epochs after pruning")
           ->capture_default_str();
       sub.add_option("--finetune-steps", o.finetune_max_steps, "at most this many steps per epoch (0: all)")
           ->capture_default_str();
       sub.add_option("--lr", o.lr, "fine-tuning learning rate (Adam, cosine decay)")->capture_default_str();
       sub.add_option("--batch-size", o.batch_size, "fine-tuning batch size")->capture_default_str();
       a->data_given =
           sub.add_option("--data", a->data, "training data (Taylor scores, fine-tuning)")->capture_default_str();
       sub.add_option("--eval", a->eval, "test data (default fashion-mnist:test for fashion-mnist; 'none')");
       sub.add_option("--seed", o.seed, "random seed")->capture_default_str();
       sub.add_option("-o,--output", a->output, "pruned model (ONNX)")->required();
       sub.add_flag("--json", a->json, "print results as JSON");
       sub.footer(
           "Examples:\n"
           "  etch prune cnn.onnx --criterion taylor --structure channel --sparsity 0.5 --finetune-epochs 2 "
           "--data fashion-mnist -o cnn.pruned.onnx\n"
           "  etch prune cnn.onnx --structure 2:4 --finetune-epochs 1 -o cnn.24.onnx\n"
           "  etch prune cnn.onnx --sparsity 0.8 --schedule polynomial --begin-step 0 --end-step 600 "
           "--finetune-epochs 2 -o cnn.sparse.onnx");
       return [a] { return run_prune(*a); };
     }});

}  // namespace
}  // namespace etch::cli
