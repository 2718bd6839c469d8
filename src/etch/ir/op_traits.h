// Traits of an op: the properties other stages ask about ("does this op keep
// its input's quantization parameters?", "does channel c of the output depend
// only on channel c of the input?"). They are declared with the op's schema
// (ir/ops/*.cc) so that no stage keeps its own list of op names.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace etch::ir {

enum class OpTrait : uint32_t {
  // Element-wise on input 0: output element i depends only on input element i
  // (same shape, so channel c maps to channel c); any other inputs are scalar
  // parameters (Clip bounds). Relu, Sigmoid, Identity, Dropout, ...
  kElementwiseUnary = 1u << 0,
  // Element-wise arithmetic on two or more inputs with numpy broadcasting
  // (Add, Sub, Mul, Div, Mod, Sum, Mean, Min, Max).
  kBroadcastArith = 1u << 1,
  // Only moves input 0's values (never computes new ones): on int8 data it runs
  // as is and its output keeps the input's scale and zero point.
  kDataMovement = 1u << 2,
  // An int8 -> int8 function of input 0 alone (other inputs constant), so it
  // can run as a 256-entry lookup table.
  kLookupTable = 1u << 3,
  // A window over the spatial axes of each channel separately (N, C kept).
  kPool = 1u << 4,
  // Output always in [0, 1]: fixed int8 parameters scale 1/256, zero point -128.
  kUnitIntervalOutput = 1u << 5,
  // Input 1 is a weight whose dim 0 indexes output channels (Gemm: when
  // transB = 1), input 2 an optional per-output-channel bias.
  kWeighted = 1u << 6,
  // A following Relu/Clip can be folded into it as a clamp (passes/activation_fusion.h).
  kFusesActivation = 1u << 7,
  // Part of a quantized model's format (QuantizeLinear, QLinearConv, ...).
  kQuantizedFormat = 1u << 8,
  // At inference output 0 is input 0 (Identity; Dropout without training_mode).
  kPassthrough = 1u << 9,
  // Per-channel affine normalization with constant statistics (BatchNormalization).
  kChannelAffine = 1u << 10,
  // Output depends only on input 0's shape, never its values (Shape, Size):
  // it is a constant whenever that shape is static.
  kShapeOnly = 1u << 11,
  // Output is the inputs joined along attribute `axis` (Concat).
  kConcatenation = 1u << 12,
  // One of etch's integer ops (QConv, QGemm, QAdd, ...): int8 in and out, its
  // parameters typed in ir/ops/qint_params.h; what lowering a QDQ model makes.
  kIntegerOp = 1u << 13,
  // Compares its inputs exactly (Equal, Less, ...). PTQ leaves it on the float
  // values: rounding one side only (x == maxpool(x) with maxpool's output
  // quantized for another reader) changes which elements compare equal.
  kComparison = 1u << 14,
};

// A set of traits; combine with |.
class OpTraits {
 public:
  constexpr OpTraits() = default;
  constexpr OpTraits(OpTrait t) : bits_(static_cast<uint32_t>(t)) {}  // NOLINT: a trait is a one-trait set
  constexpr bool has(OpTrait t) const { return (bits_ & static_cast<uint32_t>(t)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr OpTraits operator|(OpTraits o) const { return OpTraits(bits_ | o.bits_); }
  constexpr bool operator==(const OpTraits&) const = default;

 private:
  constexpr explicit OpTraits(uint32_t bits) : bits_(bits) {}
  uint32_t bits_ = 0;
};

constexpr OpTraits operator|(OpTrait a, OpTrait b) { return OpTraits(a) | OpTraits(b); }

// Every trait with its name, for messages and the consistency test.
const std::vector<std::pair<OpTrait, std::string>>& all_op_traits();

}  // namespace etch::ir
