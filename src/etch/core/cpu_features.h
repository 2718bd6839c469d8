// Run-time CPU feature checks shared by the integer kernels of the runtime
// and the simulator, so both take the same instruction set on one machine.
#pragma once
#include <atomic>

namespace etch {

// Whether etch's own kernels may take their AVX-512 paths where the CPU has
// them (default yes). Tests turn it off to run the AVX2 paths on a machine
// that has both; process-wide.
inline std::atomic<bool>& avx512_allowed() {
  static std::atomic<bool> allowed{true};
  return allowed;
}

// AVX-512 with VNNI's int16 pair dot product (vpdpwssd) and byte/word ops.
inline bool cpu_has_avx512_vnni() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool ok =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni");
  return ok && avx512_allowed().load(std::memory_order_relaxed);
#else
  return false;
#endif
}

// AVX-512 foundation with byte/word ops (no VNNI needed).
inline bool cpu_has_avx512bw() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return ok && avx512_allowed().load(std::memory_order_relaxed);
#else
  return false;
#endif
}

}  // namespace etch
