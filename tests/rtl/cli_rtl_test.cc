// `etch rtl` end to end: the files and manifest it writes, and a target the
// RTL cannot realise refused with exit code 2, the field named and nothing
// written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(RtlCli, WritesEveryModuleAndTheManifest) {
  testing::ScratchDir dir;
  const testing::ToolRun r =
      testing::run_tool(dir.str(), std::string("'") + ETCH_BINARY + "' rtl --target mobile -o out/mobile");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("array 32x32"), std::string::npos) << r.output;
  const nlohmann::json m = nlohmann::json::parse(slurp(dir / "out/mobile/manifest.json"));
  EXPECT_EQ(m["target_name"], "mobile");
  EXPECT_EQ(m["array"]["rows"], 32);
  EXPECT_EQ(m["sram"][0]["words_per_bank"], 256 * 1024 / 32 / 2);
  ASSERT_EQ(m["files"].size(), 18u);
  EXPECT_EQ(m["dram"]["beat_bytes"], 32);  // mobile: dram.bytes_per_cycle = 32
  for (const auto& f : m["files"])
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / ("out/mobile/" + f.get<std::string>()))) << f;
}

TEST(RtlCli, RefusesATargetTheRtlCannotRealiseWithoutWriting) {
  testing::ScratchDir dir;
  std::ofstream(dir / "odd.toml") << "preset = \"edge\"\n[buffers]\ninput_bytes = 1000\n";
  const testing::ToolRun r =
      testing::run_tool(dir.str(), std::string("'") + ETCH_BINARY + "' rtl --target odd.toml -o out");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("buffers.input_bytes = 1000"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(RtlCli, HelpHasAnExample) {
  testing::ScratchDir dir;
  const testing::ToolRun r = testing::run_tool(dir.str(), std::string("'") + ETCH_BINARY + "' rtl --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("etch rtl --target edge -o"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace etch::rtl
