#include "etch/data/rng.h"

#include <numeric>

namespace etch::data {

uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  std::mt19937_64 gen(seed);
  fisher_yates_shuffle(v, gen);
  return v;
}

uint64_t sample_key(uint64_t seed, uint64_t epoch, uint64_t index) {
  // Chained mixing so that nearby (epoch, index) pairs give unrelated keys.
  return splitmix64_mix(splitmix64_mix(splitmix64_mix(seed) ^ epoch) ^ index);
}

}  // namespace etch::data
