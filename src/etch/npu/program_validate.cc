// validate_program: every operand range checked against the program's target
// before anything runs, so the simulator can index its buffers unchecked.
#include <fmt/format.h>

#include "etch/core/error.h"
#include "etch/npu/footprint.h"
#include "etch/npu/im2col.h"
#include "etch/npu/program.h"
#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

class Checker {
 public:
  Checker(const Program& p, const std::string& label) : p_(p), label_(label) {}

  void run() {
    const Target& t = p_.target;
    for (size_t i = 0; i < p_.instrs.size(); ++i) {
      index_ = i;
      check(p_.instrs[i], t);
    }
    for (size_t i = 0; i < p_.tensors.size(); ++i) {
      const TensorDesc& d = p_.tensors[i];
      int64_t numel = 1;
      for (int64_t x : d.shape) {
        require_tensor(x >= 1 && x <= (int64_t{1} << 31), d, "has a dimension out of range");
        numel *= x;
        require_tensor(numel <= (int64_t{1} << 32), d, "is too large");
      }
      require_tensor(d.c >= 1 && d.h >= 1 && d.w >= 1 && d.pad >= 0 && d.pad <= 1024, d, "has a bad layout");
      require_tensor(d.c <= (1 << 24) && d.h <= (1 << 20) && d.w <= (1 << 20), d, "has a bad layout");
      require_tensor(d.c * d.h * d.w == numel, d, "layout does not match its shape");
      require_tensor(d.dram_addr + static_cast<uint64_t>(d.dram_bytes()) <= p_.dram_bytes, d, "lies outside DRAM");
      require_tensor(d.zero_point >= -128 && d.zero_point <= 127, d, "zero point is not int8");
    }
    auto check_ids = [&](const std::vector<int>& ids, const char* what) {
      for (int id : ids)
        ETCH_REQUIRE(id >= 0 && id < static_cast<int>(p_.tensors.size()), InvalidInput)
            << "program file '" << label_ << "': " << what << " names tensor " << id << " of " << p_.tensors.size();
    };
    check_ids(p_.inputs, "program input");
    for (const InputOp& op : p_.input_ops) {
      ETCH_REQUIRE(!p_.inputs.empty(), InvalidInput) << "program file '" << label_ << "': input ops without an input";
      const int64_t c = p_.tensors[p_.inputs[0]].c;
      ETCH_REQUIRE(op.values.size() == 1 || static_cast<int64_t>(op.values.size()) == c, InvalidInput)
          << "program file '" << label_ << "': input op has " << op.values.size() << " values for " << c << " channels";
    }
    check_ids(p_.outputs, "program output");
    uint32_t next = 0;
    for (const Segment& s : p_.segments) {
      ETCH_REQUIRE(
          s.first == next && s.first < s.end && s.end <= p_.instrs.size() && p_.instrs[s.end - 1].op == Opcode::Halt,
          InvalidInput)
          << "program file '" << label_ << "': segment [" << s.first << ", " << s.end
          << ") does not continue the previous one or does not end in halt";
      next = s.end;
      check_ids(s.inputs, "segment input");
      check_ids(s.outputs, "segment output");
    }
    ETCH_REQUIRE(next == p_.instrs.size(), InvalidInput)
        << "program file '" << label_ << "': instructions after the last segment";
  }

 private:
  void require_tensor(bool ok, const TensorDesc& d, const char* what) {
    ETCH_REQUIRE(ok, InvalidInput) << "program file '" << label_ << "': tensor '" << d.name << "' " << what;
  }
  [[noreturn]] void fail(const Instr& in, const std::string& what) {
    ETCH_FAIL(InvalidInput) << "program file '" << label_ << "', instruction " << index_ << " (" << opcode_name(in.op)
                            << "): " << what;
  }
  void require(const Instr& in, bool ok, const char* what) {
    if (!ok) fail(in, what);
  }
  void range(const Instr& in, int64_t end, int64_t cap, const char* what) {
    if (end > cap) fail(in, fmt::format("{} reaches byte {} of a {}-byte buffer", what, end, cap));
  }

  void check(const Instr& in, const Target& t) {
    using F = Field;
    const int64_t icap = t.input_buffer_bytes, wcap = t.weight_buffer_bytes,
                  acap = t.accumulator_buffer_bytes / kAccumulatorEntryBytes;
    require(in, in.layer < std::max<size_t>(1, p_.layers.size()), "layer id out of range");
    switch (in.op) {
      case Opcode::Load:
      case Opcode::Store: {
        require(in, in[F::rows] >= 1 && in[F::row_bytes] >= 1 && in[F::reps] >= 1, "empty transfer");
        require(in, in.op == Opcode::Load || in[F::buf] == 0, "store reads only the input buffer");
        require(in, in.op == Opcode::Load || in[F::background] == 0, "only a load can be a background transfer");
        const int64_t s_end = in[F::sram] + (in[F::reps] - 1) * in[F::sram_rep_stride] +
                              (in[F::rows] - 1) * in[F::sram_stride] + in[F::row_bytes];
        const int64_t d_end = in[F::dram] + (in[F::reps] - 1) * in[F::dram_rep_stride] +
                              (in[F::rows] - 1) * in[F::dram_stride] + in[F::row_bytes];
        range(in, s_end, in[F::buf] == 0 ? icap : wcap, "SRAM side");
        range(in, d_end, static_cast<int64_t>(p_.dram_bytes), "DRAM side");
        break;
      }
      case Opcode::Preload: {
        const int64_t m = in[F::m], k = in[F::k];
        require(in, m >= 1 && m <= t.cols, "m outside [1, cols]");
        if (in[F::sparse]) {
          require(in, t.sparsity_2_4, "sparse preload on a target without 2:4 sparsity");
          require(in, k >= kSparseGroup && k % kSparseGroup == 0 && stored_k(k, true) <= t.rows,
                  "sparse k must be a multiple of 4 and at most 2 x rows");
          range(in, in[F::w_addr] + (m - 1) * in[F::w_pitch] + sparse_value_bytes(k), wcap, "weights");
          range(in, in[F::meta_addr] + (m - 1) * in[F::meta_pitch] + sparse_meta_bytes(k), wcap, "sparsity metadata");
        } else {
          require(in, k >= 1 && k <= t.rows, "k outside [1, rows]");
          range(in, in[F::w_addr] + (m - 1) * in[F::w_pitch] + k, wcap, "weights");
        }
        break;
      }
      case Opcode::Matmul: {
        const int64_t m = in[F::m], k = in[F::k];
        require(in, m >= 1 && m <= t.cols && k >= 1 && k <= 2 * t.rows, "m or k outside the array");
        require(in, in[F::out_h] >= 1 && in[F::out_w] >= 1 && in[F::c] >= 1, "empty output or channel count");
        for (F f : {F::stride_h, F::stride_w, F::kernel_h, F::kernel_w, F::dil_h, F::dil_w})
          require(in, in[f] >= 1, "stride, kernel and dilation must be at least 1");
        require(in, in[F::k0] + k <= in[F::c] * in[F::kernel_h] * in[F::kernel_w], "k range beyond c x kernel");
        int64_t kmax = 0;
        for (int64_t j = in [F::k0]; j < in[F::k0] + k; ++j) kmax = std::max(kmax, matmul_k_offset(in, j));
        range(in, in[F::x_addr] + kmax + matmul_pixel_offset(in, in[F::out_h] - 1, in[F::out_w] - 1) + 1, icap,
              "input operand");
        const int64_t n = in[F::out_h] * in[F::out_w];
        // Each column owns its accumulator row: the array writes them side by side.
        require(in, m == 1 || in[F::acc_pitch] >= n, "accumulator rows overlap (acc_pitch < out_h x out_w)");
        range(in, in[F::acc_addr] + (m - 1) * in[F::acc_pitch] + n, acap, "accumulators (int32 entries)");
        break;
      }
      case Opcode::Requant: {
        const int64_t m = in[F::m], n = in[F::n];
        require(in, m >= 1 && n >= 1, "empty tile");
        require(in, in[F::act_min] <= in[F::act_max], "act_min > act_max");
        range(in, in[F::acc_addr] + (m - 1) * in[F::acc_pitch] + n, acap, "accumulators (int32 entries)");
        range(in, in[F::param_addr] + requant_params_bytes(m, in[F::table]), wcap, "parameters");
        range(in, in[F::out_addr] + (m - 1) * in[F::out_chan_stride] + n, icap, "output");
        break;
      }
      case Opcode::Sync:
      case Opcode::Barrier:
      case Opcode::Halt:
        break;
      default: {
        const VectorInstrDef* v = find_vector_instr(in.op);
        ETCH_CHECK(v) << "opcode " << static_cast<int>(in.op) << " has no definition";
        VectorCheck c(*this, in, t);
        v->check(in, c);
      }
    }
  }

  // The validator's side of a vector instruction's bounds check.
  class VectorCheck : public InstrCheck {
   public:
    VectorCheck(Checker& c, const Instr& in, const Target& t) : c_(c), in_(in), t_(t) {}
    const Target& target() const override { return t_; }
    void require(bool ok, const char* what) override { c_.require(in_, ok, what); }
    void input_buffer(int64_t end, const char* what) override { c_.range(in_, end, t_.input_buffer_bytes, what); }
    void weight_buffer(int64_t end, const char* what) override { c_.range(in_, end, t_.weight_buffer_bytes, what); }

   private:
    Checker& c_;
    const Instr& in_;
    const Target& t_;
  };

  const Program& p_;
  const std::string& label_;
  size_t index_ = 0;
};

}  // namespace

void validate_program(const Program& p, const std::string& label) {
  ETCH_REQUIRE(p.dram_bytes <= (uint64_t{1} << 32) && p.weight_addr <= p.dram_bytes &&
                   p.weight_image.size() <= p.dram_bytes - p.weight_addr,
               InvalidInput)
      << "program file '" << label << "': DRAM size";
  Checker(p, label).run();
}

}  // namespace etch::npu
