// The quantization rule registry: what a quantized node group looks like for
// one op (or op family) is decided here once, and PTQ planning (ptq_plan.cc)
// and QDQ -> integer lowering (lower_qdq.cc) both consume it, in the spirit of
// ONNX Runtime's QDQ selectors and actions:
//   - the selector (why_not) says whether a node can be the core of a
//     quantized group, and why not, from its attributes and its activation
//     input; both stages call it;
//   - the action says what the group quantizes (kind, activation inputs,
//     weights) for the planner, and lowers a QDQ group to etch's integer op.
// Rules live one per file in quant/rules/ and register with
// ETCH_REGISTER_QUANT_RULE.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/ir/op_traits.h"

namespace etch::quant {

class QdqLowering;
struct Dq;

enum class RuleKind {
  kCompute,       // own output parameters from calibration; inputs quantized first
  kDataMovement,  // output shares input 0's parameters; runs on int8 as is
  kLookupTable,   // input 0 already quantized; output calibrated; a 256-entry table
};

// One QDQ group as the lowering sees it: the QuantizeLinear that ends it, its
// parameters, the core op and the Relu/Clip fused between them (or nullptr).
struct QdqGroup {
  const ir::Node& q;
  const QuantParams& y;
  const ir::Node& core;
  const ir::Node* activation = nullptr;
};

struct QuantRule {
  std::string name{};                   // "conv", "lookup-table", ...
  std::vector<std::string> op_types{};  // the ai.onnx ops it targets by name, or
  std::optional<ir::OpTrait> trait{};   // every ai.onnx op with this trait
  RuleKind kind = RuleKind::kCompute;
  size_t activation_inputs = 1;   // inputs quantized as int8 activations (compute)
  bool weights = false;           // input 1 a constant weight (int8/int4), input 2 its bias (int32)
  int weight_rank = 0;            // the weight's rank (weights only)
  bool fuses_activation = false;  // a following Relu/Clip is part of the group
  // Compute rules of a variable number of inputs (Concat): every input is a
  // float activation, quantized, or a float constant, which the lowering puts
  // on the output's grid; activation_inputs is then ignored.
  bool any_inputs = false;
  // Selector: "" when `n` can be the core of a quantized group, else the reason
  // it cannot. x is its activation input 0 as the caller's stage sees it (the
  // float value when planning, the int8 value when lowering).
  std::string (*why_not)(const ir::Graph& g, const ir::Node& n, const ir::Value& x) = nullptr;
  // Action: writes the integer op producing group.q's output; false when the
  // QDQ graph does not have the group's form (an input not int8 behind
  // DequantizeLinear, a bias on the wrong scale, ...).
  bool (*lower)(QdqLowering& l, const QdqGroup& group) = nullptr;
  // Data movement: the inputs of the op's int8 copy besides input 0 (which
  // becomes x.q), when they differ from the float op's (a Pad's value
  // becomes the zero point). nullptr: the same.
  void (*int8_inputs)(QdqLowering& l, const ir::Node& n, const Dq& x, std::vector<ir::ValueId>& inputs) = nullptr;
};

// The lowering of every data-movement rule: the op repeated on the int8
// input (its other inputs as the rule's int8_inputs makes them) when its
// output keeps the input's parameters.
bool lower_data_movement(QdqLowering& l, const QdqGroup& grp);

void register_rule(QuantRule rule);
// The rule for n's op: one naming it first, else one for a trait it has.
const QuantRule* find_rule(const ir::Node& n);
// True when n is covered by a data-movement rule (runs on int8 as is, its
// output keeps its input's parameters).
bool is_data_movement(const ir::Node& n);
// Every rule, in registration order.
const std::vector<QuantRule>& quant_rules();
// The op types named by the rules (for the op consistency test).
std::vector<std::string> registered_rule_ops();

struct QuantRuleRegistrar {
  explicit QuantRuleRegistrar(QuantRule r) { register_rule(std::move(r)); }
};
#define ETCH_QRULE_CONCAT2(a, b) a##b
#define ETCH_QRULE_CONCAT(a, b) ETCH_QRULE_CONCAT2(a, b)
// ETCH_REGISTER_QUANT_RULE({.name = "conv", .op_types = {"Conv"}, ...}): the
// QuantRule's fields by designated initializer, in declaration order.
#define ETCH_REGISTER_QUANT_RULE(...)                                          \
  static ::etch::quant::QuantRuleRegistrar ETCH_QRULE_CONCAT(etch_quant_rule_, \
                                                             __COUNTER__)(::etch::quant::QuantRule __VA_ARGS__)

}  // namespace etch::quant
