// Graph-time shape inference of element-wise and tensor ops: unknown dims (-1)
// propagate, values known as constants are used, unknown values leave dims or
// the whole rank unknown.
#include <gtest/gtest.h>

#include <algorithm>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

struct Fixture {
  Graph g;
  ValueId input(const std::string& name, Shape s, DType t = DType::F32) { return g.add_input(name, t, std::move(s)); }
  ValueId constant(const std::string& name, std::vector<int64_t> v) {
    return g.add_constant(name, Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
  }
  // Adds a node with one output whose shape is unknown, infers, returns the output.
  const Value& infer(const std::string& op, std::vector<ValueId> ins, std::map<std::string, Attribute> attrs = {}) {
    ValueId out = g.add_value(op + "_out", DType::F32, {}, false);
    g.add_node(op, ins, {out}, op + "_node", std::move(attrs));
    infer_shapes(g);
    return g.value(out);
  }
};

TEST(ShapeInference, BinaryBroadcastKeepsUnknownBatch) {
  Fixture f;
  const Value& out = f.infer("Add", {f.input("a", {-1, 3}), f.input("b", {3})});
  EXPECT_TRUE(out.has_shape);
  EXPECT_EQ(out.shape, (Shape{-1, 3}));
}

TEST(ShapeInference, ComparisonIsBool) {
  Fixture f;
  const Value& out = f.infer("Less", {f.input("a", {2, 1}), f.input("b", {1, 4})});
  EXPECT_EQ(out.dtype, DType::Bool);
  EXPECT_EQ(out.shape, (Shape{2, 4}));
}

TEST(ShapeInference, ReshapeWithConstantShapeResolvesAroundUnknownBatch) {
  Fixture f;
  const Value& out = f.infer("Reshape", {f.input("x", {-1, 3, 4}), f.constant("s", {0, -1})});
  EXPECT_EQ(out.shape, (Shape{-1, 12}));
}

TEST(ShapeInference, ReshapeWithRuntimeShapeKnowsOnlyRank) {
  Fixture f;
  const Value& out = f.infer("Reshape", {f.input("x", {2, 6}), f.input("s", {3}, DType::I64)});
  EXPECT_TRUE(out.has_shape);
  EXPECT_EQ(out.shape, (Shape{-1, -1, -1}));
}

TEST(ShapeInference, SliceWithRuntimeStartsKeepsRank) {
  Fixture f;
  const Value& out = f.infer("Slice", {f.input("x", {4, 5}), f.input("st", {1}, DType::I64), f.constant("en", {3})});
  EXPECT_EQ(out.shape, (Shape{-1, -1}));
}

TEST(ShapeInference, SliceWithConstantsOnUnknownDim) {
  Fixture f;
  const Value& out =
      f.infer("Slice", {f.input("x", {-1, 10}), f.constant("st", {2}), f.constant("en", {-2}), f.constant("ax", {1})});
  EXPECT_EQ(out.shape, (Shape{-1, 6}));
}

TEST(ShapeInference, ConcatSumsAxisAndFillsUnknowns) {
  Fixture f;
  const Value& out = f.infer("Concat", {f.input("a", {-1, 2}), f.input("b", {5, 3})}, {{"axis", int64_t{1}}});
  EXPECT_EQ(out.shape, (Shape{5, 5}));
}

TEST(ShapeInference, ExpandWithUnknownTargetValue) {
  Fixture f;
  const Value& out = f.infer("Expand", {f.input("x", {3, 1}), f.input("s", {3}, DType::I64)});
  EXPECT_EQ(out.shape, (Shape{-1, -1, -1}));
}

TEST(ShapeInference, ConstantOfShapeWithUnknownLengthHasNoRank) {
  Fixture f;
  const Value& out = f.infer("ConstantOfShape", {f.input("s", {-1}, DType::I64)});
  EXPECT_FALSE(out.has_shape);
}

TEST(ShapeInference, GatherAndFlattenAndTranspose) {
  Fixture f;
  ValueId x = f.input("x", {-1, 5, 7});
  EXPECT_EQ(f.infer("Gather", {x, f.input("i", {2, 3}, DType::I64)}, {{"axis", int64_t{1}}}).shape,
            (Shape{-1, 2, 3, 7}));
  EXPECT_EQ(f.infer("Flatten", {x}).shape, (Shape{-1, 35}));
  EXPECT_EQ(f.infer("Transpose", {x}).shape, (Shape{7, 5, -1}));
}

TEST(ShapeInference, SplitSizesFromConstant) {
  Fixture f;
  ValueId x = f.input("x", {6, -1});
  ValueId o1 = f.g.add_value("o1", DType::F32, {}, false), o2 = f.g.add_value("o2", DType::F32, {}, false);
  f.g.add_node("Split", {x, f.constant("sp", {2, 4})}, {o1, o2}, "sp");
  infer_shapes(f.g);
  EXPECT_EQ(f.g.value(o1).shape, (Shape{2, -1}));
  EXPECT_EQ(f.g.value(o2).shape, (Shape{4, -1}));
}

TEST(ShapeInference, ShapeMismatchNamesTheNode) {
  Fixture f;
  try {
    f.infer("Mul", {f.input("a", {2, 3}), f.input("b", {4})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("node 'Mul_node' (Mul)"), std::string::npos) << e.what();
  }
}

TEST(ShapeInference, ReshapeTargetBeyondInt64IsRefusedNotOverflowed) {
  // The TFLite fuzz target's sixth find: a RESHAPE to [3125774096691699542,
  // 100, -1] multiplied past int64 (UBSan: signed overflow) before it was refused.
  Fixture f;
  try {
    f.infer("Reshape", {f.input("x", {2, 6}), f.constant("s", {3125774096691699542, 100, -1})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("more elements than int64 holds"), std::string::npos) << e.what();
  }
}

TEST(ShapeInference, AHelperErrorIsGivenTheNodesName) {
  // The TFLite fuzz target's eighth find: the "cannot become" message of a
  // Reshape to [1,3,3,131112,3,6780513,786444] counted its elements past
  // int64; shape_numel now refuses that, and the node is named.
  Fixture f;
  try {
    f.infer("Reshape", {f.input("x", {1, 120, 3}), f.constant("s", {1, 3, 0, 131112, 3, 6780513, 786444})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("(Reshape)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("more elements than int64 holds"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace etch::ir

namespace etch::ir {
namespace {

TEST(OpRegistry, ElementwiseAndTensorSchemasHaveOnnxArity) {
  const OpSchema* sum = find_op("Sum");
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->min_inputs, 1);
  EXPECT_GT(sum->max_inputs, 100);
  const OpSchema* slice = find_op("Slice", "ai.onnx");  // "ai.onnx" is the default domain
  ASSERT_NE(slice, nullptr);
  EXPECT_EQ(slice->max_inputs, 5);
  const OpSchema* dropout = find_op("Dropout");
  ASSERT_NE(dropout, nullptr);
  EXPECT_EQ(dropout->max_outputs, 2);
  EXPECT_EQ(find_op("Relu", "com.example"), nullptr);
  auto ops = registered_ops();
  for (const char* op : {"Add", "Where", "Reshape", "Gather", "Cast", "ConstantOfShape", "Range", "Hardmax"})
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
}

TEST(ShapeInference, SqueezeWithoutAxesNeedsKnownDims) {
  Fixture f;
  EXPECT_FALSE(f.infer("Squeeze", {f.input("x", {1, -1, 3})}).has_shape);
  Fixture g;
  EXPECT_EQ(g.infer("Squeeze", {g.input("x", {1, 2, 1})}).shape, (Shape{2}));
}

}  // namespace
}  // namespace etch::ir
