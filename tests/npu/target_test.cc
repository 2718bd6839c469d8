#include "etch/npu/target.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli/etch_process.h"
#include "etch/core/error.h"

namespace etch::npu {
namespace {

using etch::testing::run_etch;
using etch::testing::ScratchDir;

// Runs f, which must throw InvalidInput; returns the message.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an etch::Error";
  return "";
}

TEST(Target, PresetsAreValidAndMatchTheirDocumentedNumbers) {
  ASSERT_EQ(preset_names(), (std::vector<std::string>{"edge", "mobile", "datacenter"}));
  for (const auto& n : preset_names()) {
    const Target t = preset(n);
    EXPECT_EQ(t.name, n);
    EXPECT_NO_THROW(validate_target(t)) << n;
  }
  const Target e = preset("edge");
  EXPECT_EQ(e.rows, 16);
  EXPECT_EQ(e.input_buffer_bytes, 32 * 1024);
  EXPECT_EQ(e.accumulator_buffer_bytes, 16 * 1024);
  EXPECT_DOUBLE_EQ(e.peak_tops(), 0.256);  // 2 * 256 MACs * 500e6 / 1e12
  EXPECT_TRUE(preset("mobile").sparsity_2_4);
  const Target d = preset("datacenter");
  EXPECT_EQ(d.rows, 256);
  EXPECT_EQ(d.input_buffer_bytes, 24 * 1024 * 1024);
  EXPECT_NEAR(d.peak_tops(), 91.75, 0.01);     // TPUv1's published 92 TOPS
  EXPECT_NEAR(d.dram_gb_per_s(), 30.1, 0.01);  // 43 B/cycle * 700 MHz
  // Horowitz 45 nm: 0.2 pJ 8-bit mult + 0.1 pJ 32-bit add; 5 pJ / 4 B; 640 pJ / 4 B.
  EXPECT_DOUBLE_EQ(d.energy.mac_int8_pj, 0.3);
  EXPECT_DOUBLE_EQ(d.energy.sram_byte_pj, 1.25);
  EXPECT_DOUBLE_EQ(d.energy.dram_byte_pj, 160.0);
  EXPECT_NE(error_of([] { preset("tiny"); }).find("edge, mobile, datacenter"), std::string::npos);
}

TEST(Target, TomlRoundTripsPresetsAndOddValues) {
  for (const auto& n : preset_names()) {
    const Target t = preset(n);
    EXPECT_EQ(target_from_toml_string(target_to_toml(t), "x.toml"), t) << target_to_toml(t);
  }
  Target t = preset("mobile");
  t.name = "odd \"quoted\" \\ name";
  t.rows = 7;  // not a power of two: allowed
  t.cols = 1024;
  t.dataflow = Dataflow::OutputStationary;
  t.dram_bytes_per_cycle = 30e9 / 700e6;  // 42.857142857142854...
  t.dram_latency_cycles = 0;
  t.clock_mhz = 933.3;
  t.int4_weights = true;
  t.energy.mac_int8_pj = 0.23;
  t.energy.sram_byte_pj = 0;
  EXPECT_EQ(target_from_toml_string(target_to_toml(t), "x.toml"), t) << target_to_toml(t);
}

TEST(Target, PresetPlusOverride) {
  const Target t = target_from_toml_string(
      "preset = \"edge\"\n"
      "clock_mhz = 800\n"
      "[array]\n"
      "rows = 32\n"
      "dataflow = \"os\"\n"
      "[energy]\n"
      "dram_byte_pj = 100.5\n",
      "dir/my_edge.toml");
  Target want = preset("edge");
  want.name = "my_edge";  // the file stem, since the file gives no name
  want.clock_mhz = 800;
  want.rows = 32;
  want.dataflow = Dataflow::OutputStationary;
  want.energy.dram_byte_pj = 100.5;
  EXPECT_EQ(t, want);
  EXPECT_EQ(target_from_toml_string("preset = \"mobile\"\nname = \"m2\"\n", "a.toml").name, "m2");
}

TEST(Target, WithoutPresetEveryFieldIsRequired) {
  std::string text = target_to_toml(preset("edge"));
  const size_t at = text.find("latency_cycles");
  text.erase(at, text.find('\n', at) - at);
  const std::string msg = error_of([&] { target_from_toml_string(text, "t.toml"); });
  EXPECT_NE(msg.find("missing field 'dram.latency_cycles'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t.toml"), std::string::npos) << msg;
}

struct BadCase {
  const char* text;
  const char* field;
  int line;
  const char* what;
};

TEST(Target, ErrorsNameFieldFileAndLine) {
  const BadCase cases[] = {
      {"preset = \"edge\"\n[array]\nrows = 16\nrowz = 8\n", "array.rowz", 4, "unknown"},
      {"preset = \"edge\"\n\nspeed = 3\n", "speed", 3, "unknown"},
      {"preset = \"edge\"\n[array]\n\ncols = \"16\"\n", "array.cols", 4, "must be an integer, got a string"},
      {"preset = \"edge\"\n[features]\nint4_weights = 1\n", "features.int4_weights", 3, "boolean"},
      {"preset = \"edge\"\n[buffers]\ninput_bytes = -4096\n", "buffers.input_bytes", 3, "positive integer"},
      {"preset = \"edge\"\n[buffers]\nweight_bytes = 0\n", "buffers.weight_bytes", 3, "positive integer"},
      {"preset = \"edge\"\n[array]\nrows = 2048\n", "array.rows", 3, "at most 1024"},
      {"preset = \"edge\"\n[array]\ndataflow = \"rs\"\n", "array.dataflow", 3, "\"ws\" (weight-stationary) or \"os\""},
      {"preset = \"edge\"\n[dram]\nbytes_per_cycle = 0.0\n", "dram.bytes_per_cycle", 3, "> 0"},
      {"preset = \"edge\"\n[energy]\nsram_byte_pj = -1.0\n", "energy.sram_byte_pj", 3, ">= 0"},
      {"preset = \"edge\"\narray = 4\n", "array", 2, "must be a table"},
      {"\npreset = \"tpu\"\n", "preset", 2, "edge, mobile, datacenter"},
  };
  for (const BadCase& c : cases) {
    const std::string msg = error_of([&] { target_from_toml_string(c.text, "cfg/bad.toml"); });
    EXPECT_NE(msg.find("'cfg/bad.toml'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fmt::format("line {}:", c.line)), std::string::npos) << msg;
    EXPECT_NE(msg.find(fmt::format("field '{}'", c.field)), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.what), std::string::npos) << msg;
  }
  const std::string syntax = error_of([] { target_from_toml_string("a = 1\nb = [\n", "s.toml"); });
  EXPECT_NE(syntax.find("not valid TOML"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find("'s.toml'"), std::string::npos) << syntax;
  // U+032A outside a string (found by fuzz_target_toml): toml++ 3.3 would reach
  // undefined behaviour; etch refuses non-ASCII first, naming the line.
  const std::string utf8 = error_of([] { target_from_toml_string("preset = \"edge\"\n\xcc\xaa = 1\n", "u.toml"); });
  EXPECT_NE(utf8.find("target file 'u.toml', line 2: non-ASCII byte 0xCC"), std::string::npos) << utf8;
}

TEST(Target, ValidateRejectsProgrammaticTargets) {
  Target t = preset("edge");
  t.vector_lanes = 0;
  EXPECT_NE(error_of([&] { validate_target(t); }).find("field 'vector.lanes'"), std::string::npos);
  t = preset("edge");
  t.name.clear();
  EXPECT_NE(error_of([&] { target_to_toml(t); }).find("field 'name'"), std::string::npos);
}

TEST(Target, LoadAndResolve) {
  ScratchDir dir;
  const std::string path = dir.write("small.toml", "preset = \"edge\"\n[vector]\nlanes = 8\n");
  Target want = preset("edge");
  want.name = "small";
  want.vector_lanes = 8;
  EXPECT_EQ(load_target_file(path), want);
  EXPECT_EQ(resolve_target(path), want);
  EXPECT_EQ(resolve_target("datacenter"), preset("datacenter"));
  EXPECT_NE(error_of([&] { resolve_target(dir / "none.toml"); }).find("neither a preset"), std::string::npos);
  EXPECT_NE(error_of([&] { load_target_file(dir / "none.toml"); }).find("cannot read"), std::string::npos);
}

TEST(TargetCli, ListShowsEveryPresetWithPeakTops) {
  ScratchDir dir;
  const auto r = run_etch("targets", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::vector<std::string>> rows;  // first cell -> whitespace-split cells
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::vector<std::string> cells;
    for (std::string c; ls >> c;) cells.push_back(c);
    if (!cells.empty()) rows[cells[0]] = cells;
  }
  for (const auto& n : preset_names()) {
    ASSERT_TRUE(rows.count(n)) << r.out;
    const Target t = preset(n);
    const auto& cells = rows[n];
    EXPECT_EQ(cells[1], fmt::format("{}x{}", t.rows, t.cols)) << r.out;
    EXPECT_EQ(cells[2], "ws");
    // name, array, dataflow, 3 buffers of 2 tokens each ("32 KiB"), B/cycle, GB/s, MHz, lanes, TOPS, features
    ASSERT_EQ(cells.size(), 15u) << r.out;
    EXPECT_NEAR(std::stod(cells[13]), t.peak_tops(), t.peak_tops() * 1e-2) << r.out;
  }
  const auto j = run_etch("targets --json", dir);
  EXPECT_EQ(j.exit_code, 0);
  EXPECT_NE(j.out.find("\"peak_tops\""), std::string::npos);
}

TEST(TargetCli, ShowPrintsTomlThatParsesBack) {
  ScratchDir dir;
  for (const auto& n : preset_names()) {
    const auto r = run_etch("targets show " + n, dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(target_from_toml_string(r.out, n + ".toml"), preset(n)) << r.out;
  }
  dir.write("mine.toml", "preset = \"mobile\"\nname = \"mine\"\n[array]\nrows = 12\n");
  const auto r = run_etch("targets show mine.toml", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Target want = preset("mobile");
  want.name = "mine";
  want.rows = 12;
  EXPECT_EQ(target_from_toml_string(r.out, "out.toml"), want);

  dir.write("bad.toml", "preset = \"mobile\"\n[array]\ndataflow = \"xy\"\n");
  const auto b = run_etch("targets show bad.toml", dir);
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("target file 'bad.toml', line 3: field 'array.dataflow'"), std::string::npos) << b.err;
  EXPECT_TRUE(b.out.empty());
}

}  // namespace
}  // namespace etch::npu
