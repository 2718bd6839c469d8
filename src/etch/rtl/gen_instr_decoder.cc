// The decoder of the program format (docs/npu-isa.md, "Instructions"),
// generated from the ISA's operand table (npu::op_fields) so the hardware and
// the encoder cannot drift apart. Combinational: one 64-byte instruction in
// (bit p of the word is bit p % 8 of byte p / 8, as the encoder writes it),
// the header, every operand as its own port (sign-extended where the ISA
// says so, zero for opcodes without it), the engine that runs it, and
// `valid`: the checks npu::decode_instr makes, which the instruction queues
// will act on.
#include <fmt/format.h>

#include <map>
#include <string>

#include "etch/core/error.h"
#include "etch/npu/isa.h"
#include "etch/rtl/generators.h"

namespace etch::rtl {
namespace {

constexpr int kHeaderBits = 32;  // opcode 8, token flags 4, reserved 4, layer 16

struct PortSpec {
  int bits = 0;
  bool is_signed = false;
};

}  // namespace

SvFile instr_decoder_sv(const RtlParams& p) {
  std::map<npu::Field, PortSpec> ports;
  for (int op = 1; op <= npu::kNumOpcodes; ++op)
    for (const npu::FieldSpec& s : npu::op_fields(static_cast<npu::Opcode>(op))) {
      PortSpec& port = ports[s.field];
      ETCH_CHECK(port.bits == 0 || port.is_signed == s.is_signed)
          << "field " << npu::field_name(s.field) << " is signed in one opcode and unsigned in another";
      port.bits = std::max(port.bits, s.bits);
      port.is_signed = s.is_signed;
    }
  std::string port_decls, defaults, cases;
  for (const auto& [field, port] : ports) {
    port_decls += fmt::format("    output logic {}[{}:0] f_{},\n", port.is_signed ? "signed " : "", port.bits - 1,
                              npu::field_name(field));
    defaults += fmt::format("    f_{} = '0;\n", npu::field_name(field));
  }
  for (int op = 1; op <= npu::kNumOpcodes; ++op) {
    const auto opcode = static_cast<npu::Opcode>(op);
    npu::Instr probe;
    probe.op = opcode;
    // The engine, and the token flags it may carry: load has no upstream
    // neighbour (no pop_prev/push_prev), store no downstream one, BARRIER and
    // HALT none at all; SYNC runs on the queue it names (0..2).
    std::string engine, flags_ok;
    if (opcode == npu::Opcode::Barrier || opcode == npu::Opcode::Halt) {
      engine = "2'd3";
      flags_ok = "tokens == 4'd0";
    } else if (opcode == npu::Opcode::Sync) {
      engine = "f_queue";
      flags_ok =
          "f_queue != 2'd3 && (f_queue != 2'd0 || (tokens & 4'b0101) == 4'd0) && "
          "(f_queue != 2'd2 || (tokens & 4'b1010) == 4'd0)";
    } else {
      const npu::Queue q = npu::queue_of(probe);
      engine = fmt::format("2'd{}", static_cast<int>(q));
      flags_ok = q == npu::Queue::Load    ? "(tokens & 4'b0101) == 4'd0"
                 : q == npu::Queue::Store ? "(tokens & 4'b1010) == 4'd0"
                                          : "1'b1";
    }
    cases += fmt::format("      8'd{}: begin  // {}\n        known = 1'b1;\n", op, npu::opcode_name(opcode));
    int offset = kHeaderBits;
    for (const npu::FieldSpec& s : npu::op_fields(opcode)) {
      const PortSpec& port = ports.at(s.field);
      const std::string slice = fmt::format("instr[{}:{}]", offset + s.bits - 1, offset);
      const int pad = port.bits - s.bits;
      std::string value = slice;
      if (pad > 0)
        value = s.is_signed ? fmt::format("{{{{{}{{instr[{}]}}}}, {}}}", pad, offset + s.bits - 1, slice)
                            : fmt::format("{{{}'d0, {}}}", pad, slice);
      cases += fmt::format("        f_{} = {}{};\n", npu::field_name(s.field), s.is_signed ? "$signed(" : "",
                           s.is_signed ? value + ")" : value);
      offset += s.bits;
    }
    ETCH_CHECK(offset <= npu::kInstrBytes * 8) << npu::opcode_name(opcode) << " operands exceed an instruction";
    cases += offset < npu::kInstrBytes * 8
                 ? fmt::format("        unused_zero = instr[{}:{}] == '0;\n", npu::kInstrBytes * 8 - 1, offset)
                 : std::string("        unused_zero = 1'b1;\n");
    cases += fmt::format("        engine = {};\n        tokens_ok = {};\n      end\n", engine, flags_ok);
  }
  static const char* kTemplate = R"(${BANNER}
module etch_instr_decoder (
    input  logic [511:0] instr,
    output logic [7:0]   opcode,
    output logic [3:0]   tokens,     // pop_prev, pop_next, push_prev, push_next (bits 0..3)
    output logic [15:0]  layer,
    output logic         known,      // an opcode of the ISA
    output logic         valid,      // what npu::decode_instr accepts: known opcode, reserved and
                                     // unused bits zero, token flags the engine can have
    output logic [1:0]   engine,     // 0 load, 1 compute, 2 store, 3 all (BARRIER, HALT)
${PORTS}    output logic         reserved_zero
);
  logic unused_zero, tokens_ok;

  assign opcode        = instr[7:0];
  assign tokens        = instr[11:8];
  assign reserved_zero = instr[15:12] == 4'd0;
  assign layer         = instr[31:16];
  assign valid         = known && reserved_zero && unused_zero && tokens_ok;

  always_comb begin
    known       = 1'b0;
    engine      = 2'd0;
    unused_zero = 1'b0;
    tokens_ok   = 1'b0;
${DEFAULTS}    case (opcode)
${CASES}      default: ;
    endcase
  end
endmodule
)";
  return {"etch_instr_decoder",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "instruction decoder (program format v2)")},
                                 {"PORTS", port_decls},
                                 {"DEFAULTS", defaults},
                                 {"CASES", cases}})};
}

}  // namespace etch::rtl
