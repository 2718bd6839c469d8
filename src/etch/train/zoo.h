// Built-in architectures by name. Every model takes NCHW float32 pixels in
// [0, 1] and carries its normalisation as nodes, so the exported ONNX file alone
// is enough to run it anywhere.
#pragma once
#include <string>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::train {

struct ZooSpec {
  int64_t channels = 1, height = 28, width = 28, classes = 10;
  std::vector<float> mean = {0.2860f}, stdev = {0.3530f};  // Fashion-MNIST
};

std::vector<std::string> zoo_names();  // mlp, lenet5, cnn, resnet8, mobilenet-tiny
// Throws InvalidInput listing the known names when `name` is not one.
ir::Graph build_zoo_model(const std::string& name, const ZooSpec& spec = {}, uint64_t seed = 1);

}  // namespace etch::train
