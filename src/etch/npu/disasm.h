// A program file as text: target, DRAM layout, tensors, layers, segments and
// every instruction with its engine and layer (`etch disasm`, Program.disasm()).
#pragma once
#include <string>

#include "etch/npu/program.h"

namespace etch::npu {

// `label` names the program in the first line (usually its path).
std::string disassemble(const Program& p, const std::string& label, bool header_only = false);

}  // namespace etch::npu
