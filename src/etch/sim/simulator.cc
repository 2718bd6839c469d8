// Timing: three in-order engines. At every step the engine whose next
// instruction can start earliest runs it (ties: load, compute, store; a
// background load yields to all of them), so the
// shared DRAM channel and the token queues are used in time order. An
// instruction's numeric effect happens when it starts.
#include "etch/sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>

#include "etch/core/error.h"
#include "etch/core/tensor.h"
#include "etch/npu/footprint.h"
#include "etch/npu/vector_instr.h"
#include "etch/sim/machine.h"
#include "etch/sim/vector_exec.h"

namespace etch::sim {

using npu::Field;
using npu::Instr;
using npu::Opcode;
using F = Field;
using npu::Target;

namespace {

constexpr int kLoad = 0, kCompute = 1, kStore = 2;
// Token queues between neighbours.
constexpr int kL2C = 0, kC2L = 1, kC2S = 2, kS2C = 3;

struct Engine {
  std::vector<uint32_t> list;  // instruction indices
  size_t pc = 0;
  int64_t t = 0;           // next issue cycle
  int64_t idle_at = 0;     // every operation it started has completed
  int64_t settled_at = 0;  // the same without loads and preloads (what a BARRIER waits for)
};

struct Interval {
  int64_t lo, hi, time;
};

// What a segment's first run found: the order in which its instructions
// started (without SYNCs, which have no numeric effect) and its statistics.
// Timing depends on the instructions alone, never on the data, so every
// later run of the segment starts them in this order and takes these cycles.
struct SegmentTiming {
  bool recorded = false;
  std::vector<uint32_t> order;
  SimStats stats;
};

}  // namespace

void LayerStats::add(const LayerStats& o) {
  cycles += o.cycles;
  array_cycles += o.array_cycles;
  preload_cycles += o.preload_cycles;
  vector_cycles += o.vector_cycles;
  macs += o.macs;
  array_slots += o.array_slots;
  load_wait_compute += o.load_wait_compute;
  compute_wait_load += o.compute_wait_load;
  compute_wait_store += o.compute_wait_store;
  store_wait_compute += o.store_wait_compute;
  dram_contention += o.dram_contention;
  dram_read_bytes += o.dram_read_bytes;
  dram_write_bytes += o.dram_write_bytes;
  sram_bytes += o.sram_bytes;
  energy_pj += o.energy_pj;
  instructions += o.instructions;
}

void SimStats::add(const SimStats& o) {
  if (layers.size() < o.layers.size()) layers.resize(o.layers.size());
  if (layer_info.empty()) layer_info = o.layer_info;
  for (size_t i = 0; i < o.layers.size(); ++i) layers[i].add(o.layers[i]);
  total.add(o.total);
  runs += o.runs;
}

struct Simulator::Impl {
  explicit Impl(const npu::Program& p) : prog(p), m(p) {}

  const npu::Program& prog;
  Machine m;
  std::vector<TraceEvent>* trace = nullptr;
  std::vector<SegmentTiming> timing = std::vector<SegmentTiming>(prog.segments.size());

  // Per-run timing state.
  std::array<Engine, 3> eng;
  std::array<std::deque<int64_t>, 4> tokens;
  int64_t dram_free = 0, array_free = 0, preload_done = 0, shadow_free = 0, vector_free = 0;
  std::vector<Interval> acc_writes, acc_reads;  // in-flight accumulator hazards
  std::vector<LayerStats> layer;
  std::vector<char> layer_ran;
  std::vector<int64_t> layer_end;

  const Target& tgt() const { return prog.target; }

  // The token queue an engine pops (prev = true: from its upstream neighbour).
  static int pop_queue(int e, bool prev) {
    if (e == kLoad) return kC2L;
    if (e == kCompute) return prev ? kL2C : kS2C;
    return kC2S;
  }
  static int push_queue(int e, bool prev) {
    if (e == kLoad) return kL2C;
    if (e == kCompute) return prev ? kC2L : kC2S;
    return kS2C;
  }

  static int64_t hazard(const std::vector<Interval>& v, int64_t lo, int64_t hi) {
    int64_t t = 0;
    for (const Interval& i : v)
      if (i.lo < hi && lo < i.hi) t = std::max(t, i.time);
    return t;
  }
  static void note(std::vector<Interval>& v, Interval x, int64_t now) {
    std::erase_if(v, [&](const Interval& i) { return i.time <= now; });
    v.push_back(x);
  }

  static std::pair<int64_t, int64_t> acc_range(const Instr& in, int64_t n) {
    return {in[F::acc_addr], in[F::acc_addr] + (in[F::m] - 1) * in[F::acc_pitch] + n};
  }

  // Earliest start of engine e's next instruction; false if a token it needs
  // has not been pushed yet. `token_t` is when its tokens are available.
  bool ready(int e, int64_t& start, int64_t& token_t) const {
    const Instr& in = prog.instrs[eng[e].list[eng[e].pc]];
    token_t = eng[e].t;
    for (bool prev : {true, false}) {
      if (!(in.tokens & (prev ? npu::kPopPrev : npu::kPopNext))) continue;
      const auto& q = tokens[pop_queue(e, prev)];
      if (q.empty()) return false;
      token_t = std::max(token_t, q.front());
    }
    start = token_t;
    switch (in.op) {
      case Opcode::Load:
      case Opcode::Store:
        start = std::max(start, dram_free);
        break;
      case Opcode::Preload:
        start = std::max(start, shadow_free);
        break;
      case Opcode::Matmul: {
        start = std::max(start, array_free);
        if (in[F::swap]) start = std::max(start, preload_done);
        const auto [lo, hi] = acc_range(in, in[F::out_h] * in[F::out_w]);
        start = std::max(start, hazard(acc_reads, lo, hi));
        break;
      }
      case Opcode::Requant: {
        start = std::max(start, vector_free);
        const auto [lo, hi] = acc_range(in, in[F::n]);
        start = std::max(start, hazard(acc_writes, lo, hi));
        break;
      }
      default:
        // A vector-unit instruction waits for the array too: both read the input buffer.
        if (npu::find_vector_instr(in.op)) start = std::max(start, std::max(vector_free, array_free));
        break;
    }
    return true;
  }

  // Occupies the vector unit from `start` for `elems` elements; returns the
  // duration (also written to `busy`) and charges the layer.
  int64_t vector_op(LayerStats& ls, int64_t start, int64_t elems, int64_t sram, int64_t& busy) {
    const int64_t dur = npu::vector_cycles(elems, tgt());
    vector_free = start + dur;
    busy = dur;
    ls.vector_cycles += dur;
    ls.sram_bytes += sram;
    return dur;
  }

  // The numeric effect of instruction `idx` on the machine state. A tile's
  // MATMULs wait in the machine (Machine::flush) until an instruction may
  // write their input (a LOAD into the input buffer, a vector op) or read
  // their accumulators (REQUANT); PRELOADs, weight LOADs and STOREs touch
  // neither.
  void apply(uint32_t idx) {
    const Instr& in = prog.instrs[idx];
    switch (in.op) {
      case Opcode::Load:
      case Opcode::Store:
        if (in.op == Opcode::Load && in[F::buf] == 0) m.flush();
        m.dma(in, in.op == Opcode::Load);
        break;
      case Opcode::Preload:
        m.preload(in, idx);
        break;
      case Opcode::Matmul:
        m.matmul(in, idx);  // performs the weight swap first
        break;
      case Opcode::Requant:
        m.flush();
        m.requant(in);
        break;
      case Opcode::Sync:
        break;
      default: {
        const VectorExecFn exec = find_vector_exec(in.op);
        ETCH_CHECK(exec && npu::find_vector_instr(in.op))
            << npu::opcode_name(in.op) << " reached the simulator without a vector-unit definition";
        m.flush();
        exec(m, in);
        break;
      }
    }
  }

  // Instructions are large (every field decoded) and the three engines walk
  // the program in interleaved order, which the hardware prefetcher does not
  // follow: fetch the one an engine runs after its next ahead of time.
  void prefetch_after_next(const Engine& en) const {
    if (en.pc + 1 < en.list.size()) prefetch_instr(en.list[en.pc + 1]);
  }
  void prefetch_instr(uint32_t idx) const {
    const char* p = reinterpret_cast<const char*>(&prog.instrs[idx]);
    for (size_t off = 0; off < sizeof(Instr); off += 64) __builtin_prefetch(p + off);
  }
  // How far ahead a replay fetches instructions: a few tiles' worth of work.
  static constexpr size_t kReplayLookahead = 4;

  void run_one(int e, int64_t start, int64_t token_t) {
    Engine& en = eng[e];
    const uint32_t idx = en.list[en.pc++];
    prefetch_after_next(en);
    const Instr& in = prog.instrs[idx];
    apply(idx);  // first: a MATMUL's weight swap decides its timing (active.sparse)
    LayerStats& ls = layer[in.layer];
    ++ls.instructions;
    for (bool prev : {true, false})
      if (in.tokens & (prev ? npu::kPopPrev : npu::kPopNext)) tokens[pop_queue(e, prev)].pop_front();
    const int64_t wait = token_t - en.t;
    if (wait > 0) {
      if (e == kLoad)
        ls.load_wait_compute += wait;
      else if (e == kStore)
        ls.store_wait_compute += wait;
      else if (in.tokens & npu::kPopNext)
        ls.compute_wait_store += wait;
      else
        ls.compute_wait_load += wait;
    }
    int64_t done = start + 1;  // when every effect has completed
    int64_t free_at = done;    // when the neighbour may reuse what it read (token time)
    int64_t busy = 1;          // cycles the unit is occupied (trace)
    int trace_engine = e;
    const Target& t = tgt();
    switch (in.op) {
      case Opcode::Load:
      case Opcode::Store: {
        const int64_t bytes = in[F::rows] * in[F::row_bytes] * in[F::reps];
        const int64_t occ = npu::dram_occupancy(bytes, t);
        ls.dram_contention += std::max<int64_t>(0, dram_free - token_t);
        dram_free = start + occ;
        busy = occ;
        done = start + occ + t.dram_latency_cycles;
        // A load's data is usable when it arrives; a store frees its buffer once read.
        free_at = in.op == Opcode::Load ? done : start + occ;
        en.t = start + occ;
        (in.op == Opcode::Load ? ls.dram_read_bytes : ls.dram_write_bytes) += bytes;
        ls.sram_bytes += bytes;
        break;
      }
      case Opcode::Preload: {
        const int64_t k = npu::stored_k(in[F::k], in[F::sparse] != 0);
        const int64_t dur = npu::preload_cycles(k, t);
        preload_done = start + dur;
        done = free_at = preload_done;
        busy = dur;
        shadow_free = done;  // a second preload must wait for this one, and for the swap
        ls.preload_cycles += dur;
        ls.sram_bytes += in[F::m] * (in[F::sparse] ? k + npu::sparse_meta_bytes(in[F::k]) : k);
        en.t = start + 1;
        break;
      }
      case Opcode::Matmul: {
        const int64_t n = in[F::out_h] * in[F::out_w], k = in[F::k], mm = in[F::m];
        const int64_t kphys = npu::stored_k(k, m.active.sparse);
        const int64_t stream = npu::matmul_stream_cycles(n, kphys, t);
        if (in[F::swap]) shadow_free = start;
        array_free = start + stream;
        free_at = start + stream;
        // Partial sums leave at the bottom of the array (rows) after the last
        // input has skewed across the m columns in use.
        done = start + stream + npu::matmul_drain_cycles(mm, t);
        busy = stream;
        const auto [lo, hi] = acc_range(in, n);
        note(acc_writes, {lo, hi, done}, start);
        ls.array_cycles += stream;
        ls.array_slots += stream * t.rows * t.cols;
        ls.sram_bytes += kphys * n + npu::kAccumulatorEntryBytes * mm * n * (in[F::accumulate] ? 2 : 1);
        en.t = start + 1;
        // Useful MACs: the zeros a 2:4 layer skips are not work.
        ls.macs += mm * kphys * n;
        break;
      }
      case Opcode::Requant: {
        const int64_t elems = in[F::m] * in[F::n];
        done = free_at =
            start + vector_op(ls, start, elems, 5 * elems + npu::requant_params_bytes(in[F::m], in[F::table]), busy);
        trace_engine = 3;
        const auto [lo, hi] = acc_range(in, in[F::n]);
        note(acc_reads, {lo, hi, done}, start);
        en.t = start + 1;
        break;
      }
      case Opcode::Sync:
        en.t = start;
        done = free_at = start;
        busy = 0;
        break;
      default: {
        const npu::VectorInstrDef* v = npu::find_vector_instr(in.op);
        done = free_at = start + vector_op(ls, start, v->elements(in), v->sram_bytes(in), busy);
        trace_engine = 3;
        en.t = start + 1;
        break;
      }
    }
    for (bool prev : {true, false})
      if (in.tokens & (prev ? npu::kPushPrev : npu::kPushNext)) tokens[push_queue(e, prev)].push_back(free_at);
    en.idle_at = std::max(en.idle_at, done);
    if (in.op != Opcode::Load && in.op != Opcode::Preload) en.settled_at = std::max(en.settled_at, done);
    layer_ran[in.layer] = 1;
    layer_end[in.layer] = std::max(layer_end[in.layer], done);
    if (trace && busy > 0)
      trace->push_back({trace_engine, npu::opcode_name(in.op), start, busy, static_cast<int>(in.layer)});
  }

  SimStats run(int s) {
    ETCH_REQUIRE(s >= 0 && s < static_cast<int>(prog.segments.size()), InvalidInput) << "program has no segment " << s;
    SegmentTiming& rec = timing[s];
    if (rec.recorded && !trace) {
      const std::vector<uint32_t>& o = rec.order;
      for (size_t i = 0; i < o.size(); ++i) {
        if (i + kReplayLookahead < o.size()) prefetch_instr(o[i + kReplayLookahead]);
        apply(o[i]);
      }
      m.flush();
      return rec.stats;
    }
    rec.order.clear();
    const npu::Segment& seg = prog.segments[s];
    for (Engine& e : eng) e = Engine{};
    for (auto& q : tokens) q.clear();
    dram_free = array_free = preload_done = shadow_free = vector_free = 0;
    acc_writes.clear();
    acc_reads.clear();
    const size_t nl = std::max<size_t>(1, prog.layers.size());
    layer.assign(nl, LayerStats{});
    layer_ran.assign(nl, 0);
    layer_end.assign(nl, 0);
    for (uint32_t i = seg.first; i < seg.end; ++i) {
      const Instr& in = prog.instrs[i];
      if (in.op == Opcode::Barrier || in.op == Opcode::Halt)
        for (Engine& e : eng) e.list.push_back(i);
      else
        eng[static_cast<int>(npu::queue_of(in))].list.push_back(i);
    }
    int64_t end_time = 0;
    for (;;) {
      int best = -1, best_rank = 0, at_sync = 0;
      int64_t best_start = 0, best_token = 0;
      for (int e = 0; e < 3; ++e) {
        Engine& en = eng[e];
        ETCH_CHECK(en.pc < en.list.size()) << "engine ran past its halt";
        const Instr& next = prog.instrs[en.list[en.pc]];
        if (next.op == Opcode::Barrier || next.op == Opcode::Halt) {
          ++at_sync;
          continue;
        }
        int64_t st, tt;
        const int rank = next.op == Opcode::Load && next[F::background] ? 3 : e;
        if (ready(e, st, tt) && (best < 0 || st < best_start || (st == best_start && rank < best_rank))) {
          best = e;
          best_rank = rank;
          best_start = st;
          best_token = tt;
        }
      }
      if (best >= 0) {
        const uint32_t idx = eng[best].list[eng[best].pc];
        if (prog.instrs[idx].op != Opcode::Sync) rec.order.push_back(idx);
        run_one(best, best_start, best_token);
        continue;
      }
      if (at_sync == 3) {
        // A BARRIER does not wait for loads and preloads still in flight:
        // their consumers wait for them through tokens and the weight swap
        // (the next layer's prefetch). HALT waits for everything.
        const Opcode op = prog.instrs[eng[0].list[eng[0].pc]].op;
        const bool halt = op == Opcode::Halt;
        int64_t t = std::max({array_free, vector_free, halt ? preload_done : int64_t{0}});
        for (const Engine& e : eng) t = std::max({t, e.t, halt ? e.idle_at : e.settled_at});
        for (Engine& e : eng) e.t = t;
        if (halt) {
          end_time = t;
          m.flush();
          break;
        }
        for (Engine& e : eng) ++e.pc;
        continue;
      }
      std::string where;
      for (int e = 0; e < 3; ++e) {
        const Engine& en = eng[e];
        where += fmt::format("{}{} engine at instruction {} ({})", where.empty() ? "" : ", ",
                             e == 0   ? "load"
                             : e == 1 ? "compute"
                                      : "store",
                             en.list[en.pc], npu::opcode_name(prog.instrs[en.list[en.pc]].op));
      }
      ETCH_FAIL(InvalidInput) << "NPU program deadlocks: every engine waits for a token that is never pushed (" << where
                              << ")";
    }
    SimStats out;
    out.layer_info = prog.layers;
    out.layers = layer;
    const auto& en = tgt().energy;
    // A layer's cycles run from the end of the layers before it to its own
    // end, so that work overlapped with the previous layer (a prefetch) is not
    // counted twice and the layers add up to the segment.
    int64_t before = 0;
    for (size_t l = 0; l < nl; ++l) {
      LayerStats& x = out.layers[l];
      x.cycles = layer_ran[l] ? std::max<int64_t>(0, layer_end[l] - before) : 0;
      if (layer_ran[l]) before = std::max(before, layer_end[l]);
      x.energy_pj = x.macs * en.mac_int8_pj + x.sram_bytes * en.sram_byte_pj +
                    (x.dram_read_bytes + x.dram_write_bytes) * en.dram_byte_pj;
      // The array performed x.macs (energy above); of those, useful work is at
      // most the layer's own MACs: a layer whose groups were packed into a
      // block-diagonal matrix also multiplied the zeros between them.
      if (l < prog.layers.size() && prog.layers[l].macs > 0) x.macs = std::min(x.macs, prog.layers[l].macs);
      const int64_t c = x.cycles;
      x.cycles = 0;
      out.total.add(x);
      x.cycles = c;
    }
    out.total.cycles = end_time;
    out.runs = 0;
    rec.stats = out;
    rec.recorded = true;
    return out;
  }
};

Simulator::Simulator(const npu::Program& p) {
  npu::validate_program(p, "<in-memory program>");
  ETCH_REQUIRE(p.dram_bytes <= static_cast<uint64_t>(max_tensor_bytes()), InvalidInput)
      << "NPU program wants " << p.dram_bytes << " bytes of DRAM, more than this machine allows";
  impl_ = std::make_unique<Impl>(p);
}
Simulator::~Simulator() = default;

const npu::Program& Simulator::program() const { return impl_->prog; }

void Simulator::write_tensor(int tensor, const int8_t* data) {
  const npu::TensorDesc& d = impl_->prog.tensors.at(tensor);
  for (int64_t c = 0; c < d.c; ++c)
    for (int64_t y = 0; y < d.h; ++y)
      std::memcpy(impl_->m.dram.data() + d.dram_addr + c * d.chan_stride() + (y + d.pad) * d.pitch() + d.pad,
                  data + (c * d.h + y) * d.w, d.w);
}

void Simulator::read_tensor(int tensor, int8_t* out) const {
  const npu::TensorDesc& d = impl_->prog.tensors.at(tensor);
  for (int64_t c = 0; c < d.c; ++c)
    for (int64_t y = 0; y < d.h; ++y)
      std::memcpy(out + (c * d.h + y) * d.w,
                  impl_->m.dram.data() + d.dram_addr + c * d.chan_stride() + (y + d.pad) * d.pitch() + d.pad, d.w);
}

SimStats Simulator::run_segment(int s) { return impl_->run(s); }

SimStats Simulator::run_all() {
  SimStats total;
  for (size_t s = 0; s < impl_->prog.segments.size(); ++s) total.add(run_segment(static_cast<int>(s)));
  total.runs = 1;
  return total;
}

void Simulator::set_trace(std::vector<TraceEvent>* trace) { impl_->trace = trace; }

}  // namespace etch::sim
