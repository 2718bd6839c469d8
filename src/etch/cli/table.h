// Plain-text tables for terminal summaries: column widths fit the content,
// numbers right-aligned, no colours (output is often piped or logged).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace etch::cli {

enum class Align { Left, Right };

struct Column {
  std::string title;
  Align align = Align::Left;
  size_t max_width = 0;  // 0: unlimited; longer cells are cut with "…" in the middle
};

class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add_row(std::vector<std::string> cells);  // must have one cell per column
  void add_separator();
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // empty row = separator
};

std::string group_thousands(int64_t v);  // 1031744 -> "1,031,744"

}  // namespace etch::cli
