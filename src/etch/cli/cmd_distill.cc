// etch distill: train a student (an ONNX model or a built-in architecture) from
// a teacher's softened outputs plus the labels.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/compress/distill.h"
#include "etch/data/dataset.h"
#include "etch/eval/load_model.h"
#include "etch/eval/train_json.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/train/output_matching.h"
#include "etch/train/recipe.h"
#include "etch/train/zoo.h"

namespace etch::cli {
namespace {

struct DistillArgs {
  std::string teacher, student, student_arch, data = "fashion-mnist:train", eval = "fashion-mnist:test", output;
  compress::DistillOptions o;
  train::RecipeOverrides recipe;  // epochs, lr, batch size and seed only
  bool json = false, no_teacher_cache = false;
  CLI::Option* eval_given = nullptr;
};

int run_output_matching(const DistillArgs& a, ir::Graph& student, const ir::Graph& teacher,
                        const data::Dataset& train_set, const data::Dataset* eval_set, train::TrainConfig cfg,
                        bool text) {
  if (text) {
    fmt::print("matching {}'s outputs with {} on {} ({} samples, no labels), {} epochs, batch {}\n", a.teacher,
               a.o.student_name, a.data, train_set.size(), cfg.epochs, cfg.batch_size);
    fmt::print("{:>5} {:>12} {:>12} {:>10} {:>8}\n", "epoch", "loss", "SQNR", "samples/s", "time");
  }
  cfg.on_epoch = [&](const train::EpochStats& s) {
    if (!text) return;
    fmt::print("{:>5} {:>12.6f} {:>9.2f} dB {:>10.1f} {:>7.1f}s\n", s.epoch, s.train_loss, s.eval_sqnr_db.value_or(0),
               s.images_per_sec, s.seconds);
    std::fflush(stdout);
  };
  cfg.on_best = [&](const ir::Graph& best, const train::EpochStats&) { onnx::export_model(best, a.output); };
  const double before = train::output_sqnr_db(student, teacher, eval_set ? *eval_set : train_set, cfg.batch_size);
  train::TrainResult r = train::fit_outputs(student, teacher, train_set, eval_set, cfg);
  if (a.json) {
    nlohmann::json j = eval::output_matching_json(r, before);
    j["output"] = a.output;
    fmt::print("{}\n", j.dump(2));
  } else if (text) {
    fmt::print("SQNR against the teacher on {}: {:.2f} dB before, {:.2f} dB at the best epoch ({}); saved to {}\n",
               eval_set ? a.eval : a.data, before, r.best_sqnr_db.value_or(0), r.best_epoch, a.output);
  }
  return 0;
}

int run_distill(DistillArgs& a) {
  ETCH_REQUIRE(a.student.empty() != a.student_arch.empty(), InvalidInput)
      << "give exactly one of --student MODEL.onnx or --student-arch NAME";
  ir::Graph teacher = eval::load_model(a.teacher);
  train::TrainConfig cfg = train::recipe_for(a.student_arch, a.recipe);
  ir::Graph student =
      a.student_arch.empty() ? eval::load_model(a.student) : train::build_zoo_model(a.student_arch, {}, a.recipe.seed);
  a.o.student_name = "'" + (a.student_arch.empty() ? a.student : a.student_arch) + "'";
  a.o.teacher_name = "'" + a.teacher + "'";
  a.o.cache_teacher_logits = !a.no_teacher_cache;
  cfg.progress = !global_options().quiet && !a.json;
  data::Dataset train_set = data::load_dataset(a.data == "fashion-mnist" ? "fashion-mnist:train" : a.data);
  data::Dataset eval_set;
  // The Fashion-MNIST default suits the built-in students; for data without
  // labels (another model's inputs) only an --eval the user gave is used.
  const bool default_eval_unfit = !train_set.has_labels() && a.eval_given->count() == 0;
  const bool has_eval = !a.eval.empty() && a.eval != "none" && !default_eval_unfit;
  if (has_eval) eval_set = data::load_dataset(a.eval);
  const bool text = !global_options().quiet && !a.json;
  // Data without labels (detectors, decoders, audio): the student learns the
  // teacher's outputs, all of them, with no labels and no temperature.
  if (!train_set.has_labels())
    return run_output_matching(a, student, teacher, train_set, has_eval ? &eval_set : nullptr, cfg, text);
  compress::check_distill(teacher, student, train_set, a.o);
  if (text) {
    fmt::print("distilling {} into {} on {} ({} images), T={} alpha={}, {} epochs, batch {}\n", a.teacher,
               a.o.student_name, a.data, train_set.size(), a.o.temperature, a.o.alpha, cfg.epochs, cfg.batch_size);
    fmt::print("{:>5} {:>10} {:>10} {:>10} {:>8}\n", "epoch", "loss", "train acc", "test acc", "time");
  }
  cfg.on_epoch = [&](const train::EpochStats& s) {
    if (!text) return;
    fmt::print("{:>5} {:>10.4f} {:>9.2f}% {:>9} {:>7.1f}s\n", s.epoch, s.train_loss, 100 * s.train_acc,
               s.eval_acc >= 0 ? fmt::format("{:.2f}%", 100 * s.eval_acc) : std::string("-"), s.seconds);
    std::fflush(stdout);
  };
  cfg.on_best = [&](const ir::Graph& best, const train::EpochStats&) { onnx::export_model(best, a.output); };
  train::TrainResult r = compress::distill(student, teacher, train_set, has_eval ? &eval_set : nullptr, a.o, cfg);
  if (a.json) {
    nlohmann::json j = eval::distill_json(r, a.o);
    j["output"] = a.output;
    fmt::print("{}\n", j.dump(2));
  } else if (text) {
    fmt::print("best epoch {}: {} accuracy {:.2f}%, saved to {}\n", r.best_epoch, has_eval ? "test" : "train",
               100 * r.best_eval_acc, a.output);
  }
  return 0;
}

CommandRegistrar register_distill(
    {"distill", "train a student model from a teacher's outputs (knowledge distillation)", [](CLI::App& sub) {
       auto a = std::make_shared<DistillArgs>();
       sub.add_option("--teacher", a->teacher, "teacher ONNX model")->required()->check(CLI::ExistingFile);
       sub.add_option("--student", a->student, "student ONNX model to train further")->check(CLI::ExistingFile);
       sub.add_option("--student-arch", a->student_arch,
                      "or a built-in architecture trained from scratch: mlp, lenet5, cnn, resnet8, mobilenet-tiny");
       sub.add_option("--temperature", a->o.temperature, "softmax temperature T")->capture_default_str();
       sub.add_option("--alpha", a->o.alpha, "weight of the distillation term (1-alpha: labels)")
           ->capture_default_str();
       sub.add_flag("--no-teacher-cache", a->no_teacher_cache,
                    "run the teacher on every batch instead of reusing its logits across epochs "
                    "(they are reused only without random augmentation)");
       sub.add_option("--data", a->data,
                      "training data set spec; without labels the student learns every output of the teacher "
                      "(relative squared error, reported as SQNR)")
           ->capture_default_str();
       a->eval_given = sub.add_option("--eval", a->eval,
                                      "held-out data set spec, or 'none' (data without labels: none unless given)")
                           ->capture_default_str();
       sub.add_option("--epochs", a->recipe.epochs, "epochs (default: the architecture's recipe, or 1)");
       sub.add_option("--lr", a->recipe.lr, "base learning rate (default: recipe)");
       sub.add_option("--batch-size", a->recipe.batch_size, "batch size (default: recipe)");
       sub.add_option("--seed", a->recipe.seed, "random seed")->capture_default_str();
       sub.add_option("-o,--output", a->output, "where to write the best student (ONNX)")->required();
       sub.add_flag("--json", a->json, "print results as JSON");
       sub.footer(
           "Example:\n  etch distill --teacher resnet8.onnx --student-arch lenet5 --temperature 4 "
           "--alpha 0.5 --epochs 20 -o lenet5.kd.onnx\n"
           "  etch distill --teacher face.onnx --student face.24.onnx --data 'images:photos?size=128,layout=nhwc' "
           "--eval none --epochs 2 --lr 1e-4 -o face.24.ft.onnx   # no labels: output matching");
       return [a] { return run_distill(*a); };
     }});

}  // namespace
}  // namespace etch::cli
