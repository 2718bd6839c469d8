#include "etch/train/zoo.h"

#include "etch/ir/builder.h"

namespace etch::train {

namespace {
using ir::GraphBuilder;
using ir::ValueId;

ValueId conv_bn_act(GraphBuilder& b, ValueId x, int64_t cout, int64_t k, int64_t stride, int64_t group,
                    const std::string& name, bool relu6 = false) {
  x = b.conv(x, cout, k, stride, k / 2, group, false, name);
  x = b.batchnorm(x, name + "_bn");
  return relu6 ? b.relu6(x) : b.relu(x);
}

ValueId mlp(GraphBuilder& b, ValueId x, const ZooSpec& s) {
  x = b.flatten(x);
  x = b.relu(b.gemm(x, 256, "fc1"));
  x = b.relu(b.gemm(x, 128, "fc2"));
  return b.gemm(x, s.classes, "fc3");
}

ValueId lenet5(GraphBuilder& b, ValueId x, const ZooSpec& s) {
  x = b.maxpool(b.relu(b.conv(x, 6, 5, 1, 2, 1, true, "conv1")), 2, 2);
  x = b.maxpool(b.relu(b.conv(x, 16, 5, 1, 0, 1, true, "conv2")), 2, 2);
  x = b.flatten(x);
  x = b.relu(b.gemm(x, 120, "fc1"));
  x = b.relu(b.gemm(x, 84, "fc2"));
  return b.gemm(x, s.classes, "fc3");
}

// Same shape as the PyTorch fixture (scripts/make_fixtures.py).
ValueId cnn(GraphBuilder& b, ValueId x, const ZooSpec& s) {
  x = b.maxpool(conv_bn_act(b, x, 16, 3, 1, 1, "conv1"), 2, 2);
  x = b.maxpool(conv_bn_act(b, x, 32, 3, 1, 1, "conv2"), 2, 2);
  return b.gemm(b.flatten(x), s.classes, "fc");
}

ValueId basic_block(GraphBuilder& b, ValueId x, int64_t cout, int64_t stride, const std::string& name) {
  const int64_t cin = b.value(x).shape.at(1);
  ValueId y = conv_bn_act(b, x, cout, 3, stride, 1, name + "_conv1");
  y = b.batchnorm(b.conv(y, cout, 3, 1, 1, 1, false, name + "_conv2"), name + "_conv2_bn");
  ValueId shortcut = x;
  if (stride != 1 || cin != cout)
    shortcut = b.batchnorm(b.conv(x, cout, 1, stride, 0, 1, false, name + "_proj"), name + "_proj_bn");
  return b.relu(b.add(y, shortcut));
}

ValueId resnet8(GraphBuilder& b, ValueId x, const ZooSpec& s) {
  x = conv_bn_act(b, x, 16, 3, 1, 1, "stem");
  x = basic_block(b, x, 16, 1, "block1");
  x = basic_block(b, x, 32, 2, "block2");
  x = basic_block(b, x, 64, 2, "block3");
  return b.gemm(b.flatten(b.global_avgpool(x)), s.classes, "fc");
}

ValueId mobilenet_tiny(GraphBuilder& b, ValueId x, const ZooSpec& s) {
  x = conv_bn_act(b, x, 16, 3, 1, 1, "stem", true);
  const struct { int64_t cout, stride; } blocks[] = {{32, 1}, {64, 2}, {96, 2}, {128, 1}};
  int i = 0;
  for (const auto& blk : blocks) {
    const std::string name = "block" + std::to_string(++i);
    const int64_t cin = b.value(x).shape.at(1);
    x = conv_bn_act(b, x, cin, 3, blk.stride, cin, name + "_dw", true);
    x = conv_bn_act(b, x, blk.cout, 1, 1, 1, name + "_pw", true);
  }
  return b.gemm(b.flatten(b.global_avgpool(x)), s.classes, "fc");
}
}  // namespace

std::vector<std::string> zoo_names() { return {"mlp", "lenet5", "cnn", "resnet8", "mobilenet-tiny"}; }

ir::Graph build_zoo_model(const std::string& name, const ZooSpec& spec, uint64_t seed) {
  GraphBuilder b(name, seed);
  ValueId x = b.input("input", {-1, spec.channels, spec.height, spec.width});
  x = b.normalize(x, spec.mean, spec.stdev);
  ValueId logits;
  if (name == "mlp")
    logits = mlp(b, x, spec);
  else if (name == "lenet5")
    logits = lenet5(b, x, spec);
  else if (name == "cnn")
    logits = cnn(b, x, spec);
  else if (name == "resnet8")
    logits = resnet8(b, x, spec);
  else if (name == "mobilenet-tiny")
    logits = mobilenet_tiny(b, x, spec);
  else {
    std::string names;
    for (const auto& n : zoo_names()) names += (names.empty() ? "" : ", ") + n;
    ETCH_FAIL(InvalidInput) << "unknown architecture '" << name << "' (known: " << names << ")";
  }
  b.output(logits, "logits");
  return b.finish();
}

}  // namespace etch::train
