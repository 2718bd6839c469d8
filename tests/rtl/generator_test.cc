// The generator without a simulator: which targets it refuses (with the
// field named), and that the target's numbers reach the generated modules.
#include <gtest/gtest.h>

#include <string>

#include "etch/core/error.h"
#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

const SvFile& file_of(const RtlDesign& d, const std::string& module) {
  for (const SvFile& f : d.files)
    if (f.module == module) return f;
  throw std::runtime_error("no module " + module);
}

// Runs generate_rtl expecting an etch::Error of `kind` whose message contains `needle`.
void expect_refused(const npu::Target& t, ErrorKind kind, const std::string& needle) {
  try {
    generate_rtl(t);
    FAIL() << "target accepted; expected a refusal mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(RtlGenerator, RefusesBuffersThatAreNotWholeSramWordsPerBank) {
  npu::Target t = npu::preset("edge");    // 16 lanes: input words of 16 bytes, 2 banks
  t.input_buffer_bytes = 32 * 1024 + 16;  // 2049 words: odd, not two equal banks
  expect_refused(t, ErrorKind::InvalidInput, "buffers.input_bytes = 32784");
  t = npu::preset("edge");
  t.weight_buffer_bytes = 1000;  // cols = 16: not a multiple of 32
  expect_refused(t, ErrorKind::InvalidInput, "buffers.weight_bytes");
  t = npu::preset("edge");
  t.accumulator_buffer_bytes = 16 * 1024 + 64;  // 16 int32 per word: 257 words
  expect_refused(t, ErrorKind::InvalidInput, "buffers.accumulator_bytes");
}

TEST(RtlGenerator, RefusalNamesTheWordWidthItNeeds) {
  npu::Target t = npu::preset("edge");
  t.vector_lanes = 24;  // 32 KiB is not a multiple of 2 x 24 bytes
  expect_refused(t, ErrorKind::InvalidInput, "multiple of 48");
}

TEST(RtlGenerator, RefusesADramBeatThatIsNotWholeBytes) {
  npu::Target t = npu::preset("edge");
  t.dram_bytes_per_cycle = 2.5;  // the simulator times it; the memory port moves whole bytes
  expect_refused(t, ErrorKind::InvalidInput, "dram.bytes_per_cycle = 2.5");
  t.dram_bytes_per_cycle = 4096;
  expect_refused(t, ErrorKind::InvalidInput, "from 1 to 1024");
  t.dram_bytes_per_cycle = 12;
  EXPECT_EQ(generate_rtl(t).params.dma.beat_bytes, 12);
}

TEST(RtlGenerator, RefusesOutputStationaryUntilBuilt) {
  npu::Target t = npu::preset("edge");
  t.dataflow = npu::Dataflow::OutputStationary;
  expect_refused(t, ErrorKind::Unsupported, "array.dataflow");
}

TEST(RtlGenerator, RefusesInvalidTargetsWithTheTargetCheck) {
  npu::Target t = npu::preset("edge");
  t.rows = 0;
  EXPECT_THROW(generate_rtl(t), Error);
}

TEST(RtlGenerator, TargetNumbersReachTheModules) {
  npu::Target t = npu::preset("edge");
  t.name = "odd";
  t.rows = 12;
  t.cols = 5;
  t.vector_lanes = 8;
  t.input_buffer_bytes = 8 * 2 * 300;          // 300 words per bank: depth need not be a power of two
  t.weight_buffer_bytes = 5 * 2 * 64;          // cols-byte words
  t.accumulator_buffer_bytes = 4 * 5 * 2 * 7;  // cols int32 per word
  const RtlDesign d = generate_rtl(t);
  EXPECT_NE(file_of(d, "etch_systolic_array").text.find("parameter int ROWS = 12"), std::string::npos);
  EXPECT_NE(file_of(d, "etch_systolic_array").text.find("parameter int COLS = 5"), std::string::npos);
  EXPECT_NE(file_of(d, "etch_vector_requant").text.find("parameter int LANES = 8"), std::string::npos);
  const std::string& in = file_of(d, "etch_input_buffer").text;
  EXPECT_NE(in.find("parameter int WORD_BYTES = 8"), std::string::npos);
  EXPECT_NE(in.find("parameter int DEPTH = 300"), std::string::npos);
  EXPECT_NE(in.find("parameter int ADDR_BITS = 10"), std::string::npos);  // 600 words
  EXPECT_NE(in.find("parameter int BANK_ADDR_BITS = 9"), std::string::npos);
  EXPECT_NE(file_of(d, "etch_weight_buffer").text.find("parameter int DEPTH = 64"), std::string::npos);
  EXPECT_NE(file_of(d, "etch_accumulator_buffer").text.find("parameter int WORD_BYTES = 20"), std::string::npos);
  EXPECT_NE(file_of(d, "etch_accumulator_buffer").text.find("parameter int DEPTH = 7"), std::string::npos);
  EXPECT_EQ(d.params.accumulator.addr_bits, 4);  // 14 words
  EXPECT_NE(d.manifest.find("\"target_name\": \"odd\""), std::string::npos);
}

TEST(RtlGenerator, OneModulePerFileNamedAfterIt) {
  const RtlDesign d = generate_rtl(npu::preset("mobile"));
  ASSERT_EQ(d.files.size(), 18u);
  for (const SvFile& f : d.files) {
    EXPECT_NE(f.text.find("module " + f.module + " "), std::string::npos) << f.module;
    EXPECT_EQ(f.text.find("module ", f.text.find("module " + f.module) + 1), std::string::npos)
        << f.module << " holds a second module";
    EXPECT_EQ(f.text.find("${"), std::string::npos) << f.module;
  }
  // mobile has 2:4 sparsity, which the array does not realise yet: the manifest says so.
  EXPECT_NE(d.manifest.find("features.sparsity_2_4"), std::string::npos);
}

TEST(RtlGenerator, SameTargetSameBytes) {
  const RtlDesign a = generate_rtl(npu::preset("edge")), b = generate_rtl(npu::preset("edge"));
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) EXPECT_EQ(a.files[i].text, b.files[i].text);
  EXPECT_EQ(a.manifest, b.manifest);
}

TEST(RtlGenerator, WritesFilesAndManifest) {
  testing::ScratchDir dir;
  const RtlDesign d = generate_rtl(npu::preset("edge"));
  const std::vector<std::string> written = write_rtl(d, dir / "out/edge");
  ASSERT_EQ(written.size(), d.files.size() + 1);
  for (const std::string& p : written) EXPECT_TRUE(std::filesystem::is_regular_file(p)) << p;
  EXPECT_EQ(std::filesystem::path(written.back()).filename(), "manifest.json");
}

}  // namespace
}  // namespace etch::rtl
