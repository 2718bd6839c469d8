// report.json layout and the HTML page's content, without a browser.
#include "etch/eval/report.h"

#include <gtest/gtest.h>

#include "etch/eval/report_html.h"
#include "etch/eval/summary_text.h"
#include "eval/sample_report.h"

namespace etch::eval {
namespace {

TEST(Report, JsonHoldsMetricsAgreementAndNpuFigures) {
  Evaluation ev = testing::sample_evaluation();
  nlohmann::json r = report_json(testing::sample_inputs(ev));
  ASSERT_EQ(r["executors"].size(), 3u);
  EXPECT_DOUBLE_EQ(r["executors"][0]["top1"].get<double>(), 28.0 / 30);
  EXPECT_DOUBLE_EQ(r["executors"][1]["top1"].get<double>(), 27.0 / 30);
  EXPECT_EQ(r["executors"][1]["confusion"][0][2], 1);
  EXPECT_DOUBLE_EQ(*report_accuracy(r, "npu"), 27.0 / 30);
  EXPECT_FALSE(report_accuracy(r, "tpu").has_value());
  EXPECT_EQ(r["agreement"][2]["a"], "int");
  EXPECT_DOUBLE_EQ(r["agreement"][2]["rate"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r["agreement"][0]["rate"].get<double>(), 29.0 / 30);
  // SQNR stored worst first; an exact layer has no dB value (JSON has no infinity).
  EXPECT_EQ(r["sqnr"][0]["layer"], "fc");
  EXPECT_NEAR(r["sqnr"][0]["sqnr_db"].get<double>(), 10.0, 1e-12);
  EXPECT_EQ(r["sqnr"][1]["layer"], "conv1");
  EXPECT_TRUE(r["sqnr"][2]["sqnr_db"].is_null());  // +inf: JSON has no infinity
  EXPECT_EQ(r["sqnr"][0]["dominant"], "weights");
  // 30000 cycles at 500 MHz = 0.06 ms, 16 666.7 inferences/s.
  EXPECT_NEAR(r["npu"]["latency_ms"].get<double>(), 0.06, 1e-12);
  EXPECT_NEAR(r["npu"]["inferences_per_s"].get<double>(), 500e6 / 30000, 1e-6);
  // The document is reproducible: dumping twice gives the same bytes.
  EXPECT_EQ(r.dump(), report_json(testing::sample_inputs(ev)).dump());
}

TEST(Report, HtmlIsSelfContainedAndHasEverySection) {
  Evaluation ev = testing::sample_evaluation();
  const std::string html = report_html(report_json(testing::sample_inputs(ev)));
  for (const char* id : {"summary", "executors", "cycles", "utilization", "roofline", "layers", "confusion",
                         "per-class", "sqnr", "pruning", "sizes", "stages"})
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // User text is escaped.
  EXPECT_NE(html.find("a note with &lt;markup&gt; &amp; quotes &quot;"), std::string::npos);
  // Dense layers' utilization: 1,031,744 MACs over 16 x 16 PEs x 30,000 cycles; no depthwise layer.
  EXPECT_NE(html.find("dense conv/gemm layers 13.4%"), std::string::npos);
  EXPECT_EQ(html.find("depthwise conv layers"), std::string::npos);
  EXPECT_EQ(html.find("<markup>"), std::string::npos);
  // Accuracy chain float -> int -> npu in the summary card.
  EXPECT_NE(html.find("93.33 → 90.00 → 90.00"), std::string::npos);
  // Tables keep their column order.
  EXPECT_NE(html.find("<th class=\"l\">layer</th><th class=\"l\">channels</th><th class=\"l\">params</th>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"l\">import</td><td class=\"l\">cnn.onnx (12 nodes)</td>"), std::string::npos);
  // Worst SQNR layer listed before the better one.
  EXPECT_LT(html.find("<td class=\"l\">fc</td><td class=\"l\">QGemm</td><td class=\"bad\">10.0"),
            html.find("<td class=\"l\">conv1</td><td class=\"l\">QConv</td><td class=\"good\">30.0"));
}

TEST(Report, SectionsWithoutDataAreLeftOut) {
  Evaluation ev = testing::sample_evaluation();
  ev.executors.resize(1);
  ev.pairs.clear();
  ReportInputs in = testing::sample_inputs(ev);
  in.npu.reset();
  in.sqnr.clear();
  in.pruning = nullptr;
  in.stages = nullptr;
  const std::string html = report_html(report_json(in));
  for (const char* id : {"cycles", "utilization", "roofline", "sqnr", "pruning", "stages"})
    EXPECT_EQ(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(html.find("<section id=\"confusion\""), std::string::npos);
}

TEST(Report, TerminalTables) {
  Evaluation ev = testing::sample_evaluation();
  nlohmann::json r = report_json(testing::sample_inputs(ev));
  const std::string t = summary_table(r);
  EXPECT_NE(t.find("npu"), std::string::npos);
  EXPECT_NE(t.find("93.33%"), std::string::npos);
  EXPECT_NE(t.find("0.0600"), std::string::npos);  // latency ms
  EXPECT_NE(t.find("12.50"), std::string::npos);   // energy µJ
  EXPECT_NE(t.find("int vs npu: 100.00% same top-1 (30/30)"), std::string::npos) << t;
  const std::string c = per_class_table(r);
  EXPECT_NE(c.find("1 Trouser"), std::string::npos) << c;
  EXPECT_NE(c.find("macro avg"), std::string::npos);
}

TEST(Report, FormatColumnsAligns) {
  EXPECT_EQ(format_columns({{"a", "1"}, {"bbb", "22"}}, {false, true}), "a     1\nbbb  22\n");
}

}  // namespace
}  // namespace etch::eval
