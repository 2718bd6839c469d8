#include "etch/eval/report_html.h"

#include <fmt/format.h>

#include <cmath>

#include "etch/eval/svg_charts.h"

namespace etch::eval {
namespace {

using nlohmann::json;
using svg::escape;

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d1d1f;font-size:14px}
main{max-width:1180px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:0 0 10px}
.sub{color:#555;margin-bottom:16px}
section{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:16px 18px;margin:14px 0;overflow-x:auto}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px}
.card{background:#f8f9fb;border:1px solid #e3e5e8;border-radius:8px;padding:10px 12px}
.card .k{color:#555;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:20px;font-weight:600;margin-top:4px}
.card .d{color:#555;font-size:12px;margin-top:2px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid #e6e6e6;text-align:right;white-space:nowrap}
th{background:#f4f5f7;font-weight:600}
td.l,th.l{text-align:left}
td.w{white-space:normal;min-width:360px}
.bad{color:#b42318;font-weight:600}.good{color:#067647}
.note{color:#555;font-size:13px;margin:6px 0 0}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:14px}
)";

std::string pct(double v) { return fmt::format("{:.2f}%", 100 * v); }

std::string bytes_str(double b) {
  if (b >= 1 << 20) return fmt::format("{:.2f} MiB", b / (1 << 20));
  if (b >= 1 << 10) return fmt::format("{:.1f} KiB", b / (1 << 10));
  return fmt::format("{:.0f} B", b);
}

std::string num(double v, int digits = 3) {
  if (v != 0 && (std::abs(v) >= 1e6 || std::abs(v) < 1e-3)) return fmt::format("{:.{}e}", v, digits - 1);
  return fmt::format("{:.{}g}", v, std::max(digits, static_cast<int>(std::log10(std::max(1.0, std::abs(v)))) + 1));
}

std::string card(const std::string& key, const std::string& value, const std::string& detail) {
  return fmt::format(
      "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"d\">{}</div></div>\n", key,
      value, detail);
}

const json* find_pair(const json& r, const std::string& a, const std::string& b) {
  for (const json& p : r["agreement"])
    if ((p["a"] == a && p["b"] == b) || (p["a"] == b && p["b"] == a)) return &p;
  return nullptr;
}

std::string summary_section(const json& r) {
  std::string o = "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n";
  // Accuracy float -> int -> NPU, with the change from the first executor.
  std::string chain, detail;
  const json& ex = r["executors"];
  for (size_t i = 0; i < ex.size(); ++i) {
    chain += (i ? " → " : "") + fmt::format("{:.2f}", 100 * ex[i]["top1"].get<double>());
    detail += (i ? " → " : "") + escape(ex[i]["name"].get<std::string>());
  }
  if (ex.size() > 1) {
    const double d = 100 * (ex.back()["top1"].get<double>() - ex.front()["top1"].get<double>());
    detail += fmt::format(" ({:+.2f} pt)", d);
  }
  if (!ex.empty())
    o += card("Top-1 accuracy (%)", chain, detail + ", " + std::to_string(r["images"].get<int64_t>()) + " images");
  const json& sizes = r["sizes"];
  if (sizes.size() >= 2) {
    const double a = sizes.front()["bytes"].get<double>(), b = sizes.back()["bytes"].get<double>();
    std::string chain;
    for (const json& s : sizes)
      chain += (chain.empty() ? "" : " → ") + escape(s["stage"].get<std::string>()) + " " +
               bytes_str(s["bytes"].get<double>());
    o += card("Model size", bytes_str(a) + " → " + bytes_str(b),
              fmt::format("{} ({:.1f}× smaller)", chain, b > 0 ? a / b : 0.0));
  } else if (sizes.size() == 1) {
    o += card("Model size", bytes_str(sizes[0]["bytes"].get<double>()), escape(sizes[0]["stage"].get<std::string>()));
  }
  if (!r["npu"].is_null()) {
    const json& n = r["npu"];
    o += card("Latency", fmt::format("{:.3f} ms", n["latency_ms"].get<double>()),
              fmt::format("{} cycles at {} MHz; {:.0f} inferences/s", n["cycles"].get<int64_t>(),
                          num(n["clock_mhz"].get<double>()), n["inferences_per_s"].get<double>()));
    o += card("Energy", fmt::format("{:.2f} µJ", n["energy_uj"].get<double>()),
              "per inference; DRAM traffic " + bytes_str(n["dram_bytes"].get<double>()));
  }
  if (const json* p = find_pair(r, "int", "npu"))
    o += card("NPU vs integer reference", pct((*p)["rate"].get<double>()) + " agree",
              fmt::format("max |logit diff| {}", num((*p)["max_abs_logit_diff"].get<double>())));
  o += "</div>\n";
  for (const json& n : r["notes"]) o += "<p class=\"note\">" + escape(n.get<std::string>()) + "</p>\n";
  return o + "</section>\n";
}

std::string executors_section(const json& r) {
  if (r["executors"].empty()) return "";  // data without labels: see the fidelity section
  std::string o =
      "<section id=\"executors\"><h2>Executors on the same images</h2><table>\n"
      "<tr><th class=\"l\">executor</th><th>top-1</th><th>top-5</th><th>macro F1</th><th>weighted F1</th>"
      "<th>agreement with " +
      escape(r["executors"][0]["name"].get<std::string>()) +
      "</th><th>max |Δ logit|</th><th>mean |Δ logit|</th></tr>\n";
  const std::string ref = r["executors"][0]["name"];
  for (const json& e : r["executors"]) {
    const std::string name = e["name"];
    const json* p = name == ref ? nullptr : find_pair(r, ref, name);
    o += fmt::format(
        "<tr><td "
        "class=\"l\">{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{:.4f}</td><td>{}</td><td>{}</td><td>{}</td></"
        "tr>\n",
        escape(name), pct(e["top1"].get<double>()), e["top5"].is_null() ? "–" : pct(e["top5"].get<double>()),
        e["macro"]["f1"].get<double>(), e["weighted"]["f1"].get<double>(), p ? pct((*p)["rate"].get<double>()) : "–",
        p ? num((*p)["max_abs_logit_diff"].get<double>()) : "–",
        p ? num((*p)["mean_abs_logit_diff"].get<double>()) : "–");
  }
  o += "</table>\n";
  if (const json* p = find_pair(r, "int", "npu"))
    o += fmt::format(
        "<p class=\"note\">NPU vs integer reference: {} of {} top-1 predictions agree, max |Δ logit| {}.</p>\n",
        (*p)["same"].get<int64_t>(), (*p)["images"].get<int64_t>(), num((*p)["max_abs_logit_diff"].get<double>()));
  return o + "</section>\n";
}

// MAC-weighted utilization of the dense and of the depthwise layers, the
// latter a systolic array's known weak spot (null in report.json: none).
std::string utilization_note(const json& n) {
  auto part = [&](const char* key, const char* what) {
    const json& v = n.value(key, json(nullptr));
    return v.is_null() ? std::string() : fmt::format("{} layers {:.1f}%", what, 100 * v.get<double>());
  };
  const std::string dense = part("dense_utilization", "dense conv/gemm"),
                    depthwise = part("depthwise_utilization", "depthwise conv");
  if (dense.empty() && depthwise.empty()) return "";
  return "<p class=\"note\">Useful MACs over rows × cols × cycles, MAC-weighted: " + dense +
         (dense.empty() || depthwise.empty() ? "" : "; ") + depthwise + ".</p>\n";
}

std::string npu_sections(const json& r) {
  if (r["npu"].is_null() || r["npu"]["layers"].empty()) return "";
  const json& n = r["npu"];
  std::vector<std::string> names;
  svg::Series compute{"compute", "#4c78a8", {}}, load{"load stalls", "#f58518", {}},
      store{"store stalls", "#e45756", {}};
  std::vector<double> util;
  std::vector<svg::RooflinePoint> points;
  const double clock_hz = n["clock_mhz"].get<double>() * 1e6;
  for (const json& l : n["layers"]) {
    names.push_back(l["name"]);
    compute.values.push_back(l["compute_cycles"].get<double>());
    load.values.push_back(l["load_stall_cycles"].get<double>());
    store.values.push_back(l["store_stall_cycles"].get<double>());
    util.push_back(l["utilization"].get<double>());
    const double ops = 2.0 * l["macs"].get<double>(), dram = l["dram_bytes"].get<double>(),
                 cycles = l["cycles"].get<double>();
    if (ops > 0 && dram > 0 && cycles > 0) points.push_back({l["name"], ops / dram, ops / (cycles / clock_hz) / 1e9});
  }
  std::string o = fmt::format(
      "<section id=\"cycles\"><h2>Cycles per layer</h2><p class=\"note\">Simulated on <b>{}</b> ({}×{} array, {} MHz): "
      "time the array computes vs waits for DMA loads and for stores.</p>\n",
      escape(n["target"].get<std::string>()), n["rows"].get<int>(), n["cols"].get<int>(),
      num(n["clock_mhz"].get<double>()));
  o += svg::stacked_bars(names, {compute, load, store}, "cycles per inference") + "</section>\n";
  o += "<section id=\"utilization\"><h2>Array utilization per layer</h2>\n" + utilization_note(n) +
       svg::percent_bars(names, util, "#54a24b") + "</section>\n";
  if (!points.empty()) {
    o += fmt::format(
        "<section id=\"roofline\"><h2>Roofline</h2><p class=\"note\">Peak {} TOP/s, DRAM {} GB/s; one dot "
        "per layer that does MACs (hover for values).</p>\n",
        num(n["peak_tops"].get<double>()), num(n["dram_gb_per_s"].get<double>()));
    o += svg::roofline(points, n["peak_tops"].get<double>() * 1e3, n["dram_gb_per_s"].get<double>()) + "</section>\n";
  }
  o += "<section id=\"layers\"><h2>Per-layer NPU figures</h2><table>\n<tr><th class=\"l\">layer</th><th "
       "class=\"l\">op</th>"
       "<th>cycles</th><th>compute</th><th>load stalls</th><th>store stalls</th><th>utilization</th><th>MACs</th>"
       "<th>DRAM bytes</th><th>energy µJ</th></tr>\n";
  for (const json& l : n["layers"])
    o += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{:.1f}%</td><td>{}</td><td>{}</td><td>{:.3f}</td></tr>\n",
        escape(l["name"].get<std::string>()), escape(l["op"].get<std::string>()), l["cycles"].get<int64_t>(),
        l["compute_cycles"].get<int64_t>(), l["load_stall_cycles"].get<int64_t>(),
        l["store_stall_cycles"].get<int64_t>(), 100 * l["utilization"].get<double>(), l["macs"].get<int64_t>(),
        l["dram_bytes"].get<int64_t>(), l["energy_uj"].get<double>());
  return o + "</table></section>\n";
}

std::string classes_section(const json& r) {
  if (r["executors"].empty()) return "";  // data without labels
  const json& last = r["executors"].back();
  std::vector<std::vector<int64_t>> cm = last["confusion"].get<std::vector<std::vector<int64_t>>>();
  const std::vector<std::string> names = r["class_names"].get<std::vector<std::string>>();
  std::string o = "<section id=\"confusion\"><h2>Confusion matrix (" + escape(last["name"].get<std::string>()) +
                  ")</h2><p class=\"note\">Rows: true class; columns: predicted. Blue: share of the class predicted "
                  "correctly; orange: mistakes (shade ×4).</p>\n" +
                  svg::heatmap(cm, names) + "</section>\n";
  o += "<section id=\"per-class\"><h2>Per-class precision / recall / F1</h2><table>\n<tr><th "
       "class=\"l\">class</th><th>support</th>";
  for (const json& e : r["executors"])
    o += fmt::format("<th>{0} P</th><th>{0} R</th><th>{0} F1</th>", escape(e["name"].get<std::string>()));
  o += "</tr>\n";
  const size_t classes = last["per_class"].size();
  for (size_t c = 0; c < classes; ++c) {
    o += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td>", escape(c < names.size() ? names[c] : std::to_string(c)),
                     last["per_class"][c]["support"].get<int64_t>());
    for (const json& e : r["executors"]) {
      const json& s = e["per_class"][c];
      o += fmt::format("<td>{:.3f}</td><td>{:.3f}</td><td>{:.3f}</td>", s["precision"].get<double>(),
                       s["recall"].get<double>(), s["f1"].get<double>());
    }
    o += "</tr>\n";
  }
  for (const char* avg : {"macro", "weighted"}) {
    o += fmt::format("<tr><th class=\"l\">{} average</th><th></th>", avg);
    for (const json& e : r["executors"])
      o += fmt::format("<th>{:.3f}</th><th>{:.3f}</th><th>{:.3f}</th>", e[avg]["precision"].get<double>(),
                       e[avg]["recall"].get<double>(), e[avg]["f1"].get<double>());
    o += "</tr>\n";
  }
  return o + "</table></section>\n";
}

std::string db_cell(const json& v, const char* if_null) {
  if (v.is_null()) return fmt::format("<td class=\"good\">{}</td>", if_null);
  const double db = v.get<double>();
  return fmt::format("<td class=\"{}\">{:.1f}</td>", db >= 20 ? "good" : "bad", db);
}

std::string fidelity_section(const json& r) {
  if (!r.contains("fidelity")) return "";
  std::string o =
      "<section id=\"fidelity\"><h2>Output fidelity (" + escape(r["fidelity_between"].get<std::string>()) +
      ")</h2><p class=\"note\">Per model output: SQNR = 10·log10(Σ y² / Σ (y − ŷ)²) of the integer "
      "graph's output ŷ against the float model's y over every sample, the largest absolute difference, "
      "for classifier-shaped outputs the share of samples with the same arg-max, and for probability-shaped "
      "ones (one value in [0, 1] per sample, e.g. a VAD frame) the share decided alike at 0.5.</p><table>\n"
      "<tr><th class=\"l\">output</th><th class=\"l\">shape</th><th>SQNR dB</th><th>max |diff|</th>"
      "<th>top-1 agreement</th><th>decision agreement</th></tr>\n";
  for (const json& f : r["fidelity"]) {
    const std::string shape = f["shape"].dump();  // [1,2,3]
    o += "<tr><td class=\"l\">" + escape(f["output"].get<std::string>()) + "</td><td class=\"l\">" + shape + "</td>" +
         db_cell(f["sqnr_db"], "exact") + fmt::format("<td>{:.4g}</td>", f["max_abs_diff"].get<double>()) +
         (f["top1_agreement"].is_null() ? std::string("<td>–</td>")
                                        : "<td>" + pct(f["top1_agreement"].get<double>()) + "</td>") +
         (!f.contains("decision_agreement") || f["decision_agreement"].is_null()
              ? std::string("<td>–</td>")
              : "<td>" + pct(f["decision_agreement"].get<double>()) + "</td>") +
         "</tr>\n";
  }
  return o + "</table></section>\n";
}

std::string sqnr_section(const json& r) {
  if (r["sqnr"].empty()) return "";
  std::string o = "<section id=\"sqnr\"><h2>Per-layer SQNR, worst first";
  if (!r["sqnr_between"].get<std::string>().empty()) o += " (" + escape(r["sqnr_between"].get<std::string>()) + ")";
  o += "</h2><p class=\"note\">SQNR = 20·log10(‖x‖ / ‖x − x̂‖) between the float activation and the dequantized "
       "integer one, in dB; it accumulates the error of every earlier layer. The weight and activation columns "
       "isolate the layer's own rounding; below ~20 dB a layer usually costs visible accuracy.</p><table>\n"
       "<tr><th class=\"l\">layer</th><th class=\"l\">op</th><th>SQNR dB</th><th>weights dB</th><th>activation dB</th>"
       "<th class=\"l\">dominant error</th></tr>\n";
  for (const json& l : r["sqnr"])
    o += "<tr><td class=\"l\">" + escape(l["layer"].get<std::string>()) + "</td><td class=\"l\">" +
         escape(l["op"].get<std::string>()) + "</td>" + db_cell(l["sqnr_db"], "exact") +
         db_cell(l["weight_sqnr_db"], "–") + db_cell(l["act_sqnr_db"], "exact") + "<td class=\"l\">" +
         escape(l["dominant"].get<std::string>()) + "</td></tr>\n";
  return o + "</table></section>\n";
}

std::string cell(const json& v) {
  // Long text (stage results, notes) wraps instead of widening the table.
  if (v.is_string())
    return std::string("<td class=\"l") + (v.get<std::string>().size() > 60 ? " w" : "") + "\">" +
           escape(v.get<std::string>()) + "</td>";
  if (v.is_number_integer()) return fmt::format("<td>{}</td>", v.get<int64_t>());
  if (v.is_number()) return "<td>" + num(v.get<double>(), 4) + "</td>";
  if (v.is_boolean()) return std::string("<td>") + (v.get<bool>() ? "yes" : "no") + "</td>";
  return "<td>–</td>";
}

// A table from column names and rows of cells.
std::string rows_table(const json& columns, const json& rows) {
  if (!columns.is_array() || !rows.is_array() || rows.empty()) return "";
  std::string o = "<table>\n<tr>";
  for (const json& c : columns) o += "<th class=\"l\">" + escape(c.get<std::string>()) + "</th>";
  o += "</tr>\n";
  for (const json& row : rows) {
    o += "<tr>";
    for (const json& v : row) o += cell(v);
    o += "</tr>\n";
  }
  return o + "</table>\n";
}

std::string pruning_section(const json& r) {
  const json& p = r["pruning"];
  if (p.is_null()) return "";
  std::string o = "<section id=\"pruning\"><h2>Pruning</h2>\n";
  if (p.contains("summary")) o += "<p class=\"note\">" + escape(p["summary"].get<std::string>()) + "</p>\n";
  if (p.contains("columns") && p.contains("rows")) o += rows_table(p["columns"], p["rows"]);
  return o + "</section>\n";
}

std::string stages_section(const json& r) {
  if (!r["stages"].is_array() || r["stages"].empty()) return "";
  return "<section id=\"stages\"><h2>Pipeline stages</h2>\n" + rows_table(json{"stage", "result"}, r["stages"]) +
         "</section>\n";
}

std::string sizes_section(const json& r) {
  if (r["sizes"].empty()) return "";
  std::string o =
      "<section id=\"sizes\"><h2>Model size by stage</h2><table>\n<tr><th "
      "class=\"l\">stage</th><th>bytes</th><th>parameters</th></tr>\n";
  for (const json& s : r["sizes"])
    o += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td></tr>\n", escape(s["stage"].get<std::string>()),
                     bytes_str(s["bytes"].get<double>()),
                     s["params"].get<int64_t>() > 0 ? std::to_string(s["params"].get<int64_t>()) : "–");
  return o + "</table></section>\n";
}

}  // namespace

std::string report_html(const json& r) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // Nothing may load from elsewhere: the policy makes any stray reference fail loudly in the browser test.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<title>" +
      escape(r["title"].get<std::string>()) + "</title>\n<style>" + kStyle + "</style></head>\n<body><main>\n";
  o += "<h1>" + escape(r["title"].get<std::string>()) + "</h1>\n";
  o += "<div class=\"sub\">model <b>" + escape(r["model"].get<std::string>()) + "</b> · data <b>" +
       escape(r["data"].get<std::string>()) + "</b> (" + std::to_string(r["images"].get<int64_t>()) + " images)";
  if (!r["target"].is_null()) o += " · target <b>" + escape(r["target"].get<std::string>()) + "</b>";
  o += "</div>\n";
  o += summary_section(r) + executors_section(r) + npu_sections(r) + classes_section(r) + fidelity_section(r) +
       sqnr_section(r) + pruning_section(r) + sizes_section(r) + stages_section(r);
  return o + "</main></body></html>\n";
}

}  // namespace etch::eval
