// What every fuzz target asserts: bad bytes are reported as etch::Error of a
// user-facing kind; an Internal error is a broken invariant and stops the run.
#pragma once
#include <cstdint>
#include <string>

#include "etch/core/error.h"

template <typename Fn>
int fuzz_one(const uint8_t* data, size_t size, Fn&& fn) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    fn(bytes);
  } catch (const etch::Error& e) {
    if (e.kind() == etch::ErrorKind::Internal) __builtin_trap();
  }
  return 0;
}
