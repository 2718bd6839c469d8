// A report with every section filled (three executors, NPU figures, SQNR,
// pruning, stages), built from hand-made confusion matrices, for the report
// and browser tests.
#pragma once
#include <limits>

#include "etch/eval/report.h"

namespace etch::eval::testing {

inline ExecutorEval executor(const std::string& name, const std::vector<std::vector<int64_t>>& counts) {
  ConfusionMatrix cm(static_cast<int64_t>(counts.size()));
  for (size_t t = 0; t < counts.size(); ++t)
    for (size_t p = 0; p < counts.size(); ++p) cm.add(t, p, counts[t][p]);
  return {name, summarize(cm, cm.total()), 0.5};
}

inline Evaluation sample_evaluation() {
  Evaluation ev;
  ev.data_spec = "fashion-mnist:test:30";
  ev.images = 30;
  ev.class_names = {"T-shirt/top", "Trouser", "Pullover"};
  ev.executors.push_back(executor("float", {{9, 1, 0}, {0, 10, 0}, {1, 0, 9}}));
  ev.executors.push_back(executor("int", {{8, 1, 1}, {0, 10, 0}, {1, 0, 9}}));
  ev.executors.push_back(executor("npu", {{8, 1, 1}, {0, 10, 0}, {1, 0, 9}}));
  auto pair = [](std::string a, std::string b, int same) {
    PairAgreement p{std::move(a), std::move(b), {}};
    // 30 rows of 3 scores; `same` rows agree on the top-1.
    std::vector<float> x(90, 0.f), y(90, 0.f);
    for (int r = 0; r < 30; ++r) x[r * 3] = 1.f, y[r * 3 + (r < same ? 0 : 1)] = 1.f;
    p.agreement.add_batch(Tensor::from_vector<float>({30, 3}, x), Tensor::from_vector<float>({30, 3}, y));
    return p;
  };
  ev.pairs = {pair("float", "int", 29), pair("float", "npu", 29), pair("int", "npu", 30)};
  return ev;
}

inline ReportInputs sample_inputs(const Evaluation& ev) {
  ReportInputs in;
  in.title = "etch deploy cnn.onnx";
  in.model = "cnn.onnx";
  in.target = "edge";
  in.evaluation = &ev;
  const double inf = std::numeric_limits<double>::infinity();
  in.sqnr = {{"conv1", "QConv", "c1", 30.0, 45.0, 31.0, "activations"},
             {"fc", "QGemm", "logits", 10.0, 12.0, 40.0, "weights"},
             {"pool1", "MaxPool", "p1", inf, inf, inf, "activations"}};
  in.sqnr_between = "float vs int";
  NpuPerf n;
  n.target = "edge";
  n.rows = n.cols = 16;
  n.clock_mhz = 500;
  n.peak_tops = 0.256;
  n.dram_gb_per_s = 4;
  n.cycles = 30000;
  n.dram_bytes = 40000;
  n.energy_uj = 12.5;
  n.program_bytes = 30000;
  n.layers = {{"conv1", "QConv", 8000, 6000, 1500, 500, 0.55, 112896, 9000, 2.0},
              {"conv2", "QConv", 20000, 17000, 2500, 500, 0.80, 903168, 25000, 9.0},
              {"fc", "QGemm", 2000, 400, 1500, 100, 0.05, 15680, 6000, 1.5}};
  in.npu = n;
  in.sizes = {{"float", 100000, 25000}, {"pruned", 60000, 15000}, {"int8", 16000, 15000}, {"npu program", 17000, 0}};
  in.pruning = {{"summary", "taylor:channel:0.3, 1 epoch of fine-tuning"},
                {"columns", {"layer", "channels", "params"}},
                {"rows", nlohmann::json::array({nlohmann::json::array({"conv1", "16 → 11", 99}),
                                                nlohmann::json::array({"conv2", "32 → 22", 2178})})}};
  // json::array: a braced list of string pairs would become an object.
  in.stages = nlohmann::json::array(
      {nlohmann::json::array({"import", "cnn.onnx (12 nodes)"}), nlohmann::json::array({"validate", "30 images"})});
  in.notes = {"a note with <markup> & quotes \""};
  return in;
}

}  // namespace etch::eval::testing
