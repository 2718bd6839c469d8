// The terminal view of a report (report.h): the executor table (accuracy,
// macro-F1, agreement; latency, throughput, energy and DRAM traffic for the
// NPU) and the per-class table. Plain aligned text, no colours.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace etch::eval {

std::string summary_table(const nlohmann::json& report);
std::string per_class_table(const nlohmann::json& report);

// Columns padded to their widest cell; `right[i]` right-aligns column i.
std::string format_columns(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right);

}  // namespace etch::eval
