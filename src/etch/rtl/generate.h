// etch rtl: the SystemVerilog of a target's NPU. generate_rtl validates the
// target (rtl_params) before producing anything, so a refused target leaves
// no output; write_rtl writes the files and manifest.json into a folder.
#pragma once
#include <string>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/rtl_params.h"
#include "etch/rtl/sv_file.h"

namespace etch::rtl {

struct RtlDesign {
  RtlParams params;
  std::vector<SvFile> files;  // dependency order: a module's submodules come first
  std::string manifest;       // JSON: target, parameters, SRAM geometry, files, what is not built yet
};

RtlDesign generate_rtl(const npu::Target& t);

// Creates `dir` if needed and writes every file atomically (a temporary beside
// it, renamed at the end). Returns the paths written, manifest last.
std::vector<std::string> write_rtl(const RtlDesign& d, const std::string& dir);

}  // namespace etch::rtl
