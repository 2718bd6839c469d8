#include "etch/compiler/node_roles.h"

#include <fmt/format.h>

#include <algorithm>

#include "etch/compiler/compiler.h"
#include "etch/core/error.h"

namespace etch::compiler {

float constant_scale(const ir::Graph& g, const ir::Node& n) {
  if (n.has_input(1) && g.value(n.inputs[1]).data)
    return static_cast<float>(g.value(n.inputs[1]).data->get_as_double(0));
  return 1.0f;
}
int32_t constant_zp(const ir::Graph& g, const ir::Node& n) {
  if (n.has_input(2) && g.value(n.inputs[2]).data)
    return static_cast<int32_t>(g.value(n.inputs[2]).data->get_as_double(0));
  return 0;
}

bool is_boundary(const ir::Node& n, Boundary role) {
  const Lowering* l = find_lowering(n);
  return l && l->boundary == role;
}

ir::ValueId kept_quantization_input(const ir::Graph& g, const ir::Node& n) {
  const Lowering* l = find_lowering(n);
  if (!l || !l->keeps_input_quantization) return ir::kNoValue;
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.has_input(i) && !g.value(n.inputs[i]).is_constant()) return n.inputs[i];
  return ir::kNoValue;
}

bool is_view(const ir::Node& n) {
  const Lowering* l = find_lowering(n);
  return l && l->view;
}

bool is_float_form(const ir::Node& n) {
  if (!n.domain.empty()) return false;
  for (const Lowering& l : all_lowerings())
    if (std::find(l.float_forms.begin(), l.float_forms.end(), n.op_type) != l.float_forms.end()) return true;
  return false;
}

void require_integer_graph(const ir::Graph& g, const std::string& label) {
  for (const ir::Node& n : g.nodes())
    if (n.domain == "ai.etch") return;
  std::string example;
  for (const ir::Node& n : g.nodes())
    if (is_float_form(n)) {
      example = fmt::format(" (e.g. {} is float)", n.describe());
      break;
    }
  ETCH_FAIL(InvalidInput) << fmt::format(
      "model '{}' is not quantized{}: the NPU runs integer models only. Run `etch quantize {} -o model.int8.onnx` "
      "first, then compile the quantized model",
      label, example, label);
}

}  // namespace etch::compiler
