// A race detector for compiled programs: replays one segment's instructions
// with the start times the simulator gave them (from its trace) and checks,
// byte by byte, that every read of on-chip memory comes after the data it
// needs has arrived and every write after the previous data was read. The
// simulator's numerics run an instruction at its start, so a dependency
// token that lets a PRELOAD start while its LOAD is still in flight (DMA
// latency) gives right numbers but would be a race on real hardware; only a
// check like this one sees it.
//
// Tracked: LOAD (writes when it arrives: start + occupancy + latency), STORE,
// PRELOAD (weights and 2:4 metadata), MATMUL (its input window) and the vector
// ops (REQUANT's parameters, LUT's table, their inputs and outputs).
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "etch/npu/im2col.h"
#include "etch/npu/isa.h"
#include "etch/npu/program.h"
#include "etch/npu/vector/mul.h"
#include "etch/sim/simulator.h"

namespace etch::testing {

class ArrivalCheck {
 public:
  // Runs segment `seg` of `p` and returns every violation found (empty: none).
  static std::vector<std::string> run(const npu::Program& p, int seg) {
    sim::Simulator sim(p);
    std::vector<sim::TraceEvent> trace;
    sim.set_trace(&trace);
    sim.run_segment(seg);
    ArrivalCheck c(p);
    c.replay(p.segments[seg].first, p.segments[seg].end, trace);
    return c.errors_;
  }

 private:
  using F = npu::Field;
  struct Mem {
    std::vector<int64_t> ready, read_end;  // per byte: data arrives / last read ends
    std::vector<size_t> writer, reader;    // per byte: the instructions
  };

  explicit ArrivalCheck(const npu::Program& p) : p_(p) {}

  Mem& mem(int64_t buf) { return buf == 0 ? input_ : weight_; }
  static void grow(Mem& m, int64_t end) {
    if (static_cast<int64_t>(m.ready.size()) < end) {
      m.ready.resize(end, 0);
      m.read_end.resize(end, 0);
      m.writer.resize(end, 0);
      m.reader.resize(end, 0);
    }
  }
  void write(size_t i, int64_t buf, int64_t lo, int64_t len, int64_t start, int64_t arrives) {
    Mem& m = mem(buf);
    grow(m, lo + len);
    for (int64_t a = lo; a < lo + len; ++a) {
      if (m.read_end[a] > start)
        return fail(i, fmt::format("writes buffer {} byte {} at cycle {} while instruction {}'s read runs until {}",
                                   buf, a, start, m.reader[a], m.read_end[a]));
      m.ready[a] = arrives;
      m.writer[a] = i;
    }
  }
  void read(size_t i, int64_t buf, int64_t lo, int64_t len, int64_t start, int64_t end) {
    Mem& m = mem(buf);
    grow(m, lo + len);
    for (int64_t a = lo; a < lo + len; ++a) {
      if (m.ready[a] > start)
        return fail(i, fmt::format("reads buffer {} byte {} at cycle {} before instruction {}'s write arrives at {}",
                                   buf, a, start, m.writer[a], m.ready[a]));
      if (end >= m.read_end[a]) {
        m.read_end[a] = end;
        m.reader[a] = i;
      }
    }
  }
  void fail(size_t i, std::string what) {
    if (errors_.size() < 20)
      errors_.push_back(fmt::format("instruction {} ({}, layer {}): {}", i, npu::opcode_name(p_.instrs[i].op),
                                    p_.instrs[i].layer, what));
  }

  // The trace lists, per engine, the instructions that occupy it in the
  // queue's order; SYNC and BARRIER take no time and are not in it.
  void replay(size_t first, size_t end, const std::vector<sim::TraceEvent>& trace) {
    std::vector<size_t> queue[3];
    for (size_t i = first; i < end; ++i) {
      const npu::Instr& in = p_.instrs[i];
      if (in.op == npu::Opcode::Sync || in.op == npu::Opcode::Barrier || in.op == npu::Opcode::Halt) continue;
      queue[static_cast<int>(npu::queue_of(in))].push_back(i);
    }
    std::vector<int64_t> start(end, -1), dur(end, 0);
    size_t next[3] = {0, 0, 0};
    for (const sim::TraceEvent& e : trace) {
      const int q = e.engine == 3 ? 1 : e.engine;
      if (next[q] >= queue[q].size()) return fail(first, "trace has more events than the queue");
      const size_t i = queue[q][next[q]++];
      if (e.name != npu::opcode_name(p_.instrs[i].op)) return fail(i, "trace out of step with the program");
      start[i] = e.start;
      dur[i] = e.dur;
    }
    const int64_t latency = p_.target.dram_latency_cycles;
    for (size_t i = first; i < end; ++i) {
      if (start[i] < 0) continue;
      const npu::Instr& in = p_.instrs[i];
      const int64_t t0 = start[i], t1 = start[i] + dur[i];
      switch (in.op) {
        case npu::Opcode::Load:
        case npu::Opcode::Store:
          for (int64_t r = 0; r < in[F::reps]; ++r)
            for (int64_t row = 0; row < in[F::rows]; ++row) {
              const int64_t lo = in[F::sram] + r * in[F::sram_rep_stride] + row * in[F::sram_stride];
              if (in.op == npu::Opcode::Load)
                write(i, in[F::buf], lo, in[F::row_bytes], t0, t1 + latency);
              else
                read(i, in[F::buf], lo, in[F::row_bytes], t0, t1);
            }
          break;
        case npu::Opcode::Preload: {
          const int64_t k = in[F::k], values = in[F::sparse] ? k / 2 : k;
          for (int64_t c = 0; c < in[F::m]; ++c) {
            read(i, 1, in[F::w_addr] + c * in[F::w_pitch], values, t0, t1);
            if (in[F::sparse]) read(i, 1, in[F::meta_addr] + c * in[F::meta_pitch], k / 4, t0, t1);
          }
          break;
        }
        case npu::Opcode::Matmul:
          for (int64_t k = 0; k < in[F::k]; ++k)
            for (int64_t oy = 0; oy < in[F::out_h]; ++oy) {
              const int64_t row =
                  in[F::x_addr] + npu::matmul_k_offset(in, in[F::k0] + k) + npu::matmul_pixel_offset(in, oy, 0);
              for (int64_t ox = 0; ox < in[F::out_w]; ++ox) read(i, 0, row + ox * in[F::stride_w], 1, t0, t1);
            }
          break;
        case npu::Opcode::Requant:
          read(i, 1, in[F::param_addr], 9 * in[F::m], t0, t1);
          for (int64_t c = 0; c < in[F::m]; ++c)
            write(i, 0, in[F::out_addr] + c * in[F::out_chan_stride], in[F::n], t0, t1);
          break;
        case npu::Opcode::Add:
          read(i, 0, in[F::a_addr], in[F::n], t0, t1);
          read(i, 0, in[F::b_addr], in[F::n], t0, t1);
          write(i, 0, in[F::out_addr], in[F::n], t0, t1);
          break;
        case npu::Opcode::Mul: {
          const int64_t elems = in[F::c] * in[F::n];
          read(i, 0, in[F::a_addr], elems, t0, t1);
          read(i, 0, in[F::b_addr], in[F::mode] == npu::kMulPerChannel ? in[F::c] : elems, t0, t1);
          write(i, 0, in[F::out_addr], elems, t0, t1);
          break;
        }
        case npu::Opcode::Lut:
        case npu::Opcode::Copy:
          if (in.op == npu::Opcode::Lut) read(i, 1, in[F::table_addr], 256, t0, t1);
          read(i, 0, in[F::in_addr], in[F::n], t0, t1);
          write(i, 0, in[F::out_addr], in[F::n], t0, t1);
          break;
        case npu::Opcode::Pool: {
          const int64_t r0 = in[F::valid_r0], r1 = in[F::valid_r1], c0 = in[F::valid_c0], c1 = in[F::valid_c1];
          for (int64_t c = 0; c < in[F::c]; ++c) {
            for (int64_t y = r0; y < r1; ++y)
              read(i, 0, in[F::in_addr] + c * in[F::in_chan_stride] + y * in[F::in_pitch] + c0, c1 - c0, t0, t1);
            write(i, 0, in[F::out_addr] + c * in[F::out_chan_stride], in[F::out_h] * in[F::out_w], t0, t1);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  const npu::Program& p_;
  Mem input_, weight_;
  std::vector<std::string> errors_;
};

}  // namespace etch::testing
