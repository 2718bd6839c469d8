#include "etch/ir/cost.h"

#include <cstdint>
#include <set>
#include <string>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

// Product with unknown (-1) dimensions counted as 1.
int64_t known_product(const Shape& s, size_t begin = 0, size_t end = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = begin; i < s.size() && i < end; ++i) p *= s[i] < 0 ? 1 : s[i];
  return p;
}

const Value* input_value(const Graph& g, const Node& n, size_t i) {
  return n.has_input(i) ? &g.value(n.inputs[i]) : nullptr;
}

}  // namespace

NodeCost node_cost(const Graph& g, const Node& n) {
  NodeCost c;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value* v = input_value(g, n, i);
    if (v != nullptr && v->is_constant()) c.params += v->data->numel();
  }
  const OpSchema* schema = find_op(n.op_type, n.domain);
  if (!schema || !schema->macs) return c;
  const MacForm m = *schema->macs;
  const Value* a = input_value(g, n, m.data_input);
  const Value* b = input_value(g, n, m.weight_input);
  const Value* y = n.outputs.empty() ? nullptr : &g.value(n.outputs[0]);
  if (a == nullptr || b == nullptr || y == nullptr || !a->has_shape || !b->has_shape || !y->has_shape) {
    c.macs_known = false;
    return c;
  }
  switch (m.kind) {
    case MacForm::kConv:
      // y [N, Cout, spatial...], w [Cout, Cin/g, k...]: every output element
      // takes Cin/g * prod(k) MACs.
      c.macs = known_product(y->shape) * known_product(b->shape, 1);
      break;
    case MacForm::kConvTranspose:
      // x [N, Cin, spatial...], w [Cin, Cout/g, k...]: every input element is
      // scattered through Cout/g * prod(k) MACs.
      c.macs = known_product(a->shape) * known_product(b->shape, 1);
      break;
    case MacForm::kMatMul: {
      // y = A·B with numpy broadcasting; K is A's last dimension.
      const int64_t k = a->shape.empty() ? 1 : (a->shape.back() < 0 ? 1 : a->shape.back());
      c.macs = known_product(y->shape) * k;
      break;
    }
    case MacForm::kGemm: {
      // y [M, N]; A is [M, K], or [K, M] when transA.
      if (a->shape.size() != 2) {
        c.macs_known = false;
        break;
      }
      const int64_t k = n.attr_int("transA", 0) ? a->shape[0] : a->shape[1];
      c.macs = known_product(y->shape) * (k < 0 ? 1 : k);
      break;
    }
  }
  return c;
}

GraphCost graph_cost(const Graph& g) {
  GraphCost total;
  std::set<ValueId> counted;
  for (const Node& n : g.nodes()) {
    NodeCost c = node_cost(g, n);
    total.nodes.push_back(c);
    total.macs += c.macs;
    total.macs_known = total.macs_known && c.macs_known;
    for (ValueId v : n.inputs) {
      if (v == kNoValue) continue;
      const Value& val = g.value(v);
      if (val.is_constant() && counted.insert(v).second) total.params += val.data->numel();
    }
    for (ValueId v : n.outputs) {
      const Value& val = g.value(v);
      if (val.has_shape && !shape_is_static(val.shape)) total.per_sample = true;
    }
  }
  for (ValueId v : g.inputs) {
    const Value& val = g.value(v);
    if (val.has_shape && !shape_is_static(val.shape)) total.per_sample = true;
  }
  return total;
}

}  // namespace etch::ir
