// Randomness for data pipelines that gives the same results on every platform
// and standard library. std::shuffle and std::uniform_int_distribution are
// implementation-defined, so etch draws raw 64-bit words from generators whose
// output the standard fixes (std::mt19937_64) or that are written out here
// (SplitMix64), and maps them to ranges with the rejection method below.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "etch/core/error.h"

namespace etch::data {

// SplitMix64 (Steele, Lea, Flood 2014): state += golden gamma, then mix. Used
// as a counter-based generator so each sample's augmentation depends only on
// (seed, epoch, sample), never on batch order or thread count.
uint64_t splitmix64_mix(uint64_t z);
class SplitMix64 {
 public:
  using result_type = uint64_t;
  explicit SplitMix64(uint64_t state) : state_(state) {}
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~uint64_t{0}; }
  uint64_t operator()() { return splitmix64_mix(state_ += 0x9E3779B97F4A7C15ull); }

 private:
  uint64_t state_;
};

// Uniform integer in [0, n) for n >= 1, unbiased: draw a 64-bit word x and
// reject it while x < (2^64 - n) mod n, so that the accepted range
// [(2^64 - n) mod n, 2^64) holds a whole multiple of n values; return x mod n.
// Rejection happens with probability < n / 2^64, i.e. practically never.
template <typename Gen>
uint64_t bounded_random(Gen& gen, uint64_t n) {
  static_assert(Gen::min() == 0 && Gen::max() == ~uint64_t{0}, "needs a full 64-bit generator");
  ETCH_CHECK(n >= 1) << "bounded_random needs n >= 1";
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t x = gen();
    if (x >= threshold) return x % n;
  }
}

// Fisher-Yates (Durstenfeld): for i = n-1 down to 1, swap v[i] with v[j],
// j = bounded_random(gen, i + 1).
template <typename T, typename Gen>
void fisher_yates_shuffle(std::vector<T>& v, Gen& gen) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(bounded_random(gen, i));
    std::swap(v[i - 1], v[j]);
  }
}

// 0..n-1 shuffled by fisher_yates_shuffle with std::mt19937_64(seed).
std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed);

// Key for the randomness of one sample in one epoch.
uint64_t sample_key(uint64_t seed, uint64_t epoch, uint64_t index);

}  // namespace etch::data
