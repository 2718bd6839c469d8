#include "etch/ir/ops/onnx_dtype.h"

namespace etch::ir {
namespace {

const char* onnx_type_name(int64_t t) {
  static const char* names[] = {"UNDEFINED", "FLOAT",  "UINT8",     "INT8",       "UINT16",  "INT16",
                                "INT32",     "INT64",  "STRING",    "BOOL",       "FLOAT16", "DOUBLE",
                                "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  return t >= 0 && t <= 16 ? names[t] : "unknown";
}

}  // namespace

DType dtype_attr(const InferContext& c, const char* name) {
  const int64_t t = c.node().attr_int(name, 0);
  switch (t) {
    case 1:
      return DType::F32;
    case 2:
      return DType::U8;
    case 3:
      return DType::I8;
    case 6:
      return DType::I32;
    case 7:
      return DType::I64;
    case 9:
      return DType::Bool;
    default:
      ETCH_FAIL(Unsupported) << c.node().describe() << ": " << name << " = " << onnx_type_name(t) << " (" << t
                             << ") is not supported; etch has float32, uint8, int8, int32, int64 and bool";
  }
}

}  // namespace etch::ir
