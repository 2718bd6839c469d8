#include "etch/cli/table.h"

#include <algorithm>

#include "etch/core/error.h"

namespace etch::cli {
namespace {

// Display width in code points (names are ASCII or UTF-8; every code point is one column here).
size_t display_width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;
  return w;
}

std::string shorten(const std::string& s, size_t max) {
  if (max == 0 || display_width(s) <= max || max < 5) return s;
  // Keep both ends: node names are usually "/prefix/.../Op_output_0".
  const size_t keep = max - 1, head = keep / 2, tail = keep - head;
  return s.substr(0, head) + "\u2026" + s.substr(s.size() - tail);
}

}  // namespace

void Table::add_row(std::vector<std::string> cells) {
  ETCH_CHECK(cells.size() == columns_.size())
      << "table row has " << cells.size() << " cells, expected " << columns_.size();
  for (size_t i = 0; i < cells.size(); ++i) cells[i] = shorten(cells[i], columns_[i].max_width);
  rows_.push_back(std::move(cells));
}

void Table::add_separator() { rows_.emplace_back(); }

std::string Table::render() const {
  std::vector<size_t> width(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) width[i] = display_width(columns_[i].title);
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], display_width(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const size_t pad = width[i] - display_width(cells[i]);
      if (i > 0) out += "  ";
      if (columns_[i].align == Align::Right)
        out += std::string(pad, ' ') + cells[i];
      else if (i + 1 < columns_.size())
        out += cells[i] + std::string(pad, ' ');
      else
        out += cells[i];
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> titles;
  for (const auto& c : columns_) titles.push_back(c.title);
  std::string out = line(titles);
  size_t total = 0;
  for (size_t w : width) total += w;
  const std::string rule(total + 2 * (columns_.size() - 1), '-');
  out += rule + "\n";
  for (const auto& r : rows_) out += r.empty() ? rule + "\n" : line(r);
  return out;
}

std::string group_thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace etch::cli
