// The integer kernels' vectorised paths (integer conv, requantization rows,
// QAdd rows, QuantizeLinear rows) can be switched off process-wide, so that a
// tool can run the same integer graph on the reference loops and compare the
// bytes (bench/runtime_vs_ort/int8_fast_vs_reference.cc). On by default.
#pragma once

namespace etch::runtime {

void set_integer_fast_paths(bool on);
bool integer_fast_paths();

}  // namespace etch::runtime
