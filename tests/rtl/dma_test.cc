// The generated DMA engine in iverilog, between a DRAM model and the
// generated input and weight buffers, against the ISA's LOAD/STORE semantics
// (docs/npu-isa.md): random transfers with unaligned addresses, strides and
// repeats, both buffers, a memory that refuses requests on some cycles, and
// LOADs and STOREs competing for the one port. Checked: every buffer word and
// DRAM byte afterwards, the arbitration rule (a LOAD first unless it is a
// background prefetch), and one transfer's cycles (one request per cycle,
// then the latency).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

enum Op { kLoad = 0, kStore = 1, kEndPhase = 2 };

struct Transfer {
  Op op = kLoad;
  bool background = false;
  int buf = 0;  // LOAD: 0 input, 1 weight
  int64_t dram = 0, sram = 0, rows = 1, row_bytes = 1, dram_stride = 0, sram_stride = 0, reps = 1, dram_rep_stride = 0,
          sram_rep_stride = 0;
  bool throttled = false;  // kEndPhase: the phase's memory refuses some requests

  int64_t extent(int64_t stride, int64_t rep_stride) const {
    return (reps - 1) * rep_stride + (rows - 1) * stride + row_bytes;
  }
};

// The model: the ISA's copy loop over byte arrays.
struct Memories {
  std::vector<uint8_t> dram, input, weight;
  void run(const Transfer& x) {
    std::vector<uint8_t>& sram = x.buf == 0 ? input : weight;
    for (int64_t r = 0; r < x.reps; ++r)
      for (int64_t i = 0; i < x.rows; ++i)
        for (int64_t b = 0; b < x.row_bytes; ++b) {
          const int64_t d = x.dram + r * x.dram_rep_stride + i * x.dram_stride + b;
          const int64_t s = x.sram + r * x.sram_rep_stride + i * x.sram_stride + b;
          if (x.op == kLoad)
            sram.at(s) = dram.at(d);
          else
            dram.at(d) = sram.at(s);
        }
  }
};

// How many requests the engine cuts a transfer into: at most `beat` bytes,
// never across a row's end or an SRAM word.
int64_t requests(const Transfer& x, int64_t word, int64_t beat) {
  int64_t n = 0;
  for (int64_t r = 0; r < x.reps; ++r)
    for (int64_t i = 0; i < x.rows; ++i)
      for (int64_t b = 0; b < x.row_bytes; ++n) {
        const int64_t s = x.sram + r * x.sram_rep_stride + i * x.sram_stride + b;
        b += std::min({beat, x.row_bytes - b, word - s % word});
      }
  return n;
}

struct Timing {
  int64_t accept = 0, done = 0;
};

class DmaRun {
 public:
  DmaRun(const npu::Target& t, int64_t dram_bytes) : design_(generate_rtl(t)), p_(design_.params) {
    std::mt19937 rng(11);
    mem_.dram.resize(dram_bytes);
    for (auto& b : mem_.dram) b = static_cast<uint8_t>(rng());
    mem_.input.assign(p_.input.bytes, 0);
    mem_.weight.assign(p_.weight.bytes, 0);
  }
  const RtlParams& params() const { return p_; }
  int64_t dram_bytes() const { return static_cast<int64_t>(mem_.dram.size()); }

  // Appends a phase; returns the index of its first transfer.
  size_t phase(const std::vector<Transfer>& xs, bool throttled) {
    const size_t first = commands_.size();
    for (const Transfer& x : xs) commands_.push_back(x);
    Transfer end;
    end.op = kEndPhase;
    end.throttled = throttled;
    commands_.push_back(end);
    return first;
  }

  // Simulates every phase and checks the buffers and DRAM against the
  // model; fills `timing` per transfer index.
  void simulate_and_check() {
    testing::ScratchDir dir;
    write_rtl(design_, dir.str());
    {
      std::ofstream d(dir / "dram_in.hex");
      for (const uint8_t& b : mem_.dram) d << testing::hex_low_first(&b, 1) << '\n';
      std::ofstream c(dir / "commands.txt");
      for (const Transfer& x : commands_) {
        c << std::hex << x.op << ' ' << x.background << ' ' << x.buf << ' ' << x.dram << ' ' << x.sram << ' ' << x.rows
          << ' ' << x.row_bytes << ' ' << x.dram_stride << ' ' << x.sram_stride << ' ' << x.reps << ' '
          << x.dram_rep_stride << ' ' << x.sram_rep_stride << ' ' << x.throttled << '\n';
      }
    }
    // Order within a phase does not matter to the model: its LOADs and STOREs
    // touch disjoint bytes (the test's transfers are made so).
    for (const Transfer& x : commands_)
      if (x.op != kEndPhase) mem_.run(x);

    const int64_t in_words = p_.input.depth * p_.input.banks, w_words = p_.weight.depth * p_.weight.banks;
    const testing::ToolRun sim =
        testing::simulate_iverilog(dir.str(), "dma_tb",
                                   "etch_sram_bank.sv etch_input_buffer.sv etch_weight_buffer.sv etch_dma.sv " +
                                       testing::quoted_testbench("dma_tb"),
                                   {{"BEAT", p_.dma.beat_bytes},
                                    {"LEN_BITS", p_.dma.len_bits},
                                    {"IN_WORD", p_.input.word_bytes},
                                    {"IN_ADDR", p_.input.addr_bits},
                                    {"W_WORD", p_.weight.word_bytes},
                                    {"W_ADDR", p_.weight.addr_bits},
                                    {"OFF_BITS", p_.dma.off_bits},
                                    {"FIFO_BITS", p_.dma.fifo_bits},
                                    {"LAT", std::max<int64_t>(p_.dma.latency, 1)},
                                    {"DRAM_BYTES", dram_bytes()},
                                    {"IN_WORDS", in_words},
                                    {"W_WORDS", w_words}});
    ASSERT_EQ(sim.exit_code, 0) << sim.output;

    std::ifstream r(dir / "results.txt");
    std::string tag;
    int64_t dram_at = 0;
    size_t done_count = 0;
    while (r >> tag) {
      if (tag == "L" || tag == "S") {
        size_t i;
        Timing tm;
        r >> i >> tm.accept >> tm.done;
        ASSERT_LT(i, commands_.size());
        EXPECT_EQ(commands_[i].op, tag == "L" ? kLoad : kStore) << "transfer " << i;
        timing[i] = tm;
        ++done_count;
      } else if (tag == "I" || tag == "W") {
        int64_t word;
        std::string data;
        r >> word >> data;
        const bool in = tag == "I";
        const int wb = in ? p_.input.word_bytes : p_.weight.word_bytes;
        ASSERT_EQ(data, testing::hex_low_first((in ? mem_.input : mem_.weight).data() + word * wb, wb))
            << (in ? "input" : "weight") << " buffer word " << word;
      } else {
        ASSERT_EQ(tag, "D");
        std::string byte;
        r >> byte;
        const uint8_t want = mem_.dram.at(dram_at);
        ASSERT_EQ(byte, testing::hex_low_first(&want, 1)) << "DRAM byte " << dram_at;
        ++dram_at;
      }
    }
    EXPECT_EQ(dram_at, dram_bytes()) << sim.output;
    size_t transfers = 0;
    for (const Transfer& x : commands_) transfers += x.op != kEndPhase;
    EXPECT_EQ(done_count, transfers) << "every transfer reports done once";
  }

  std::map<size_t, Timing> timing;

 private:
  RtlDesign design_;
  RtlParams p_;
  Memories mem_;
  std::vector<Transfer> commands_;
};

// A random transfer inside [dram_lo, dram_lo + dram_span) and
// [sram_lo, sram_lo + sram_span).
Transfer random_transfer(std::mt19937& rng, Op op, int buf, int64_t dram_lo, int64_t dram_span, int64_t sram_lo,
                         int64_t sram_span, int64_t beat) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Transfer x;
  x.op = op;
  x.buf = buf;
  x.background = op == kLoad && pick(0, 3) == 0;
  for (;;) {
    x.rows = pick(1, 4);
    x.reps = pick(1, 3);
    x.row_bytes = pick(1, 3 * beat + 5);
    x.dram_stride = x.row_bytes + pick(0, 9);
    x.sram_stride = pick(1, 2 * x.row_bytes + 3);  // rows may overlap in the buffer: the later one wins
    x.dram_rep_stride = x.rows * x.dram_stride + pick(0, 17);
    x.sram_rep_stride = pick(1, x.rows * x.sram_stride + 7);
    const int64_t de = x.extent(x.dram_stride, x.dram_rep_stride), se = x.extent(x.sram_stride, x.sram_rep_stride);
    if (de > dram_span || se > sram_span) continue;
    x.dram = dram_lo + pick(0, dram_span - de);
    x.sram = sram_lo + pick(0, sram_span - se);
    return x;
  }
}

// Every byte of both buffers loaded first (so that every word read back is
// defined), then random phases: LOADs read the lower half of DRAM and write
// the weight buffer or one half of the input buffer, STOREs read the other
// half of the input buffer and write the upper half of DRAM.
void run_random_phases(const npu::Target& t, int64_t dram_bytes, int phases) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  DmaRun run(t, dram_bytes);
  const RtlParams& p = run.params();
  const int64_t beat = p.dma.beat_bytes;
  const int64_t half_dram = dram_bytes / 2, half_in = p.input.bytes / 2;
  ASSERT_GE(half_dram, p.input.bytes + p.weight.bytes);

  Transfer fill_in, fill_w;
  fill_in.rows = 2;
  fill_in.row_bytes = half_in;
  fill_in.dram_stride = fill_in.sram_stride = half_in;
  fill_w = fill_in;
  fill_w.buf = 1;
  fill_w.dram = p.input.bytes;
  fill_w.row_bytes = fill_w.dram_stride = fill_w.sram_stride = p.weight.bytes / 2;
  run.phase({fill_in, fill_w}, false);

  // One LOAD alone, rows of whole words at word-aligned addresses: one
  // request per cycle from the cycle after it is taken, done `latency`
  // cycles after the last.
  Transfer alone;
  alone.buf = 1;
  alone.rows = 3;
  alone.row_bytes = 2 * p.weight.word_bytes;
  alone.dram_stride = alone.row_bytes + 5;
  alone.sram_stride = 4 * p.weight.word_bytes;
  const size_t alone_at = run.phase({alone}, false);

  // Arbitration: both ports present a transfer in the same cycle.
  std::mt19937 rng(3);
  Transfer fore = random_transfer(rng, kLoad, 0, 0, half_dram, 0, half_in, beat);
  Transfer back = fore;
  fore.background = false;
  back.background = true;
  const Transfer st = random_transfer(rng, kStore, 0, half_dram, half_dram, half_in, half_in, beat);
  const size_t fore_at = run.phase({fore, st}, false);
  const size_t back_at = run.phase({back, st}, false);

  for (int ph = 0; ph < phases; ++ph) {
    const int64_t load_half = ph % 2, store_half = 1 - load_half;
    std::vector<Transfer> xs;
    for (int i = 0; i < 10; ++i) {
      const int kind = std::uniform_int_distribution<int>(0, 2)(rng);
      if (kind == 0)
        xs.push_back(random_transfer(rng, kLoad, 0, 0, half_dram, load_half * half_in, half_in, beat));
      else if (kind == 1)
        xs.push_back(random_transfer(rng, kLoad, 1, 0, half_dram, 0, p.weight.bytes, beat));
      else
        xs.push_back(random_transfer(rng, kStore, 0, half_dram, half_dram, store_half * half_in, half_in, beat));
    }
    run.phase(xs, ph % 2 == 1);
  }
  run.simulate_and_check();
  if (::testing::Test::HasFatalFailure()) return;

  const Timing a = run.timing.at(alone_at);
  EXPECT_EQ(a.done - a.accept, requests(alone, p.weight.word_bytes, beat) + std::max<int64_t>(p.dma.latency, 1));
  // Each row is two whole words: a word takes ceil(word / beat) requests.
  EXPECT_EQ(requests(alone, p.weight.word_bytes, beat), 3 * 2 * ((p.weight.word_bytes + beat - 1) / beat));
  EXPECT_LT(run.timing.at(fore_at).accept, run.timing.at(fore_at + 1).accept) << "a LOAD goes before a STORE";
  EXPECT_GT(run.timing.at(back_at).accept, run.timing.at(back_at + 1).accept) << "a prefetch yields to a STORE";
}

TEST(RtlDma, EdgeTransfersMatchTheIsaCopyLoop) { run_random_phases(npu::preset("edge"), 131072, 8); }

// A beat wider than a word and not a power of two, words of 8 and 4 bytes, a
// short latency.
TEST(RtlDma, WideOddBeatNarrowWordsShortLatency) {
  npu::Target t = npu::preset("edge");
  t.name = "narrow";
  t.rows = 4;
  t.cols = 4;
  t.vector_lanes = 8;
  t.input_buffer_bytes = 2 * 64 * 8;
  t.weight_buffer_bytes = 2 * 32 * 4;
  t.accumulator_buffer_bytes = 2 * 16 * 16;
  t.dram_bytes_per_cycle = 12;
  t.dram_latency_cycles = 3;
  run_random_phases(t, 8192, 12);
}

}  // namespace
}  // namespace etch::rtl
