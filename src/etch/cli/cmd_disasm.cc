// etch disasm: print an NPU program file readably: target, DRAM layout,
// tensors, layers, segments and every instruction with its engine and layer.
#include <fmt/format.h>

#include "etch/cli/command.h"
#include "etch/npu/disasm.h"
#include "etch/npu/program.h"

namespace etch::cli {
namespace {

struct DisasmArgs {
  std::string program;
  bool header_only = false;
};

int run_disasm(const DisasmArgs& a) {
  fmt::print("{}", npu::disassemble(npu::load_program(a.program), a.program, a.header_only));
  return 0;
}

const CommandRegistrar register_disasm{
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
