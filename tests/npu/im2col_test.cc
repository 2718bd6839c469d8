// matmul_k_offsets (counting) gives the same offsets as matmul_k_offset
// (dividing) for both reduction orders, any start and any kernel shape.
#include "etch/npu/im2col.h"

#include <gtest/gtest.h>

#include <vector>

namespace etch::npu {
namespace {

TEST(Im2col, CountedOffsetsEqualTheDividedOnes) {
  for (const int64_t order : {int64_t{kKOrderChannelOuter}, int64_t{kKOrderChannelInner}})
    for (const auto& [kh, kw] : {std::pair<int64_t, int64_t>{1, 1}, {3, 3}, {1, 5}, {3, 1}, {2, 3}})
      for (const int64_t c : {1, 4, 7}) {
        Instr mm;
        mm.op = Opcode::Matmul;
        mm[Field::k_order] = order;
        mm[Field::kernel_h] = kh;
        mm[Field::kernel_w] = kw;
        mm[Field::c] = c;
        mm[Field::x_chan_stride] = 1000;
        mm[Field::x_pitch] = 37;
        mm[Field::dil_h] = 2;
        mm[Field::dil_w] = 3;
        const int64_t total = c * kh * kw;
        for (int64_t k0 = 0; k0 < total; k0 += 3) {
          std::vector<int64_t> got(static_cast<size_t>(total - k0));
          matmul_k_offsets(mm, k0, total - k0, got.data());
          for (int64_t i = 0; i < total - k0; ++i)
            ASSERT_EQ(got[i], matmul_k_offset(mm, k0 + i))
                << "order " << order << " kernel " << kh << "x" << kw << " c " << c << " k0 " << k0 << " i " << i;
        }
      }
}

}  // namespace
}  // namespace etch::npu
