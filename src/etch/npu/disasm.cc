#include "etch/npu/disasm.h"

#include <fmt/format.h>

namespace etch::npu {
namespace {

const char* queue_name(const Instr& in) {
  if (in.op == Opcode::Barrier || in.op == Opcode::Halt) return "all";
  switch (queue_of(in)) {
    case Queue::Load:
      return "load";
    case Queue::Compute:
      return "compute";
    default:
      return "store";
  }
}

}  // namespace

std::string disassemble(const Program& p, const std::string& label, bool header_only) {
  const Target& t = p.target;
  std::string s;
  auto out = std::back_inserter(s);
  fmt::format_to(out, "; etch NPU program v{}: {}\n", kProgramVersion, label);
  fmt::format_to(
      out,
      "; target {}: {}x{} {} array, buffers in/w/acc {}/{}/{} B, DRAM {} B/cycle + {} cycles, {} MHz, {} lanes{}{}\n",
      t.name, t.rows, t.cols, dataflow_name(t.dataflow), t.input_buffer_bytes, t.weight_buffer_bytes,
      t.accumulator_buffer_bytes, t.dram_bytes_per_cycle, t.dram_latency_cycles, t.clock_mhz, t.vector_lanes,
      t.sparsity_2_4 ? ", 2:4 sparsity" : "", t.int4_weights ? ", int4 weights" : "");
  fmt::format_to(out, "; DRAM {} bytes; weight image {} bytes at {:#x}; {} instructions\n", p.dram_bytes,
                 p.weight_image.size(), p.weight_addr, p.instrs.size());
  fmt::format_to(out, "; tensors (int8, channel planes with a halo of `pad` holding the zero point):\n");
  for (size_t i = 0; i < p.tensors.size(); ++i) {
    const TensorDesc& d = p.tensors[i];
    std::string role;
    for (int x : p.inputs)
      if (x == static_cast<int>(i)) role = " [program input]";
    for (int x : p.outputs)
      if (x == static_cast<int>(i)) role = " [program output]";
    fmt::format_to(out, ";   t{} {} {}x{}x{} pad {} at {:#x}, scale {} zero point {}{}\n", i, d.name, d.c, d.h, d.w,
                   d.pad, d.dram_addr, d.scale, d.zero_point, role);
  }
  fmt::format_to(out, "; layers:\n");
  for (size_t i = 0; i < p.layers.size(); ++i)
    fmt::format_to(out, ";   L{} {} ({}, {} MACs)\n", i, p.layers[i].name, p.layers[i].kind, p.layers[i].macs);
  for (size_t i = 0; i < p.segments.size(); ++i) {
    const Segment& seg = p.segments[i];
    fmt::format_to(out, "; segment {}: instructions [{}, {}), inputs {}, outputs {}\n", i, seg.first, seg.end,
                   fmt::join(seg.inputs, ","), fmt::join(seg.outputs, ","));
  }
  if (header_only) return s;
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    const Instr& in = p.instrs[i];
    fmt::format_to(out, "{:6}  L{:<3} {:<7} {}\n", i, in.layer, queue_name(in), format_instr(in));
  }
  return s;
}

}  // namespace etch::npu
