#include "etch/core/shape.h"

#include <gtest/gtest.h>

#include "etch/core/error.h"

namespace etch {
namespace {

TEST(Shape, NumelCountsElementsAndUnknownDimsGiveMinusOne) {
  EXPECT_EQ(shape_numel({2, 3, 4}), 24);
  EXPECT_EQ(shape_numel({}), 1);
  EXPECT_EQ(shape_numel({5, 0, 7}), 0);
  EXPECT_EQ(shape_numel({2, -1, 4}), -1);
}

TEST(Shape, NumelPastInt64IsRefusedNamingTheShape) {
  // The TFLite fuzz target's eighth find: a Reshape's error message multiplied
  // [1,3,3,131112,3,6780513,786444] past int64 (UBSan: signed overflow).
  try {
    shape_numel({1, 3, 3, 131112, 3, 6780513, 786444});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("[1,3,3,131112,3,6780513,786444]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace etch
