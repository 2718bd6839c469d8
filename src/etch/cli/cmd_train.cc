// etch train: train a built-in architecture or fine-tune any imported model.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/data/dataset.h"
#include "etch/eval/load_model.h"
#include "etch/eval/train_json.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/train/recipe.h"
#include "etch/train/trainer.h"
#include "etch/train/zoo.h"

namespace etch::cli {
namespace {

struct TrainArgs {
  std::string arch, init, data = "fashion-mnist:train", eval = "fashion-mnist:test", output;
  train::RecipeOverrides o;
  bool json = false, quiet = false;
};

int run_train(TrainArgs& a) {
  a.quiet = global_options().quiet;
  ETCH_REQUIRE(a.arch.empty() != a.init.empty(), InvalidInput)
      << "give exactly one of --arch NAME or --init MODEL.onnx";
  train::TrainConfig cfg = train::recipe_for(a.arch, a.o);
  // --seed sets the initial weights too
  ir::Graph g = a.arch.empty() ? eval::load_model(a.init) : train::build_zoo_model(a.arch, {}, a.o.seed);
  data::Dataset train_set = data::load_dataset(a.data);
  // After the data, so a bad --data is reported first whatever the model.
  ETCH_REQUIRE(a.init.empty() || (g.inputs.size() == 1 && g.outputs.size() == 1), InvalidInput)
      << a.init << ": training needs a model with one input and one output, this one has " << g.inputs.size()
      << " inputs and " << g.outputs.size() << " outputs";
  data::Dataset eval_set;
  const bool has_eval = !a.eval.empty() && a.eval != "none";
  if (has_eval) eval_set = data::load_dataset(a.eval);
  double before = -1;
  if (!a.init.empty() && has_eval) before = train::evaluate_accuracy(g, eval_set);
  if (!a.quiet && !a.json) {
    fmt::print("training {} on {} ({} images), {} epochs, batch {}, {} lr {}\n", a.arch.empty() ? a.init : a.arch,
               a.data, train_set.size(), cfg.epochs, cfg.batch_size, cfg.optimizer.kind, cfg.optimizer.lr);
    if (before >= 0) fmt::print("held-out accuracy before fine-tuning: {:.2f}%\n", 100 * before);
    fmt::print("{:>5} {:>10} {:>10} {:>10} {:>9} {:>8}\n", "epoch", "loss", "train acc", "test acc", "img/s", "time");
  }
  cfg.on_epoch = [&](const train::EpochStats& s) {
    if (a.quiet || a.json) return;
    fmt::print("{:>5} {:>10.4f} {:>9.2f}% {:>9} {:>9.0f} {:>7.1f}s\n", s.epoch, s.train_loss, 100 * s.train_acc,
               s.eval_acc >= 0 ? fmt::format("{:.2f}%", 100 * s.eval_acc) : std::string("-"), s.images_per_sec,
               s.seconds);
    std::fflush(stdout);
  };
  cfg.on_best = [&](const ir::Graph& best, const train::EpochStats&) { onnx::export_model(best, a.output); };
  train::TrainResult r = train::fit(g, train_set, has_eval ? &eval_set : nullptr, cfg);
  if (a.json) {
    nlohmann::json j = eval::train_json(r, before);
    j["output"] = a.output;
    fmt::print("{}\n", j.dump(2));
  } else if (!a.quiet) {
    fmt::print("best epoch {}: {} accuracy {:.2f}%, saved to {} ({:.1f}s in all)\n", r.best_epoch,
               has_eval ? "test" : "train", 100 * r.best_eval_acc, a.output, r.seconds);
  }
  return 0;
}

CommandRegistrar register_train(
    {"train", "train a built-in architecture or fine-tune an ONNX model", [](CLI::App& sub) {
       auto a = std::make_shared<TrainArgs>();
       sub.add_option("--arch", a->arch, "built-in architecture: mlp, lenet5, cnn, resnet8, mobilenet-tiny");
       sub.add_option("--init", a->init, "fine-tune this ONNX model (its initializers become parameters)")
           ->check(CLI::ExistingFile);
       sub.add_option("--data", a->data, "training data set spec")->capture_default_str();
       sub.add_option("--eval", a->eval, "held-out data set spec, or 'none'")->capture_default_str();
       sub.add_option("--epochs", a->o.epochs, "epochs (default: the architecture's recipe)");
       sub.add_option("--batch-size", a->o.batch_size, "batch size (default: recipe)");
       sub.add_option("--optimizer", a->o.optimizer, "sgd | adam | adamw (default: recipe)");
       sub.add_option("--lr", a->o.lr, "base learning rate (default: recipe)");
       sub.add_option("--weight-decay", a->o.weight_decay, "weight decay (default: recipe)");
       sub.add_option("--label-smoothing", a->o.label_smoothing, "label smoothing epsilon");
       sub.add_option("--schedule", a->o.schedule, "constant | step | cosine (default: recipe)");
       sub.add_option("--crop-padding", a->o.crop_padding, "random-crop augmentation padding in pixels");
       sub.add_flag("--flip", a->o.flip, "random horizontal flips");
       sub.add_flag("--no-augment", a->o.no_augment, "turn augmentation off");
       sub.add_option("--seed", a->o.seed, "random seed (same seed and threads: same bytes)")->capture_default_str();
       sub.add_option("-o,--output", a->output, "where to write the best model (ONNX)")->required();
       sub.add_flag("--json", a->json, "print results as JSON");
       sub.footer(
           "Example:\n  etch train --arch cnn --data fashion-mnist --epochs 5 -o cnn.onnx\n"
           "  etch train --init cnn.onnx --epochs 1 --lr 1e-4 -o cnn.ft.onnx");
       return [a] { return run_train(*a); };
     }});

}  // namespace
}  // namespace etch::cli
