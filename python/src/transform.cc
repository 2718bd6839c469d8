// etch.quantize() and etch.prune(): the library calls of `etch quantize` and
// `etch prune` with the same option names and defaults. Each returns a new
// Model holding what the CLI would write to its -o file, plus a `report` dict
// with what the CLI prints as --json.
#include <sys/stat.h>

#include "common.h"
#include "etch/compress/prune.h"
#include "etch/core/atomic_file.h"
#include "etch/core/error.h"
#include "etch/data/dataset.h"
#include "etch/eval/prune_summary.h"
#include "etch/quant/calibrator.h"
#include "etch/quant/layer_report.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/quantize_model.h"
#include "etch/train/trainer.h"

namespace etch::python {
namespace {

py::object quantize(const Model& model, const py::object& calibration, const py::object& test, int64_t calib_samples,
                    const std::string& calibrator, const std::string& equalize, double percentile, bool per_tensor,
                    int bits, const std::string& bits_per_layer, const std::vector<std::string>& keep_float,
                    int auto_keep_float, bool bias_correction, bool int4_as_int8, int qat_epochs, int64_t qat_steps,
                    float qat_lr, int64_t qat_freeze_bn_steps, uint64_t seed) {
  const ir::Graph& float_graph = model.graph();
  quant::QuantizeModelOptions q;
  quant::PtqOptions& o = q.ptq;
  o.calibration = quant::parse_calibration(calibrator);
  o.equalization = quant::parse_equalization(equalize);
  o.percentile = percentile;
  o.calib_samples = calib_samples;
  o.per_channel = !per_tensor;
  o.weight_bits = bits;
  o.keep_float = {keep_float.begin(), keep_float.end()};
  o.bias_correction = bias_correction;
  o.int4_as_int8 = int4_as_int8;
  o.seed = seed;
  if (!bits_per_layer.empty()) {
    struct stat st {};
    const bool is_file = stat(bits_per_layer.c_str(), &st) == 0;
    o.bits_per_layer = quant::parse_bits_per_layer(is_file ? read_file(bits_per_layer) : bits_per_layer);
  }
  q.qat_epochs = qat_epochs;
  q.qat.max_steps_per_epoch = qat_steps;
  q.qat.freeze_bn_steps = qat_freeze_bn_steps;
  q.qat.lr = qat_lr;
  q.qat.seed = seed;
  q.qat.progress = false;
  q.auto_keep_float = auto_keep_float;
  const data::Dataset calib = dataset_arg(calibration, "calibration");
  std::optional<data::Dataset> test_set;
  if (!test.is_none()) test_set = dataset_arg(test, "test");

  std::shared_ptr<Model> out;
  nlohmann::json j;
  {
    py::gil_scoped_release nogil;
    const quant::QuantizedModel r = quant::quantize_model(float_graph, calib, q);
    out = as_written(quant::compact_for_export(r.qdq), model.label() + " (quantized)");
    nlohmann::json float_json = nlohmann::json::array();
    for (const quant::FloatNode& f : r.float_nodes)
      float_json.push_back({{"node", f.node}, {"op", f.op}, {"why", f.why}});
    j["calibrator"] = calibrator;
    j["equalize"] = equalize;
    j["weight_bits"] = bits;
    j["integer_ops"] = quant::count_integer_ops(r.integer);
    j["layers"] = nlohmann::json::parse(quant::layer_errors_json(r.errors));
    j["float_nodes"] = float_json;
    j["kept_float"] = r.kept_float;
    if (test_set) {
      j["float_accuracy"] = train::evaluate_accuracy(float_graph, *test_set);
      j["int_accuracy"] = train::evaluate_accuracy(r.integer, *test_set);
    }
  }
  py::object m = py::cast(out);
  m.attr("report") = to_python(j);
  return m;
}

py::object prune(const Model& model, const std::string& criterion, const std::string& structure,
                 std::optional<double> sparsity, const std::string& scope, const std::string& tied,
                 int64_t min_channels, const std::string& schedule, double initial_sparsity, int64_t begin_step,
                 int64_t end_step, int64_t frequency, int64_t taylor_batches, int finetune_epochs,
                 int64_t finetune_steps, float lr, int64_t batch_size, const std::string& data, const std::string& eval,
                 uint64_t seed) {
  compress::PruneOptions base;
  base.min_channels = min_channels;
  base.schedule.initial_sparsity = initial_sparsity;
  base.schedule.begin_step = begin_step;
  base.schedule.end_step = end_step;
  base.schedule.frequency = frequency;
  base.taylor_batches = taylor_batches;
  base.finetune_epochs = finetune_epochs;
  base.finetune_max_steps = finetune_steps;
  base.lr = lr;
  base.batch_size = batch_size;
  base.seed = seed;
  compress::PruneOptions o = compress::prune_options_from(base, criterion, structure, sparsity, scope, tied, schedule);
  o.progress = false;
  ir::Graph g = model.graph();
  std::shared_ptr<Model> out;
  nlohmann::json j;
  {
    py::gil_scoped_release nogil;
    const compress::PruneDataSpecs specs = compress::prune_data_specs(data, eval);
    const bool need_train = o.criterion == compress::Criterion::Taylor || o.finetune_epochs > 0;
    data::Dataset train_set, eval_set;
    if (need_train) train_set = data::load_dataset(specs.train);
    if (!specs.eval.empty()) eval_set = data::load_dataset(specs.eval);
    const compress::PruneResult r =
        compress::prune(g, o, need_train ? &train_set : nullptr, specs.eval.empty() ? nullptr : &eval_set);
    out = as_written(g, model.label() + " (pruned)");
    j = eval::prune_summary_json(r, o);
  }
  py::object m = py::cast(out);
  m.attr("report") = to_python(j);
  return m;
}

}  // namespace

void bind_transform(py::module_& m) {
  m.def("_quantize", &quantize, py::arg("model"), py::arg("calibration"), py::arg("test"), py::arg("calib_samples"),
        py::arg("calibrator"), py::arg("equalize"), py::arg("percentile"), py::arg("per_tensor"), py::arg("bits"),
        py::arg("bits_per_layer"), py::arg("keep_float"), py::arg("auto_keep_float"), py::arg("bias_correction"),
        py::arg("int4_as_int8"), py::arg("qat_epochs"), py::arg("qat_steps"), py::arg("qat_lr"),
        py::arg("qat_freeze_bn_steps"), py::arg("seed"));
  m.def("_prune", &prune, py::arg("model"), py::arg("criterion"), py::arg("structure"), py::arg("sparsity"),
        py::arg("scope"), py::arg("tied"), py::arg("min_channels"), py::arg("schedule"), py::arg("initial_sparsity"),
        py::arg("begin_step"), py::arg("end_step"), py::arg("frequency"), py::arg("taylor_batches"),
        py::arg("finetune_epochs"), py::arg("finetune_steps"), py::arg("lr"), py::arg("batch_size"), py::arg("data"),
        py::arg("eval"), py::arg("seed"));
}

}  // namespace etch::python
