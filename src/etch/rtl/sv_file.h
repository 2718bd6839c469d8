// One generated SystemVerilog file: a single module whose name is the file's
// stem (Verilator's DECLFILENAME rule), and the template substitution the
// per-module generators share.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace etch::rtl {

struct SvFile {
  std::string module;  // the file is <module>.sv
  std::string text;
  std::string file_name() const { return module + ".sv"; }
};

// Replaces every `${KEY}` in `text` with its value. The templates are written
// as plain SystemVerilog (whose braces would clash with fmt's), so only these
// markers are special; an unknown or unreplaced marker is an internal error.
std::string substitute(std::string text, const std::vector<std::pair<std::string, std::string>>& values);

// The banner every generated file starts with.
std::string generated_banner(const std::string& target_name, const std::string& what);

}  // namespace etch::rtl
