#include "etch/eval/validate_report.h"

#include <filesystem>

#include "etch/eval/interrupt.h"
#include "etch/eval/model_size.h"
#include "etch/eval/report.h"
#include "etch/eval/report_html.h"
#include "etch/eval/stage_cache.h"
#include "etch/quant/ptq.h"

namespace etch::eval {

ValidateModels validate_models(ir::Graph model, std::optional<ir::Graph> float_model, const std::string& label) {
  ValidateModels models;
  models.label = label;
  if (quant::is_quantized(model)) {
    models.qdq_graph = std::move(model);
    models.float_graph = std::move(float_model);
  } else {
    ETCH_REQUIRE(!float_model, InvalidInput)
        << label << " is a float model; --float-model is only for quantized (QDQ) models";
    models.float_graph = std::move(model);
  }
  return models;
}

nlohmann::json validate_report(const ValidateModels& models, const ValidateResult& res, const std::string& model) {
  ReportInputs in;
  in.title = "etch validate " + std::filesystem::path(model).filename().string();
  in.model = model;
  in.evaluation = &res.evaluation;
  in.sqnr = res.sqnr;
  in.sqnr_between = res.sqnr_between;
  in.npu = res.npu;
  if (res.npu) in.target = res.npu->target;
  if (models.float_graph) in.sizes.push_back(graph_size("float", *models.float_graph));
  if (models.qdq_graph) in.sizes.push_back(graph_size("quantized", *models.qdq_graph));
  if (res.npu) in.sizes.push_back({"npu program", res.npu->program_bytes, 0});
  in.notes = res.notes;
  if (!res.fidelity.empty()) {
    in.fidelity = fidelity_json(res.fidelity);
    in.fidelity_between = res.fidelity_between;
  }
  return report_json(in);
}

void write_report_files(const std::string& dir, const nlohmann::json& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ETCH_REQUIRE(!ec && std::filesystem::is_directory(dir), InvalidInput)
      << "--report-dir " << dir << ": cannot create folder (" << ec.message() << ")";
  // Temporary files first, then renames; Ctrl-C meanwhile removes the temporaries.
  ScopedInterruptCleanup cleanup;
  write_files_atomically({{dir + "/report.json", report.dump(2) + "\n"}, {dir + "/report.html", report_html(report)}});
}

}  // namespace etch::eval
