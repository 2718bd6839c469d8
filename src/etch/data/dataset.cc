#include "etch/data/dataset.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "etch/data/fashion_mnist.h"
#include "etch/data/image_folder.h"
#include "etch/data/npy.h"
#include "etch/data/preprocess.h"
#include "etch/data/wav_folder.h"

namespace etch::data {
namespace {

constexpr const char* kAcceptedForms =
    "accepted forms: fashion-mnist, fashion-mnist:train, fashion-mnist:test, fashion-mnist:<train|test>:<N> "
    "(first N images), npz:<file.npz> (one array per model input, \"x\" for a single input, first axis = "
    "samples; optional labels \"y\" [N]), npy:<file.npy> (the single input), images:<folder>[?<preprocessing>] "
    "(PNG/JPEG files, one sub-folder per class; e.g. images:photos?size=128x128,layout=nhwc,mean=0.5,std=0.5), "
    "wav:<folder>?rate=<Hz>,length=<samples>[,hop=<samples>][,input=<name>][,carry=<output>:<input>]... (WAV files "
    "cut into model-sized windows; carry feeds a streaming model's state along each file)";

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

// An array that feeds a model input: u8 images scale by 1/255 (the long-standing
// "x" convention), f32 and i64 stay as they are.
Tensor input_array(const Tensor& a, const std::string& key, const std::string& path) {
  ETCH_REQUIRE(a.dtype() == DType::F32 || a.dtype() == DType::U8 || a.dtype() == DType::I64, InvalidInput)
      << path << ": array \"" << key << "\" is " << dtype_name(a.dtype())
      << "; expected f32, u8 (images, scaled by 1/255) or i64";
  ETCH_REQUIRE(a.rank() >= 1 && a.dim(0) >= 1, InvalidInput)
      << path << ": array \"" << key << "\" has shape " << shape_str(a.shape())
      << "; expected at least one sample along the first axis";
  if (a.dtype() != DType::U8) return a;
  Tensor f(DType::F32, a.shape());
  const uint8_t* src = a.data<uint8_t>();
  float* dst = f.data<float>();
  for (int64_t i = 0; i < a.numel(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  return f;
}

void read_labels(Dataset& d, const Tensor& y, const Tensor* num_classes, const std::string& path,
                 const std::string& spec) {
  const int64_t n = d.size();
  ETCH_REQUIRE(dtype_is_integer(y.dtype()) && y.dtype() != DType::I4, InvalidInput)
      << path << ": array \"y\" is " << dtype_name(y.dtype()) << "; expected integer class labels";
  ETCH_REQUIRE(y.rank() == 1 && y.dim(0) == n, InvalidInput)
      << path << ": array \"y\" has shape " << shape_str(y.shape()) << "; expected [" << n << "] to match \""
      << d.inputs[0].name << "\" " << shape_str(d.inputs[0].values.shape());
  const std::vector<int64_t> labels = y.to_int64_vector();
  int64_t declared = -1;
  if (num_classes) {
    const Tensor& k = *num_classes;
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
}

// The single f32 input seen as the legacy `images` tensor: rank 3 gains a
// channel axis, as npz "x" [N,H,W] always has.
void set_legacy_images(Dataset& d) {
  if (d.inputs.size() != 1 || d.inputs[0].values.dtype() != DType::F32) return;
  const Tensor& x = d.inputs[0].values;
  d.images = x.rank() == 3 ? x.reshaped({x.dim(0), 1, x.dim(1), x.dim(2)}) : x;
}

Dataset load_npz_dataset(const std::string& path, const std::string& spec) {
  ETCH_REQUIRE(!path.empty(), InvalidInput) << "data set '" << spec << "': missing file name after 'npz:'";
  std::map<std::string, Tensor> arrays = read_npz(path);
  Dataset d;
  d.name = spec;
  // "x" first (the single-input convention), then the others by name.
  if (arrays.count("x")) d.inputs.push_back({"x", input_array(arrays["x"], "x", path)});
  for (const auto& [key, a] : arrays)
    if (key != "x" && key != "y" && key != "num_classes") d.inputs.push_back({key, input_array(a, key, path)});
  ETCH_REQUIRE(!d.inputs.empty(), InvalidInput)
      << path << ": no input arrays (expected one array per model input, named after it, or \"x\" for a single "
      << "input; \"y\" holds optional labels)";
  const NamedArray& first = d.inputs[0];
  for (const NamedArray& a : d.inputs)
    ETCH_REQUIRE(a.values.dim(0) == first.values.dim(0), InvalidInput)
        << path << ": array \"" << a.name << "\" has " << a.values.dim(0) << " samples (shape "
        << shape_str(a.values.shape()) << ") but \"" << first.name << "\" has " << first.values.dim(0)
        << "; every input array must have the same first axis";
  set_legacy_images(d);
  if (arrays.count("y"))
    read_labels(d, arrays["y"], arrays.count("num_classes") ? &arrays["num_classes"] : nullptr, path, spec);
  return d;
}

Dataset load_npy_dataset(const std::string& path, const std::string& spec) {
  ETCH_REQUIRE(!path.empty(), InvalidInput) << "data set '" << spec << "': missing file name after 'npy:'";
  Dataset d;
  d.name = spec;
  d.inputs.push_back({"x", input_array(read_npy(path), "x", path)});
  set_legacy_images(d);
  return d;
}

// "images:DIR?opts" -> (DIR, opts); the options are everything after the first '?'.
std::pair<std::string, std::string> split_options(const std::string& rest) {
  const size_t q = rest.find('?');
  if (q == std::string::npos) return {rest, ""};
  return {rest.substr(0, q), rest.substr(q + 1)};
}

Dataset load_spec(const std::string& spec) {
  if (spec == "fashion-mnist" || spec.rfind("fashion-mnist:", 0) == 0) return load_fashion_mnist_spec(spec);
  if (spec.rfind("npz:", 0) == 0) return load_npz_dataset(spec.substr(4), spec);
  if (spec.rfind("npy:", 0) == 0) return load_npy_dataset(spec.substr(4), spec);
  if (spec.rfind("images:", 0) == 0) {
    const auto [dir, options] = split_options(spec.substr(7));
    ETCH_REQUIRE(!dir.empty(), InvalidInput) << "data set '" << spec << "': missing folder after 'images:'";
    if (spec.find('?') == std::string::npos) return load_image_folder(dir, spec);
    return load_image_folder(dir, spec, parse_preprocess(options, "data set '" + spec + "'"));
  }
  if (spec.rfind("wav:", 0) == 0) {
    const auto [dir, options] = split_options(spec.substr(4));
    ETCH_REQUIRE(!dir.empty(), InvalidInput) << "data set '" << spec << "': missing folder after 'wav:'";
    return load_wav_folder(dir, spec, parse_wav_options(options, "data set '" + spec + "'"));
  }
  throw Error(ErrorKind::InvalidInput, "unknown data set '" + spec + "'; " + kAcceptedForms);
}

}  // namespace

Dataset load_dataset(const std::string& spec) {
  Dataset d = load_spec(spec);
  if (d.inputs.empty() && d.images.defined()) d.inputs.push_back({"x", d.images});
  return d;
}

int64_t Dataset::size() const {
  if (images.defined()) return images.dim(0);
  return inputs.empty() ? 0 : inputs[0].values.dim(0);
}

const NamedArray* Dataset::input(const std::string& input_name) const {
  for (const NamedArray& a : inputs)
    if (a.name == input_name) return &a;
  return nullptr;
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

Tensor slice_rows(const Tensor& t, int64_t begin, int64_t end) {
  ETCH_CHECK(t.defined() && t.rank() >= 1 && 0 <= begin && begin <= end && end <= t.dim(0))
      << "slice [" << begin << ", " << end << ") of " << (t.defined() ? shape_str(t.shape()) : "nothing");
  Shape shape = t.shape();
  shape[0] = end - begin;
  Tensor out(t.dtype(), shape);
  const size_t row = t.dim(0) ? t.nbytes() / static_cast<size_t>(t.dim(0)) : 0;
  if (out.numel())
    std::memcpy(out.raw(), t.raw() + static_cast<size_t>(begin) * row, static_cast<size_t>(end - begin) * row);
  return out;
}

Tensor slice_labels(const Dataset& d, int64_t begin, int64_t end) {
  if (!d.labels.defined()) return Tensor();
  ETCH_CHECK(0 <= begin && begin <= end && end <= d.size()) << "slice [" << begin << ", " << end << ") of " << d.size();
  Tensor t(DType::I64, {end - begin});
  if (t.numel())
    std::memcpy(t.raw(), d.labels.data<int64_t>() + begin, static_cast<size_t>(t.numel()) * sizeof(int64_t));
  return t;
}

std::map<std::string, Tensor> named_arrays(const Dataset& d) {
  std::map<std::string, Tensor> out;
  for (const NamedArray& a : d.inputs) out[a.name] = a.values;
  if (out.empty() && d.images.defined()) out["x"] = d.images;
  return out;
}

}  // namespace etch::data
