#include "etch/eval/summary_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace etch::eval {
namespace {

using nlohmann::json;

size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;  // code points, for "µJ" and "Δ"
  return w;
}

std::string bytes_str(double b) {
  if (b >= 1 << 20) return fmt::format("{:.2f} MiB", b / (1 << 20));
  if (b >= 1 << 10) return fmt::format("{:.1f} KiB", b / (1 << 10));
  return fmt::format("{:.0f} B", b);
}

}  // namespace

std::string format_columns(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
  std::vector<size_t> w;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (w.size() <= i) w.push_back(0);
      w[i] = std::max(w[i], width(r[i]));
    }
  std::string o;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string pad(w[i] - width(r[i]), ' ');
      const bool rt = i < right.size() && right[i];
      line += (i ? "  " : "") + (rt ? pad + r[i] : r[i] + (i + 1 < r.size() ? pad : ""));
    }
    o += line + "\n";
  }
  return o;
}

// Data without labels: per output, the integer graph against the float model.
std::string fidelity_table(const json& r) {
  std::vector<std::vector<std::string>> rows = {{"output", "shape", "SQNR dB", "max|diff|", "agreement"}};
  for (const json& f : r["fidelity"]) {
    // Top-1 for classifier-shaped outputs, the 0.5 decision for probabilities.
    std::string agree = "-";
    if (!f["top1_agreement"].is_null()) agree = fmt::format("{:.2f}% top-1", 100 * f["top1_agreement"].get<double>());
    if (f.contains("decision_agreement") && !f["decision_agreement"].is_null())
      agree = fmt::format("{:.2f}% p>0.5", 100 * f["decision_agreement"].get<double>());
    rows.push_back({f["output"].get<std::string>(), f["shape"].dump(),
                    f["sqnr_db"].is_null() ? "exact" : fmt::format("{:.1f}", f["sqnr_db"].get<double>()),
                    fmt::format("{:.4g}", f["max_abs_diff"].get<double>()), agree});
  }
  return r["fidelity_between"].get<std::string>() + "\n" + format_columns(rows, {false, false, true, true, true});
}

std::string summary_table(const json& r) {
  const json& ex = r["executors"];
  if (ex.empty()) return r.contains("fidelity") ? fidelity_table(r) : std::string();
  const std::string ref = ex[0]["name"];
  std::vector<std::vector<std::string>> rows = {{"executor", "top-1", "top-5", "macro-F1", "agree w/ " + ref,
                                                 "max|Δlogit|", "latency ms", "inf/s", "energy µJ", "DRAM/inf"}};
  for (const json& e : ex) {
    const std::string name = e["name"];
    const json* pair = nullptr;
    for (const json& p : r["agreement"])
      if (p["a"] == ref && p["b"] == name) pair = &p;
    std::vector<std::string> row = {name,
                                    fmt::format("{:.2f}%", 100 * e["top1"].get<double>()),
                                    e["top5"].is_null() ? "-" : fmt::format("{:.2f}%", 100 * e["top5"].get<double>()),
                                    fmt::format("{:.4f}", e["macro"]["f1"].get<double>()),
                                    pair ? fmt::format("{:.2f}%", 100 * (*pair)["rate"].get<double>()) : "-",
                                    pair ? fmt::format("{:.4g}", (*pair)["max_abs_logit_diff"].get<double>()) : "-"};
    if (name == "npu" && !r["npu"].is_null()) {
      const json& n = r["npu"];
      row.push_back(fmt::format("{:.4f}", n["latency_ms"].get<double>()));
      row.push_back(fmt::format("{:.0f}", n["inferences_per_s"].get<double>()));
      row.push_back(fmt::format("{:.2f}", n["energy_uj"].get<double>()));
      row.push_back(bytes_str(n["dram_bytes"].get<double>()));
    } else {
      row.insert(row.end(), {"-", "-", "-", "-"});
    }
    rows.push_back(row);
  }
  std::string o = format_columns(rows, {false, true, true, true, true, true, true, true, true, true});
  for (const json& p : r["agreement"])
    if (p["a"] != ref)
      o += fmt::format("{} vs {}: {:.2f}% same top-1 ({}/{}), max |Δ logit| {:.4g}\n", p["a"].get<std::string>(),
                       p["b"].get<std::string>(), 100 * p["rate"].get<double>(), p["same"].get<int64_t>(),
                       p["images"].get<int64_t>(), p["max_abs_logit_diff"].get<double>());
  return o;
}

std::string per_class_table(const json& r) {
  const json& ex = r["executors"];
  if (ex.empty()) return "";
  const json& last = ex.back();
  const std::string ln = last["name"];
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"class", "support", ln + " precision", ln + " recall", ln + " F1"};
  for (size_t i = 0; i + 1 < ex.size(); ++i) head.push_back(ex[i]["name"].get<std::string>() + " F1");
  rows.push_back(head);
  const auto names = r["class_names"].get<std::vector<std::string>>();
  for (size_t c = 0; c < last["per_class"].size(); ++c) {
    const json& s = last["per_class"][c];
    std::vector<std::string> row = {
        c < names.size() ? fmt::format("{} {}", c, names[c]) : std::to_string(c),
        std::to_string(s["support"].get<int64_t>()), fmt::format("{:.3f}", s["precision"].get<double>()),
        fmt::format("{:.3f}", s["recall"].get<double>()), fmt::format("{:.3f}", s["f1"].get<double>())};
    for (size_t i = 0; i + 1 < ex.size(); ++i)
      row.push_back(fmt::format("{:.3f}", ex[i]["per_class"][c]["f1"].get<double>()));
    rows.push_back(row);
  }
  for (const char* avg : {"macro", "weighted"}) {
    const json& s = last[avg];
    std::vector<std::string> row = {std::string(avg) + " avg", std::to_string(last["images"].get<int64_t>()),
                                    fmt::format("{:.3f}", s["precision"].get<double>()),
                                    fmt::format("{:.3f}", s["recall"].get<double>()),
                                    fmt::format("{:.3f}", s["f1"].get<double>())};
    for (size_t i = 0; i + 1 < ex.size(); ++i) row.push_back(fmt::format("{:.3f}", ex[i][avg]["f1"].get<double>()));
    rows.push_back(row);
  }
  std::vector<bool> right(head.size(), true);
  right[0] = false;
  return format_columns(rows, right);
}

}  // namespace etch::eval
