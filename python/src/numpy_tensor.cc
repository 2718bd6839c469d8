// Tensors cross into numpy without a copy (the array keeps a Tensor that
// shares the storage); numpy arrays cross into etch as a copy, in C order.
#include <cstring>

#include "common.h"
#include "etch/core/error.h"

namespace etch::python {
namespace {

py::dtype numpy_dtype(DType t) {
  switch (t) {
    case DType::F32:
      return py::dtype::of<float>();
    case DType::I8:
      return py::dtype::of<int8_t>();
    case DType::U8:
      return py::dtype::of<uint8_t>();
    case DType::I32:
      return py::dtype::of<int32_t>();
    case DType::I64:
      return py::dtype::of<int64_t>();
    case DType::Bool:
      return py::dtype::of<bool>();
    default:
      break;
  }
  ETCH_FAIL(Unsupported) << "tensors of dtype " << dtype_name(t) << " have no numpy equivalent";
}

}  // namespace

py::array to_numpy(const Tensor& t) {
  if (t.dtype() == DType::I4) {  // packed: unpack to int8 values
    Tensor u(DType::I8, t.shape());
    for (int64_t i = 0; i < t.numel(); ++i) u.set_from_double(i, t.get_as_double(i));
    return to_numpy(u);
  }
  auto* keep = new Tensor(t);
  py::capsule owner(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  return py::array(numpy_dtype(t.dtype()), shape, {}, keep->raw(), owner);
}

Tensor from_numpy(const py::array& a, const std::string& what) {
  const py::dtype d = a.dtype();
  const char k = d.kind();
  const py::ssize_t size = d.itemsize();
  DType dt = DType::F32;
  // '>' is big-endian, foreign on x86-64 and ARM64 alike ('=' native, '|' n/a, '<' little).
  bool known = d.byteorder() != '>';
  if (k == 'f' && size == 4)
    dt = DType::F32;
  else if (k == 'i' && size == 1)
    dt = DType::I8;
  else if (k == 'u' && size == 1)
    dt = DType::U8;
  else if (k == 'i' && size == 4)
    dt = DType::I32;
  else if (k == 'i' && size == 8)
    dt = DType::I64;
  else if (k == 'b')
    dt = DType::Bool;
  else
    known = false;
  ETCH_REQUIRE(known, InvalidInput) << what << ": numpy dtype "
                                    << py::str(static_cast<const py::handle&>(d)).cast<std::string>()
                                    << " is not one etch takes (float32, int8, uint8, int32, int64, bool)";
  Shape shape(a.shape(), a.shape() + a.ndim());
  for (int64_t s : shape) ETCH_REQUIRE(s >= 0, InvalidInput) << what << ": negative dimension";
  Tensor t = Tensor::uninitialized(dt, shape);
  const py::array c = py::array::ensure(a, py::array::c_style);
  if (t.numel() > 0) std::memcpy(t.raw(), c.data(), t.nbytes());
  return t;
}

py::object to_python(const nlohmann::json& j) {
  // Never destroyed: a static py::object would be released after the interpreter is gone.
  static const py::object* loads = new py::object(py::module_::import("json").attr("loads"));
  return (*loads)(j.dump());
}

}  // namespace etch::python
