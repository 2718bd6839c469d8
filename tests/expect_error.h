// Expecting an etch::Error from a call: its kind and a fragment of its message.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "etch/core/error.h"

namespace etch::testing {

// Runs `fn`, expecting an etch::Error of `kind` whose message contains `needle`.
template <typename F>
void expect_error(F&& fn, const std::string& needle, ErrorKind kind = ErrorKind::InvalidInput) {
  try {
    fn();
    ADD_FAILURE() << "expected an error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace etch::testing
