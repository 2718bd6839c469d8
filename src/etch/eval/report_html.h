// report.json -> one self-contained report.html: inline CSS and SVG, no
// script, no font, image or style sheet from anywhere else, so it opens
// offline and cannot leak anything. Sections appear only when their data
// exists (no empty charts): a validate run without an NPU has no cycle charts.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace etch::eval {

std::string report_html(const nlohmann::json& report);

}  // namespace etch::eval
