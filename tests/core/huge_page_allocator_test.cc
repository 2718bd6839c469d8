#include "etch/core/huge_page_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace etch {
namespace {

// The kernel's THP mode: "always", "madvise" or "never" (the bracketed word).
std::string thp_mode() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(f, line);
  const auto a = line.find('['), b = line.find(']');
  return a == std::string::npos || b == std::string::npos ? "" : line.substr(a + 1, b - a - 1);
}

// The "THPeligible:" value of the mapping that holds `p` in /proc/self/smaps.
int thp_eligible(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream f("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(f, line)) {
    unsigned long lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = addr >= lo && addr < hi;
    } else if (inside && line.rfind("THPeligible:", 0) == 0) {
      return std::stoi(line.substr(12));
    }
  }
  return -1;
}

TEST(HugePageAllocator, LargeBuffersAreHugePageAlignedAndKeepTheirContentsAcrossGrowth) {
  std::vector<int64_t, HugePageAllocator<int64_t>> v;
  for (int64_t i = 0; i < (int64_t{3} << 20) / 8 * 3; ++i) v.push_back(i * 7 - 3);
  ASSERT_GE(v.capacity() * sizeof(int64_t), kHugePageBytes);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kHugePageBytes, 0u);
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) ASSERT_EQ(v[i], i * 7 - 3) << i;
  std::vector<int64_t, HugePageAllocator<int64_t>> copy = v;
  EXPECT_EQ(copy, v);
}

// Just below and at the threshold: each buffer is freed the way it was
// allocated (plain or 2 MiB-aligned operator new). A mismatch is what
// ASan+UBSan, which CI runs, reports as new-delete-type-mismatch.
TEST(HugePageAllocator, BuffersEitherSideOfTheThresholdAreFreedAsTheyWereAllocated) {
  HugePageAllocator<char> a;
  for (size_t n : {kHugePageBytes - 1, kHugePageBytes}) {
    char* p = a.allocate(n);
    if (n >= kHugePageBytes) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePageBytes, 0u);
    }
    p[0] = 1;
    p[n - 1] = 2;
    EXPECT_EQ(p[0] + p[n - 1], 3);
    a.deallocate(p, n);
  }
}

TEST(HugePageAllocator, LargeBuffersAreOfferedToTransparentHugePagesWhereTheKernelHasThem) {
  const std::string mode = thp_mode();
  HugePageAllocator<char> a;
  const size_t n = 3 * kHugePageBytes;
  char* p = a.allocate(n);
  p[0] = 1;
  const int eligible = thp_eligible(p);
  a.deallocate(p, n);
  if (mode == "always" || mode == "madvise") {
    // In "madvise" mode only the advice makes a mapping eligible.
    EXPECT_EQ(eligible, 1) << "THP mode " << mode;
  } else {
    EXPECT_NE(eligible, -1) << "no mapping holds the buffer in /proc/self/smaps";
  }
}

}  // namespace
}  // namespace etch
