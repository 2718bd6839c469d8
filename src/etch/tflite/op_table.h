// Op converters by TFLite builtin code (and custom name). Each family file
// (ops_conv.cc, ops_pool.cc, ...) registers its ops in one function, so adding
// an op is one entry in one file.
#pragma once
#include <map>
#include <string>

namespace etch::tflite {

class Converter;
using OpConverter = void (*)(Converter&);

struct OpTable {
  std::map<int, OpConverter> builtin;
  std::map<std::string, OpConverter> custom;  // builtin code CUSTOM, by custom name
};

const OpTable& op_table();

void register_conv_ops(OpTable& t);
void register_pool_ops(OpTable& t);
void register_elementwise_ops(OpTable& t);
void register_shape_ops(OpTable& t);
void register_quant_ops(OpTable& t);

// SAME padding as TFLite computes it: {before, after} with the odd pixel at
// the end; VALID: {0, 0}.
std::pair<int64_t, int64_t> same_padding(bool same, int64_t in, int64_t kernel, int64_t stride, int64_t dilation);

}  // namespace etch::tflite
