// report.json's content for `etch validate` (and the Python bindings'
// etch.validate): the evaluation, SQNR, NPU figures, sizes and notes of one
// run_validation, titled after the model's file name.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "etch/eval/validate.h"

namespace etch::eval {

// The models `etch validate MODEL [--float-model F]` compares: a quantized
// (QDQ) MODEL with its optional float reference, or a float MODEL alone
// (InvalidInput if a float reference is given for a float MODEL).
ValidateModels validate_models(ir::Graph model, std::optional<ir::Graph> float_model, const std::string& label);

// `model` is the model's path (or label) as the user gave it.
nlohmann::json validate_report(const ValidateModels& models, const ValidateResult& res, const std::string& model);

// Writes DIR/report.json and DIR/report.html (creating DIR): both rendered
// before either is written, each write atomic.
void write_report_files(const std::string& dir, const nlohmann::json& report);

}  // namespace etch::eval
