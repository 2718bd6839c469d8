// etch disasm: print an NPU program file readably: target, DRAM layout,
// tensors, layers, segments and every instruction with its engine and layer.
#include <fmt/format.h>

#include "etch/cli/command.h"
#include "etch/npu/program.h"

namespace etch::cli {
namespace {

struct DisasmArgs {
  std::string program;
  bool header_only = false;
};

const char* queue_name(const npu::Instr& in) {
  if (in.op == npu::Opcode::Barrier || in.op == npu::Opcode::Halt) return "all";
  switch (npu::queue_of(in)) {
    case npu::Queue::Load:
      return "load";
    case npu::Queue::Compute:
      return "compute";
    default:
      return "store";
  }
}

int run_disasm(const DisasmArgs& a) {
  const npu::Program p = npu::load_program(a.program);
  const npu::Target& t = p.target;
  fmt::print("; etch NPU program v{}: {}\n", npu::kProgramVersion, a.program);
  fmt::print(
      "; target {}: {}x{} {} array, buffers in/w/acc {}/{}/{} B, DRAM {} B/cycle + {} cycles, {} MHz, {} lanes{}{}\n",
      t.name, t.rows, t.cols, npu::dataflow_name(t.dataflow), t.input_buffer_bytes, t.weight_buffer_bytes,
      t.accumulator_buffer_bytes, t.dram_bytes_per_cycle, t.dram_latency_cycles, t.clock_mhz, t.vector_lanes,
      t.sparsity_2_4 ? ", 2:4 sparsity" : "", t.int4_weights ? ", int4 weights" : "");
  fmt::print("; DRAM {} bytes; weight image {} bytes at {:#x}; {} instructions\n", p.dram_bytes, p.weight_image.size(),
             p.weight_addr, p.instrs.size());
  fmt::print("; tensors (int8, channel planes with a halo of `pad` holding the zero point):\n");
  for (size_t i = 0; i < p.tensors.size(); ++i) {
    const npu::TensorDesc& d = p.tensors[i];
    std::string role;
    for (int x : p.inputs)
      if (x == static_cast<int>(i)) role = " [program input]";
    for (int x : p.outputs)
      if (x == static_cast<int>(i)) role = " [program output]";
    fmt::print(";   t{} {} {}x{}x{} pad {} at {:#x}, scale {} zero point {}{}\n", i, d.name, d.c, d.h, d.w, d.pad,
               d.dram_addr, d.scale, d.zero_point, role);
  }
  fmt::print("; layers:\n");
  for (size_t i = 0; i < p.layers.size(); ++i)
    fmt::print(";   L{} {} ({}, {} MACs)\n", i, p.layers[i].name, p.layers[i].kind, p.layers[i].macs);
  for (size_t s = 0; s < p.segments.size(); ++s) {
    const npu::Segment& seg = p.segments[s];
    fmt::print("; segment {}: instructions [{}, {}), inputs {}, outputs {}\n", s, seg.first, seg.end,
               fmt::join(seg.inputs, ","), fmt::join(seg.outputs, ","));
  }
  if (a.header_only) return 0;
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    const npu::Instr& in = p.instrs[i];
    fmt::print("{:6}  L{:<3} {:<7} {}\n", i, in.layer, queue_name(in), npu::format_instr(in));
  }
  return 0;
}

const CommandRegistrar reg{
    {"disasm", "print an NPU program file (from etch compile) readably", [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<DisasmArgs>();
       sub.add_option("program", a->program, "program file, e.g. model.npu")->required();
       sub.add_flag("--header", a->header_only, "only the header: target, tensors, layers");
       sub.footer(
           "Examples:\n  etch disasm model.npu | less\n  etch disasm model.npu --header\n"
           "Instruction set reference: docs/npu-isa.md");
       return [a] { return run_disasm(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
