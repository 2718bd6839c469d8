#include "etch/data/dataset.h"

#include <cstring>
#include <sstream>

#include "etch/data/fashion_mnist.h"
#include "etch/data/image_folder.h"
#include "etch/data/npy.h"

namespace etch::data {
namespace {

constexpr const char* kAcceptedForms =
    "accepted forms: fashion-mnist, fashion-mnist:train, fashion-mnist:test, fashion-mnist:<train|test>:<N> "
    "(first N images), npz:<file.npz> (arrays \"x\" [N,C,H,W] or [N,H,W] and \"y\" [N]), images:<folder> "
    "(one sub-folder of PNG files per class)";

std::vector<std::string> split_colons(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(':', start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

int64_t parse_count(const std::string& text, const std::string& spec) {
  bool ok = !text.empty() && text.size() <= 18;
  for (char ch : text) ok = ok && ch >= '0' && ch <= '9';
  ETCH_REQUIRE(ok, InvalidInput) << "data set '" << spec << "': '" << text
                                 << "' is not a number of images (expected a positive integer, e.g. "
                                    "fashion-mnist:test:1000)";
  const int64_t n = std::stoll(text);
  ETCH_REQUIRE(n >= 1, InvalidInput) << "data set '" << spec << "': the number of images must be at least 1, got " << n;
  return n;
}

Dataset load_fashion_mnist_spec(const std::string& spec) {
  const std::vector<std::string> parts = split_colons(spec);
  ETCH_REQUIRE(parts.size() <= 3, InvalidInput) << "unknown data set '" << spec << "'; " << kAcceptedForms;
  const std::string split = parts.size() >= 2 ? parts[1] : "train";
  ETCH_REQUIRE(split == "train" || split == "test", InvalidInput)
      << "data set '" << spec << "': unknown Fashion-MNIST split '" << split << "' (expected train or test)";
  const int64_t limit = parts.size() == 3 ? parse_count(parts[2], spec) : -1;
  return load_fashion_mnist(split, limit, spec);
}

Dataset load_npz_dataset(const std::string& path, const std::string& spec) {
  ETCH_REQUIRE(!path.empty(), InvalidInput) << "data set '" << spec << "': missing file name after 'npz:'";
  std::map<std::string, Tensor> arrays = read_npz(path);
  for (const char* key : {"x", "y"}) {
    if (arrays.count(key)) continue;
    std::ostringstream have;
    for (const auto& [k, v] : arrays) have << (have.tellp() > 0 ? ", " : "") << k;
    ETCH_FAIL(InvalidInput) << path << ": no array \"" << key << "\" (has: " << (have.tellp() > 0 ? have.str() : "none")
                            << "); expected \"x\" images [N,C,H,W] or [N,H,W] and \"y\" labels [N]";
  }
  const Tensor& x = arrays["x"];
  const Tensor& y = arrays["y"];
  ETCH_REQUIRE(x.dtype() == DType::F32 || x.dtype() == DType::U8, InvalidInput)
      << path << ": array \"x\" is " << dtype_name(x.dtype()) << "; expected f32 (in [0, 1]) or u8 (scaled by 1/255)";
  ETCH_REQUIRE(x.rank() == 3 || x.rank() == 4, InvalidInput)
      << path << ": array \"x\" has shape " << shape_str(x.shape()) << "; expected [N,C,H,W] or [N,H,W]";
  ETCH_REQUIRE(dtype_is_integer(y.dtype()) && y.dtype() != DType::I4, InvalidInput)
      << path << ": array \"y\" is " << dtype_name(y.dtype()) << "; expected integer class labels";
  ETCH_REQUIRE(y.rank() == 1 && y.dim(0) == x.dim(0), InvalidInput)
      << path << ": array \"y\" has shape " << shape_str(y.shape()) << "; expected [" << x.dim(0) << "] to match \"x\" "
      << shape_str(x.shape());

  Dataset d;
  d.name = spec;
  const int64_t n = x.dim(0);
  const Shape shape = x.rank() == 4 ? x.shape() : Shape{n, 1, x.dim(1), x.dim(2)};
  if (x.dtype() == DType::F32) {
    d.images = x.reshaped(shape);  // read_npz gave us the only reference
  } else {
    d.images = Tensor(DType::F32, shape);
    const uint8_t* src = x.data<uint8_t>();
    float* dst = d.images.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  }
  const std::vector<int64_t> labels = y.to_int64_vector();
  int64_t declared = -1;
  if (arrays.count("num_classes")) {
    const Tensor& k = arrays["num_classes"];
    ETCH_REQUIRE(k.numel() == 1 && dtype_is_integer(k.dtype()) && k.get_as_double(0) >= 1, InvalidInput)
        << path << ": optional array \"num_classes\" must be one positive integer";
    declared = static_cast<int64_t>(k.get_as_double(0));
  }
  int64_t max_label = -1;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = labels[static_cast<size_t>(i)];
    ETCH_REQUIRE(v >= 0 && (declared < 0 || v < declared), InvalidInput)
        << "data set '" << spec << "': label " << v << " at index " << i << " is out of range [0, "
        << (declared < 0 ? std::string("inf") : std::to_string(declared)) << ")";
    max_label = std::max(max_label, v);
  }
  d.labels = Tensor::from_vector<int64_t>({n}, labels);
  d.num_classes = declared >= 0 ? declared : max_label + 1;
  for (int64_t k = 0; k < d.num_classes; ++k) d.class_names.push_back(std::to_string(k));
  return d;
}

}  // namespace

Dataset load_dataset(const std::string& spec) {
  if (spec == "fashion-mnist" || spec.rfind("fashion-mnist:", 0) == 0) return load_fashion_mnist_spec(spec);
  if (spec.rfind("npz:", 0) == 0) return load_npz_dataset(spec.substr(4), spec);
  if (spec.rfind("images:", 0) == 0) {
    const std::string dir = spec.substr(7);
    ETCH_REQUIRE(!dir.empty(), InvalidInput) << "data set '" << spec << "': missing folder after 'images:'";
    return load_image_folder(dir, spec);
  }
  ETCH_FAIL(InvalidInput) << "unknown data set '" << spec << "'; " << kAcceptedForms;
}

Tensor slice_images(const Dataset& d, int64_t begin, int64_t end) {
  ETCH_CHECK(0 <= begin && begin <= end && end <= d.size()) << "slice [" << begin << ", " << end << ") of " << d.size();
  Shape shape = d.images.shape();
  shape[0] = end - begin;
  Tensor t(DType::F32, shape);
  const int64_t item = d.size() ? d.images.numel() / d.size() : 0;
  if (t.numel())
    std::memcpy(t.raw(), d.images.data<float>() + begin * item, static_cast<size_t>(t.numel()) * sizeof(float));
  return t;
}

Tensor slice_labels(const Dataset& d, int64_t begin, int64_t end) {
  ETCH_CHECK(0 <= begin && begin <= end && end <= d.size()) << "slice [" << begin << ", " << end << ") of " << d.size();
  Tensor t(DType::I64, {end - begin});
  if (t.numel())
    std::memcpy(t.raw(), d.labels.data<int64_t>() + begin, static_cast<size_t>(t.numel()) * sizeof(int64_t));
  return t;
}

}  // namespace etch::data
