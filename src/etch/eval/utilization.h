// Array utilization of a set of layers (`etch compile --analyze`, report.json):
// their own MACs over rows·cols·the cycles they take, so MAC-weighted; the
// zeros of packed groups and the padding of partial folds are not useful work.
// Dense and depthwise layers are summed apart, depthwise being a systolic
// array's known weak spot.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace etch::eval {

struct UtilizationSum {
  double macs = 0, pe_cycles = 0;
  int layers = 0;

  void add(int64_t layer_macs, int64_t cycles, int rows, int cols) {
    macs += static_cast<double>(layer_macs);
    pe_cycles += static_cast<double>(rows) * cols * static_cast<double>(cycles);
    ++layers;
  }
  // nullopt when no layer was added.
  std::optional<double> value() const {
    if (layers == 0) return std::nullopt;
    return pe_cycles > 0 ? macs / pe_cycles : 0;
  }
  // The layer kind the compiler gives depthwise convolutions.
  static bool depthwise(const std::string& kind) { return kind == "dwconv"; }
};

}  // namespace etch::eval
