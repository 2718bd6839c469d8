// The generated instruction decoder, simulated with iverilog, against the
// software decoder (npu::decode_instr) on random encodings of every opcode
// and on corrupted ones (a flipped bit, an unknown opcode): `valid` must be
// set exactly when decode_instr accepts the word, and then every operand,
// the header and the engine must equal what it decodes.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "etch/core/error.h"
#include "etch/npu/isa.h"
#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

using Word = std::array<uint8_t, npu::kInstrBytes>;

// Every field some opcode carries, in Field order.
std::vector<npu::Field> used_fields() {
  std::vector<bool> used(npu::kNumFields, false);
  for (int op = 1; op <= npu::kNumOpcodes; ++op)
    for (const npu::FieldSpec& s : npu::op_fields(static_cast<npu::Opcode>(op))) used[static_cast<int>(s.field)] = true;
  std::vector<npu::Field> v;
  for (int f = 0; f < npu::kNumFields; ++f)
    if (used[f]) v.push_back(static_cast<npu::Field>(f));
  return v;
}

std::string testbench(const std::vector<npu::Field>& fields) {
  std::string fmt = "%0d %0d %0d %0d %0d %0d",
              args = "dut.known, dut.valid, dut.engine, dut.opcode, dut.tokens, dut.layer";
  for (npu::Field f : fields) {
    fmt += " %0d";
    args += std::string(", dut.f_") + npu::field_name(f);
  }
  return "module instr_decoder_tb;\n"
         "  logic [511:0] instr;\n  integer fin, fout, n;\n"
         "  etch_instr_decoder dut (.instr(instr));\n"
         "  initial begin\n"
         "    fin = $fopen(\"words.txt\", \"r\");\n    fout = $fopen(\"results.txt\", \"w\");\n"
         "    while (!$feof(fin)) begin\n      n = $fscanf(fin, \"%h\\n\", instr);\n"
         "      if (n == 1) begin\n        #1 $fdisplay(fout, \"" +
         fmt + "\", " + args +
         ");\n      end\n    end\n"
         "    $fclose(fout);\n    $finish;\n  end\nendmodule\n";
}

TEST(RtlInstrDecoder, AgreesWithTheSoftwareDecoder) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  std::mt19937_64 rng(404);
  std::vector<Word> words;
  for (int op = 1; op <= npu::kNumOpcodes; ++op)
    for (int i = 0; i < 80; ++i) {
      npu::Instr in;
      in.op = static_cast<npu::Opcode>(op);
      in.tokens = static_cast<uint8_t>(rng() % 16);  // some are flags the engine cannot have
      in.layer = static_cast<uint16_t>(rng());
      for (const npu::FieldSpec& s : npu::op_fields(in.op)) {
        const uint64_t raw = s.bits == 64 ? rng() : rng() & ((uint64_t{1} << s.bits) - 1);
        int64_t v = static_cast<int64_t>(raw);
        if (s.is_signed && (raw >> (s.bits - 1)) & 1) v -= int64_t{1} << s.bits;
        in[s.field] = v;
      }
      Word w;
      npu::encode_instr(in, w.data());
      if (i % 4 == 3) {  // a corrupted word: one flipped bit anywhere
        const int bit = static_cast<int>(rng() % (npu::kInstrBytes * 8));
        w[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      }
      words.push_back(w);
    }
  for (int op : {0, 14, 200}) {
    Word w{};
    w[0] = static_cast<uint8_t>(op);
    words.push_back(w);
  }

  testing::ScratchDir dir;
  write_rtl(generate_rtl(npu::preset("edge")), dir.str());
  const std::vector<npu::Field> fields = used_fields();
  std::ofstream(dir / "instr_decoder_tb.sv") << testbench(fields);
  {
    std::ofstream f(dir / "words.txt");
    for (const Word& w : words) f << testing::hex_low_first(w.data(), npu::kInstrBytes) << '\n';
  }
  const testing::ToolRun sim =
      testing::simulate_iverilog(dir.str(), "instr_decoder_tb", "etch_instr_decoder.sv instr_decoder_tb.sv");
  ASSERT_EQ(sim.exit_code, 0) << sim.output;

  std::ifstream results(dir / "results.txt");
  std::string line;
  size_t i = 0, accepted = 0, refused = 0;
  for (; std::getline(results, line); ++i) {
    ASSERT_LT(i, words.size());
    std::istringstream ss(line);
    int64_t known, valid, engine, opcode, tokens, layer;
    ss >> known >> valid >> engine >> opcode >> tokens >> layer;
    std::vector<int64_t> got(fields.size());
    for (auto& v : got) ss >> v;
    ASSERT_FALSE(ss.fail()) << "line " << i << ": " << line;
    EXPECT_EQ(opcode, words[i][0]);
    EXPECT_EQ(known, npu::is_valid_opcode(words[i][0]) ? 1 : 0) << "word " << i;
    npu::Instr want;
    try {
      want = npu::decode_instr(words[i].data(), "word");
    } catch (const Error&) {
      EXPECT_EQ(valid, 0) << "word " << i << ": the software decoder refuses it";
      ++refused;
      continue;
    }
    ++accepted;
    ASSERT_EQ(valid, 1) << "word " << i << " (" << npu::format_instr(want) << ")";
    EXPECT_EQ(tokens, want.tokens);
    EXPECT_EQ(layer, want.layer);
    const bool all = want.op == npu::Opcode::Barrier || want.op == npu::Opcode::Halt;
    EXPECT_EQ(engine, all ? 3 : static_cast<int>(npu::queue_of(want))) << "word " << i;
    std::vector<bool> carried(npu::kNumFields, false);
    for (const npu::FieldSpec& s : npu::op_fields(want.op)) carried[static_cast<int>(s.field)] = true;
    for (size_t f = 0; f < fields.size(); ++f)
      EXPECT_EQ(got[f], carried[static_cast<int>(fields[f])] ? want[fields[f]] : 0)
          << "word " << i << " (" << npu::format_instr(want) << ") field " << npu::field_name(fields[f]);
  }
  EXPECT_EQ(i, words.size()) << sim.output;
  EXPECT_GT(accepted, 300u);  // both outcomes were exercised
  EXPECT_GT(refused, 100u);
}

}  // namespace
}  // namespace etch::rtl
