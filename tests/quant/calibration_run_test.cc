// Which calibration rows run: a seeded draw, or for streaming data whole
// sequences each in time order (so that a carried state is the real one).
#include "etch/quant/calibration_run.h"

#include <gtest/gtest.h>

#include "etch/data/rng.h"

namespace etch::quant {
namespace {

TEST(CalibrationRows, StreamingDataTakesWholeSequencesInTimeOrder) {
  data::Dataset d;
  d.inputs.push_back({"x", Tensor(DType::F32, {9, 2})});
  d.carry = {{"s", "h"}};
  d.sequence = {0, 0, 0, 1, 1, 2, 2, 2, 2};
  PtqOptions o;
  o.calib_samples = 6;
  for (uint64_t seed : {1u, 2u, 3u}) {
    o.seed = seed;
    const std::vector<int64_t> rows = calibration_rows(d, o);
    ASSERT_EQ(rows.size(), 6u);
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto r = static_cast<size_t>(rows[i]);
      if (i > 0 && d.sequence[r] == d.sequence[static_cast<size_t>(rows[i - 1])]) {
        EXPECT_EQ(rows[i], rows[i - 1] + 1) << "seed " << seed;  // the next window of the same clip
      } else {
        EXPECT_TRUE(r == 0 || d.sequence[r - 1] != d.sequence[r]) << "seed " << seed << ": a clip starts mid-way";
      }
    }
  }
  // Without a carry the rows are a seeded draw.
  d.carry.clear();
  std::vector<int64_t> drawn = data::shuffled_indices(9, o.seed);
  drawn.resize(6);
  EXPECT_EQ(calibration_rows(d, o), drawn);
}

}  // namespace
}  // namespace etch::quant
