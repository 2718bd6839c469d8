// Builds graphs op by op with shapes inferred as it goes; parameters are
// initialised from a seeded generator (same seed → same bytes on any machine).
// Used by the model zoo, passes' tests and anything that creates graphs.
#pragma once
#include <cstdint>
#include <string>

#include "etch/ir/graph.h"

namespace etch::ir {

// splitmix64: tiny, fully specified, so parameter init is reproducible everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();  // [0, 1)
  float uniform(float lo, float hi) { return lo + static_cast<float>(uniform()) * (hi - lo); }

 private:
  uint64_t state_;
};

class GraphBuilder {
 public:
  GraphBuilder(const std::string& name, uint64_t seed);

  ValueId input(const std::string& name, Shape shape, DType dtype = DType::F32);
  void output(ValueId v, const std::string& name);
  ValueId constant(const std::string& name, Tensor t);
  // Generic node with one output; shapes are inferred immediately.
  ValueId op(const std::string& op_type, const std::vector<ValueId>& inputs,
             std::map<std::string, Attribute> attrs = {}, const std::string& name = "");

  // Layers with initialised parameters (He-uniform weights, zero bias).
  ValueId conv(ValueId x, int64_t cout, int64_t k, int64_t stride, int64_t pad, int64_t group, bool bias,
               const std::string& name);
  ValueId batchnorm(ValueId x, const std::string& name);
  ValueId gemm(ValueId x, int64_t out_features, const std::string& name);  // x [B, in]
  ValueId relu(ValueId x) { return op("Relu", {x}); }
  ValueId relu6(ValueId x);
  ValueId hardswish(ValueId x) { return op("HardSwish", {x}); }
  ValueId maxpool(ValueId x, int64_t k, int64_t stride);
  ValueId avgpool(ValueId x, int64_t k, int64_t stride);
  ValueId global_avgpool(ValueId x) { return op("GlobalAveragePool", {x}); }
  ValueId flatten(ValueId x) { return op("Flatten", {x}, {{"axis", int64_t{1}}}); }
  ValueId add(ValueId a, ValueId b) { return op("Add", {a, b}); }
  // (x - mean) / std per channel, as Sub and Div nodes inside the graph.
  ValueId normalize(ValueId x, const std::vector<float>& mean, const std::vector<float>& stdev);

  const Value& value(ValueId v) const { return g_.value(v); }
  Graph finish();

 private:
  std::string fresh(const std::string& base);
  Graph g_;
  Rng rng_;
  int counter_ = 0;
};

}  // namespace etch::ir
