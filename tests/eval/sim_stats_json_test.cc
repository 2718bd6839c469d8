// The one schema for simulator statistics: `etch simulate --json` and
// report.json's "npu" object, per inference, from the simulator's sums.
#include "etch/eval/sim_stats_json.h"

#include <gtest/gtest.h>

namespace etch::eval {
namespace {

npu::Target small_target() {
  npu::Target t;
  t.name = "t4x8";
  t.rows = 4;
  t.cols = 8;
  t.clock_mhz = 500;
  return t;
}

// Two images' sums: one conv layer and one vector layer.
sim::SimStats two_images() {
  sim::SimStats s;
  s.runs = 2;
  s.layer_info = {{"conv1", "conv", 0}, {"add1", "add", 0}};
  s.layers.resize(2);
  s.layers[0].cycles = 1001;  // 500.5 per image: rounds away from zero
  s.layers[0].macs = 6400;
  s.layers[0].compute_wait_load = 200;
  s.layers[0].compute_wait_store = 100;
  s.layers[0].dram_read_bytes = 300;
  s.layers[0].dram_write_bytes = 100;
  s.layers[0].energy_pj = 4e6;
  s.layers[1].cycles = 99;
  s.total.cycles = 1100;
  s.total.dram_read_bytes = 300;
  s.total.dram_write_bytes = 100;
  s.total.energy_pj = 5e6;
  return s;
}

TEST(SimStatsJson, PerInferenceFiguresWithReportFieldNames) {
  const nlohmann::json j = to_json(two_images(), small_target(), 1234);
  EXPECT_EQ(j["target"], "t4x8");
  EXPECT_EQ(j["rows"], 4);
  EXPECT_EQ(j["cols"], 8);
  EXPECT_EQ(j["images"], 2);
  EXPECT_EQ(j["cycles"], 550);
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), 550 / (500 * 1e3));
  EXPECT_DOUBLE_EQ(j["inferences_per_s"].get<double>(), 500e6 / 550);
  EXPECT_EQ(j["dram_bytes"], 200);
  EXPECT_DOUBLE_EQ(j["energy_uj"].get<double>(), 2.5);
  EXPECT_EQ(j["program_bytes"], 1234);
  ASSERT_EQ(j["layers"].size(), 2u);
  const nlohmann::json& conv = j["layers"][0];
  EXPECT_EQ(conv["name"], "conv1");
  EXPECT_EQ(conv["op"], "conv");
  EXPECT_EQ(conv["cycles"], 501);
  EXPECT_EQ(conv["load_stall_cycles"], 100);
  EXPECT_EQ(conv["store_stall_cycles"], 50);
  EXPECT_EQ(conv["compute_cycles"], 501 - 100 - 50);
  EXPECT_EQ(conv["macs"], 3200);
  EXPECT_EQ(conv["dram_bytes"], 200);
  EXPECT_DOUBLE_EQ(conv["energy_uj"].get<double>(), 2.0);
  // Utilization is of the sums: 6400 MACs / (4 x 8 x 1001 cycles).
  EXPECT_DOUBLE_EQ(conv["utilization"].get<double>(), 6400.0 / (32.0 * 1001));
  EXPECT_EQ(j["layers"][1]["name"], "add1");
  EXPECT_EQ(j["layers"][1]["cycles"], 50);  // 49.5 rounds to 50
}

TEST(SimStatsJson, ReportReadsBackWhatSimulateWrites) {
  // report.json's reader accepts the simulate schema field for field.
  const nlohmann::json j = to_json(two_images(), small_target(), 1234);
  const NpuPerf back = npu_perf_from_json(j);
  EXPECT_EQ(back.cycles, 550);
  EXPECT_EQ(back.program_bytes, 1234);
  ASSERT_EQ(back.layers.size(), 2u);
  EXPECT_EQ(back.layers[0].compute_cycles, 351);
  nlohmann::json again = npu_perf_json(back);
  again["images"] = 2;
  EXPECT_EQ(again, j);
}

TEST(SimStatsJson, NoRunsCountsAsOne) {
  sim::SimStats s = two_images();
  s.runs = 0;
  const nlohmann::json j = to_json(s, small_target());
  EXPECT_EQ(j["cycles"], 1100);
  EXPECT_EQ(j["images"], 0);
  EXPECT_EQ(j["program_bytes"], 0);
}

TEST(SimStatsJson, DenseAndDepthwiseUtilizationAreMacWeighted) {
  sim::SimStats s = two_images();
  nlohmann::json j = to_json(s, small_target(), 0);
  EXPECT_DOUBLE_EQ(j["dense_utilization"].get<double>(),
                   3200.0 / (32.0 * 501));            // per image: the vector layer has no MACs
  EXPECT_TRUE(j["depthwise_utilization"].is_null());  // no depthwise layer
  s.layer_info.push_back({"dw1", "dwconv", 0});
  s.layers.emplace_back();
  s.layers[2].cycles = 2000;
  s.layers[2].macs = 1600;
  s.layer_info.push_back({"dw2", "dwconv", 0});
  s.layers.emplace_back();
  s.layers[3].cycles = 200;
  s.layers[3].macs = 1600;
  j = to_json(s, small_target(), 0);
  // Per image 800 + 800 MACs over 1000 + 100 cycles, not the mean of the two layers' ratios.
  EXPECT_DOUBLE_EQ(j["depthwise_utilization"].get<double>(), 1600.0 / (32.0 * 1100));
  EXPECT_DOUBLE_EQ(j["dense_utilization"].get<double>(), 3200.0 / (32.0 * 501));
  EXPECT_EQ(npu_perf_json(npu_perf_from_json(j)), [&] {
    nlohmann::json w = j;
    w.erase("images");
    return w;
  }());
}

}  // namespace
}  // namespace etch::eval
