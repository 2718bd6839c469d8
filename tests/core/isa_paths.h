// Runs a test body once per instruction-set path etch's own kernels have on
// this machine: with AVX-512 (where the CPU has it) and with it turned off,
// so that the AVX2 paths are checked too on a machine that has both.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "etch/core/cpu_features.h"

namespace etch::testing {

template <typename Body>
void for_each_isa_path(Body body) {
  for (bool avx512 : {true, false}) {
    SCOPED_TRACE(avx512 ? "AVX-512 allowed" : "AVX-512 off");
    avx512_allowed().store(avx512);
    body();
    avx512_allowed().store(true);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace etch::testing
