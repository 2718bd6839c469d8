// etch.validate(), etch.deploy() and etch.Report: the library side of
// `etch validate` and `etch deploy`; a Report is report.json in memory.
#include "common.h"
#include "etch/core/atomic_file.h"
#include "etch/data/dataset.h"
#include "etch/eval/deploy.h"
#include "etch/eval/load_model.h"
#include "etch/eval/report_html.h"
#include "etch/eval/summary_text.h"
#include "etch/eval/validate.h"
#include "etch/eval/validate_report.h"

namespace etch::python {
namespace {

struct Report {
  nlohmann::json json;
  std::vector<std::string> files;  // deploy: written or reused
};

std::shared_ptr<Report> validate(const Model& model, const Model* float_model, const std::string& data,
                                 const std::string& target, const std::string& executors, int64_t batch,
                                 int64_t sqnr_samples, const std::string& report_dir) {
  std::optional<ir::Graph> float_graph;
  if (float_model) float_graph = float_model->graph();
  ir::Graph g = model.graph();
  auto r = std::make_shared<Report>();
  py::gil_scoped_release nogil;
  eval::ValidateModels models = eval::validate_models(std::move(g), std::move(float_graph), model.label());
  eval::ValidateOptions opts;
  if (!executors.empty()) opts.executors = eval::parse_executor_list(executors);
  opts.target = target;
  opts.batch = batch;
  opts.sqnr_samples = sqnr_samples;
  const data::Dataset ds = data::load_dataset(data);
  const eval::ValidateResult res = eval::run_validation(models, ds, opts);
  r->json = eval::validate_report(models, res, model.label());
  if (!report_dir.empty()) eval::write_report_files(report_dir, r->json);
  return r;
}

std::shared_ptr<Report> deploy(const eval::DeployOptions& o) {
  auto r = std::make_shared<Report>();
  py::gil_scoped_release nogil;
  eval::DeployResult res = eval::run_deploy(o);
  r->json = std::move(res.report);
  r->files = std::move(res.files);
  return r;
}

}  // namespace

void bind_report(py::module_& m) {
  py::class_<Report, std::shared_ptr<Report>>(m, "Report",
                                              "A validation report (report.json's content); renders in Jupyter.")
      .def(
          "to_dict", [](const Report& r) { return to_python(r.json); }, "report.json as a dict.")
      .def_property_readonly(
          "files", [](const Report& r) { return r.files; }, "deploy: the files in the output folder.")
      .def(
          "html", [](const Report& r) { return eval::report_html(r.json); }, "report.html's text.")
      .def(
          "save_html",
          [](const Report& r, const std::string& path) { write_file_atomic(path, eval::report_html(r.json)); },
          py::arg("path"))
      .def(
          "save_json", [](const Report& r, const std::string& path) { write_file_atomic(path, r.json.dump(2) + "\n"); },
          py::arg("path"))
      .def("_repr_html_", [](const Report& r) { return eval::report_html(r.json); })
      .def("__str__",
           [](const Report& r) { return eval::summary_table(r.json) + "\n" + eval::per_class_table(r.json); });

  m.def("_validate", &validate, py::arg("model"), py::arg("float_model"), py::arg("data"), py::arg("target"),
        py::arg("executors"), py::arg("batch"), py::arg("sqnr_samples"), py::arg("report_dir"));
  m.def(
      "_deploy",
      [](const std::string& model, const std::string& output, const std::string& data, const std::string& train_data,
         const std::string& eval_data, const std::string& target, const std::string& prune, int finetune_epochs,
         int64_t finetune_max_steps, int bits, const std::string& calibrator, int64_t calib_samples, int qat_epochs,
         int64_t sqnr_samples, int64_t batch, uint64_t seed, bool force) {
        eval::DeployOptions o;
        o.model = model;
        o.out_dir = output;
        o.data = data;
        o.train_data = train_data;
        o.eval_data = eval_data;
        o.target = target;
        o.prune = prune;
        o.finetune_epochs = finetune_epochs;
        o.finetune_max_steps = finetune_max_steps;
        o.bits = bits;
        o.calibrator = calibrator;
        o.calib_samples = calib_samples;
        o.qat_epochs = qat_epochs;
        o.sqnr_samples = sqnr_samples;
        o.batch = batch;
        o.seed = seed;
        o.force = force;
        return deploy(o);
      },
      py::arg("model"), py::arg("output"), py::arg("data"), py::arg("train_data"), py::arg("eval_data"),
      py::arg("target"), py::arg("prune"), py::arg("finetune_epochs"), py::arg("finetune_max_steps"), py::arg("bits"),
      py::arg("calibrator"), py::arg("calib_samples"), py::arg("qat_epochs"), py::arg("sqnr_samples"), py::arg("batch"),
      py::arg("seed"), py::arg("force"));
}

}  // namespace etch::python
