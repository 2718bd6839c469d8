// Reads the entries of a ZIP archive held in memory (what NumPy's .npz files
// are): stored and deflate entries, ZIP64 sizes, CRC-checked.
#pragma once
#include <string>
#include <vector>

namespace etch::data {

struct ZipEntry {
  std::string name;
  std::string data;  // uncompressed bytes
};

// label names the archive in errors (InvalidInput: "LABEL: corrupt zip archive (...)").
std::vector<ZipEntry> read_zip(const std::string& bytes, const std::string& label);

}  // namespace etch::data
