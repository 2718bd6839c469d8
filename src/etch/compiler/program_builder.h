// Appends instructions and weight-image bytes to a Program while one layer is
// being emitted; owns the small helpers every emitter needs (DMA shapes, token
// bookkeeping).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "etch/core/error.h"
#include "etch/npu/program.h"

namespace etch::compiler {

class ProgramBuilder {
 public:
  explicit ProgramBuilder(npu::Program& p) : p_(p) {}
  npu::Program& program() { return p_; }
  const npu::Target& target() const { return p_.target; }

  void set_layer(int layer) { layer_ = static_cast<uint16_t>(layer); }
  // Appends; returns the instruction's index.
  size_t emit(npu::Instr in) {
    in.layer = layer_;
    p_.instrs.push_back(in);
    return p_.instrs.size() - 1;
  }
  npu::Instr& at(size_t i) { return p_.instrs[i]; }
  size_t size() const { return p_.instrs.size(); }

  // Appends bytes to the weight image (8-byte aligned); returns their DRAM address.
  uint64_t add_weights(const void* data, size_t n) {
    while (p_.weight_image.size() % 8) p_.weight_image.push_back(0);
    const uint64_t addr = p_.weight_addr + p_.weight_image.size();
    const auto* b = static_cast<const uint8_t*>(data);
    p_.weight_image.insert(p_.weight_image.end(), b, b + n);
    return addr;
  }

  // A DMA with rows x row_bytes per repeat; contiguous shapes are merged into
  // fewer, longer rows.
  static npu::Instr dma(npu::Opcode op, npu::Buffer buf, int64_t dram, int64_t sram, int64_t rows, int64_t row_bytes,
                        int64_t dram_stride, int64_t sram_stride, int64_t reps = 1, int64_t dram_rep_stride = 0,
                        int64_t sram_rep_stride = 0) {
    if (rows > 1 && dram_stride == row_bytes && sram_stride == row_bytes) {
      row_bytes *= rows;
      rows = 1;
    }
    if (reps > 1 && rows == 1 && dram_rep_stride == row_bytes && sram_rep_stride == row_bytes) {
      row_bytes *= reps;
      reps = 1;
    }
    if (reps > 1 && rows == 1) {  // a single row per repeat: the repeat is the 2-D shape
      rows = reps;
      dram_stride = dram_rep_stride;
      sram_stride = sram_rep_stride;
      reps = 1;
    }
    npu::Instr in;
    in.op = op;
    using F = npu::Field;
    in[F::buf] = static_cast<int64_t>(buf);
    in[F::dram] = dram;
    in[F::sram] = sram;
    in[F::rows] = rows;
    in[F::row_bytes] = row_bytes;
    in[F::dram_stride] = rows > 1 ? dram_stride : 0;
    in[F::sram_stride] = rows > 1 ? sram_stride : 0;
    in[F::reps] = reps;
    in[F::dram_rep_stride] = reps > 1 ? dram_rep_stride : 0;
    in[F::sram_rep_stride] = reps > 1 ? sram_rep_stride : 0;
    return in;
  }

  // Splits a one-repeat DMA into transfers of at most `max_bytes` (whole
  // rows, or pieces of a single long row), so that other requests can take
  // the DRAM channel between them.
  static std::vector<npu::Instr> split_dma(const npu::Instr& in, int64_t max_bytes) {
    using F = npu::Field;
    ETCH_CHECK(in[F::reps] == 1) << "split_dma: repeated transfer";
    std::vector<npu::Instr> out;
    const int64_t rows = in[F::rows], rb = in[F::row_bytes];
    if (rows == 1) {
      for (int64_t off = 0; off < rb; off += max_bytes) {
        npu::Instr p = in;
        p[F::dram] += off;
        p[F::sram] += off;
        p[F::row_bytes] = std::min(max_bytes, rb - off);
        out.push_back(p);
      }
      return out;
    }
    const int64_t per = std::max<int64_t>(1, max_bytes / rb);
    for (int64_t r = 0; r < rows; r += per) {
      npu::Instr p = in;
      p[F::dram] += r * in[F::dram_stride];
      p[F::sram] += r * in[F::sram_stride];
      p[F::rows] = std::min(per, rows - r);
      if (p[F::rows] == 1) p[F::dram_stride] = p[F::sram_stride] = 0;
      out.push_back(p);
    }
    return out;
  }

  static npu::Instr sync(npu::Queue q, uint8_t tokens) {
    npu::Instr in;
    in.op = npu::Opcode::Sync;
    in[npu::Field::queue] = static_cast<int64_t>(q);
    in.tokens = tokens;
    return in;
  }
  // Emits a group of loads: `pops` tokens popped before the first, a token
  // pushed after the last (a sync carries them if there is no load).
  void loads(std::vector<npu::Instr> dmas, int pops, bool push) {
    for (int i = 0; i + 1 < pops; ++i) emit(sync(npu::Queue::Load, npu::kPopNext));
    if (dmas.empty()) {
      const uint8_t t = (pops > 0 ? npu::kPopNext : 0) | (push ? npu::kPushNext : 0);
      if (t) emit(sync(npu::Queue::Load, t));
      return;
    }
    if (pops > 0) dmas.front().tokens |= npu::kPopNext;
    if (push) dmas.back().tokens |= npu::kPushNext;
    for (auto& d : dmas) emit(d);
  }
  // Removes the BARRIER that ends the program so far, to emit work that may
  // run before it (a prefetch); the caller emits the barrier again.
  void reopen_barrier() {
    ETCH_CHECK(!p_.instrs.empty() && p_.instrs.back().op == npu::Opcode::Barrier) << "no barrier to reopen";
    p_.instrs.pop_back();
  }
  // Moves the instructions from index `from` on to just before the BARRIER
  // at index `at` (a prefetch issued behind an earlier layer).
  void move_before_barrier(size_t at, size_t from) {
    ETCH_CHECK(at < from && from <= p_.instrs.size() && p_.instrs[at].op == npu::Opcode::Barrier)
        << "no barrier to move instructions before";
    std::rotate(p_.instrs.begin() + static_cast<std::ptrdiff_t>(at),
                p_.instrs.begin() + static_cast<std::ptrdiff_t>(from), p_.instrs.end());
  }
  void barrier() {
    npu::Instr in;
    in.op = npu::Opcode::Barrier;
    emit(in);
  }

 private:
  npu::Program& p_;
  uint16_t layer_ = 0;
};

}  // namespace etch::compiler
