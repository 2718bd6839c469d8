// One JSON schema for the simulator's statistics, shared by
// `etch simulate --json` and the `npu` section of report.json: per-inference
// figures (the simulator's sums divided by the images run) and one entry per
// layer. docs/reports.md lists the fields.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "etch/eval/report.h"
#include "etch/npu/target.h"
#include "etch/sim/stats.h"

namespace etch::eval {

// Per-inference figures of everything `s` accumulated on target `t`;
// program_bytes is the program file's size (0 when unknown).
NpuPerf npu_perf(const sim::SimStats& s, const npu::Target& t, int64_t program_bytes = 0);

// npu_perf_json(npu_perf(s, t, program_bytes)) plus "images" (how many runs
// the averages are over).
nlohmann::json to_json(const sim::SimStats& s, const npu::Target& t, int64_t program_bytes = 0);

}  // namespace etch::eval
