// The vector unit's requantization over rows of elements: the same arithmetic
// as fixed_point.h element by element, eight lanes at a time with AVX2 where
// the CPU has it (bit-identical: integer operations only; tests/sim compares
// the two on random and extreme values). Right shifts only (shift <= 0, the
// usual case); callers keep fixed_point.h's loop for a left shift.
#pragma once
#include <cstdint>

namespace etch::sim {

// out[p] = clamp(mbqm_right(acc[p] + bias, mult, shift) + zp, lo, hi), the
// bias added with wrap-around.
void requant_row_right(const int32_t* acc, int32_t bias, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi,
                       int8_t* out, int64_t n);

// The ADD instruction: y[i] = clamp(mbqm_right(sa + sb, ym, ys) + yzp, lo, hi)
// with sa = mbqm_right((a[i] - azp) << ls, am, as) and sb likewise, element
// by element in order (y may be a or b, or overlap them).
struct AddRow {
  int32_t azp, bzp, ls, am, bm, ym, yzp, lo, hi;
  int as, bs, ys;
};
void add_row_right(const AddRow& r, const int8_t* a, const int8_t* b, int8_t* y, int64_t n);

}  // namespace etch::sim
