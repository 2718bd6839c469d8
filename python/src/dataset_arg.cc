// Data arguments of quantize, train and distill: a data-set spec string, or
// the arrays etch/__init__.py gathers from any iterable of batches.
#include <algorithm>

#include "common.h"
#include "etch/core/error.h"

namespace etch::python {

data::Dataset dataset_arg(const py::object& d, const std::string& what) {
  if (py::isinstance<py::str>(d)) {
    const std::string spec = d.cast<std::string>();
    py::gil_scoped_release nogil;
    return data::load_dataset(spec);
  }
  ETCH_REQUIRE(py::isinstance<py::tuple>(d) && py::len(d) == 2, InvalidInput)
      << what << ": expected a data-set spec string or an iterable of numpy arrays";
  const py::tuple t = d.cast<py::tuple>();
  data::Dataset ds;
  ds.name = what;
  for (auto [k, v] : t[0].cast<py::dict>()) {
    const std::string name = py::str(k);
    Tensor x = from_numpy(v.cast<py::array>(), what + " '" + name + "'");
    if (x.rank() == 3 && x.dtype() == DType::F32) x = x.reshaped({x.dim(0), 1, x.dim(1), x.dim(2)});
    ds.inputs.push_back({name, x});
  }
  ETCH_REQUIRE(!ds.inputs.empty(), InvalidInput) << what << ": no arrays";
  for (const auto& a : ds.inputs)
    ETCH_REQUIRE(a.values.rank() >= 1 && a.values.dim(0) == ds.inputs[0].values.dim(0), InvalidInput)
        << what << ": arrays '" << a.name << "' and '" << ds.inputs[0].name << "' hold different sample counts";
  if (ds.inputs.size() == 1 && ds.inputs[0].values.dtype() == DType::F32) ds.images = ds.inputs[0].values;
  if (!t[1].is_none()) {
    ds.labels = from_numpy(t[1].cast<py::array>(), what + " labels");
    ETCH_REQUIRE(ds.labels.dtype() == DType::I64 && ds.labels.rank() == 1 && ds.labels.dim(0) == ds.size(),
                 InvalidInput)
        << what << ": labels must be int64 [" << ds.size() << "], got " << dtype_name(ds.labels.dtype()) << " "
        << shape_str(ds.labels.shape());
    int64_t most = -1;
    for (int64_t l : ds.labels.to_int64_vector()) most = std::max(most, l);
    ds.num_classes = most + 1;
  }
  return ds;
}

}  // namespace etch::python
