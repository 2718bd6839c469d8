#include "etch/onnx/const_inputs.h"

#include "etch/core/error.h"
#include "etch/core/log.h"
#include "etch/onnx/converter.h"
#include "etch/onnx/tensor_proto.h"

namespace etch::onnx {

namespace {

std::string input_list(const ::onnx::GraphProto& gp) {
  std::string s;
  for (const auto& in : gp.input()) s += (s.empty() ? "'" : ", '") + in.name() + "'";
  return s.empty() ? "none" : s;
}

Tensor filled(const TypeResult& t, const std::vector<double>& v, const std::string& what) {
  for (int64_t d : t.shape)
    ETCH_REQUIRE(d > 0, InvalidInput) << what << " has a symbolic dimension; only an input of static shape "
                                      << shape_str(t.shape) << " can be bound to a constant";
  const int64_t n = shape_numel(t.shape);
  ETCH_REQUIRE(!v.empty() && (v.size() == 1 || static_cast<int64_t>(v.size()) == n), InvalidInput)
      << what << " has shape " << shape_str(t.shape) << " (" << n << " elements) but " << v.size()
      << " values were given; give one value for every element, or one for all of them";
  Tensor out(t.dtype, t.shape);
  for (int64_t i = 0; i < n; ++i) out.set_from_double(i, v.size() == 1 ? v[0] : v[i]);
  return out;
}

}  // namespace

void bind_const_inputs(::onnx::ModelProto& m, const std::map<std::string, std::vector<double>>& values,
                       const std::string& label) {
  ::onnx::GraphProto* gp = m.mutable_graph();
  for (const auto& [name, v] : values) {
    int found = -1;
    for (int i = 0; i < gp->input_size() && found < 0; ++i)
      if (gp->input(i).name() == name) found = i;
    bool is_initializer = false;
    for (const auto& t : gp->initializer()) is_initializer |= t.name() == name;
    if (found < 0 || is_initializer) {
      log_warn(label + ": constant binding for '" + name +
               "' ignored: the model has no input of that name (inputs: " + input_list(*gp) + ")");
      continue;
    }
    const std::string what = label + ": model input '" + name + "'";
    const TypeResult t = input_type(gp->input(found), label);
    *gp->add_initializer() = tensor_to_proto(filled(t, v, what), name);
    gp->mutable_input()->DeleteSubrange(found, 1);
  }
}

void fix_input_shapes(::onnx::ModelProto& m, const std::map<std::string, std::vector<int64_t>>& shapes,
                      const std::string& label) {
  ::onnx::GraphProto* gp = m.mutable_graph();
  for (const auto& [name, dims] : shapes) {
    ::onnx::ValueInfoProto* in = nullptr;
    for (auto& i : *gp->mutable_input())
      if (i.name() == name) in = &i;
    if (!in) {
      log_warn(label + ": input shape for '" + name +
               "' ignored: the model has no input of that name (inputs: " + input_list(*gp) + ")");
      continue;
    }
    const std::string what = label + ": model input '" + name + "'";
    const TypeResult t = input_type(*in, label);
    ETCH_REQUIRE(t.shape.size() == dims.size(), InvalidInput)
        << what << " has shape " << shape_str(t.shape) << ", of rank " << t.shape.size() << "; the shape given, "
        << shape_str(dims) << ", has rank " << dims.size();
    auto* s = in->mutable_type()->mutable_tensor_type()->mutable_shape();
    for (size_t d = 0; d < dims.size(); ++d) {
      ETCH_REQUIRE(dims[d] > 0 && (t.shape[d] < 0 || t.shape[d] == dims[d]), InvalidInput)
          << what << " has shape " << shape_str(t.shape) << "; the shape given, " << shape_str(dims)
          << ", differs at axis " << d;
      s->mutable_dim(static_cast<int>(d))->set_dim_value(dims[d]);
    }
  }
}

}  // namespace etch::onnx
