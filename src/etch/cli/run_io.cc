#include "etch/cli/run_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "etch/core/atomic_file.h"
#include "etch/core/error.h"
#include "etch/data/npy.h"
#include "etch/runtime/feed_check.h"

namespace etch::cli {
namespace {

std::string input_names(const ir::Graph& g) {
  std::string s;
  for (ir::ValueId v : g.inputs) s += (s.empty() ? "'" : ", '") + g.value(v).name + "'";
  return s.empty() ? "(none)" : s;
}

}  // namespace

std::map<std::string, Tensor> load_run_inputs(const ir::Graph& g, const std::vector<std::string>& specs) {
  std::map<std::string, const ir::Value*> by_name;
  for (ir::ValueId v : g.inputs) by_name[g.value(v).name] = &g.value(v);
  std::map<std::string, Tensor> out;
  for (const std::string& spec : specs) {
    std::string name, file;
    const size_t eq = spec.find('=');
    if (eq != std::string::npos && by_name.count(spec.substr(0, eq))) {
      name = spec.substr(0, eq);
      file = spec.substr(eq + 1);
    } else if (g.inputs.size() == 1) {
      // A bare file name; one containing '=' is accepted if such a file exists.
      ETCH_REQUIRE(eq == std::string::npos || std::filesystem::exists(spec), InvalidInput)
          << "--input '" << spec << "': the model has no input named '" << spec.substr(0, eq) << "'; its input is "
          << input_names(g);
      name = g.value(g.inputs[0]).name;
      file = spec;
    } else if (eq != std::string::npos) {
      ETCH_FAIL(InvalidInput) << "--input '" << spec << "': the model has no input named '" << spec.substr(0, eq)
                              << "'; its inputs are " << input_names(g);
    } else {
      ETCH_FAIL(InvalidInput) << "--input '" << spec << "': the model has " << g.inputs.size()
                              << " inputs, so give NAME=FILE.npy for each of " << input_names(g);
    }
    ETCH_REQUIRE(!out.count(name), InvalidInput) << "model input '" << name << "' is given twice";
    Tensor t = data::read_npy(file);
    runtime::check_feed(file, t, *by_name.at(name));
    out[name] = std::move(t);
  }
  std::string missing;
  for (ir::ValueId v : g.inputs)
    if (!out.count(g.value(v).name)) missing += (missing.empty() ? "'" : ", '") + g.value(v).name + "'";
  ETCH_REQUIRE(missing.empty(), InvalidInput) << "no --input given for model input(s) " << missing;
  return out;
}

std::string output_file_name(const std::string& value_name) {
  std::string s = value_name;
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  if (s.empty() || s == "." || s == "..") s = "output" + s;
  return s + ".npy";
}

std::vector<std::string> write_outputs_atomically(const std::string& dir,
                                                  const std::vector<std::pair<std::string, Tensor>>& outputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  ETCH_REQUIRE(fs::is_directory(dir), InvalidInput)
      << dir << ": cannot create output folder" << (ec ? " (" + ec.message() + ")" : "");
  std::vector<std::unique_ptr<AtomicFile>> files;
  std::vector<std::string> paths;
  std::set<std::string> used;
  for (const auto& [name, t] : outputs) {
    std::string file = output_file_name(name);
    for (int k = 2; used.count(file); ++k) file = output_file_name(name + "_" + std::to_string(k));
    used.insert(file);
    paths.push_back((fs::path(dir) / file).string());
    files.push_back(std::make_unique<AtomicFile>(paths.back()));
    files.back()->write(data::serialize_npy(t));
  }
  for (auto& f : files) f->commit();
  return paths;
}

TensorStats tensor_stats(const Tensor& t) {
  TensorStats s;
  if (t.numel() == 0) return s;
  s.min = s.max = t.get_as_double(0);
  double sum = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double v = t.get_as_double(i);
    s.min = std::min(s.min, v), s.max = std::max(s.max, v);
    sum += v;
  }
  s.mean = sum / static_cast<double>(t.numel());
  return s;
}

Tensor slice_rows(const Tensor& t, int64_t begin, int64_t end) {
  ETCH_CHECK(t.rank() >= 1 && begin >= 0 && end <= t.dim(0) && begin <= end && t.dtype() != DType::I4)
      << "slice_rows " << shape_str(t.shape()) << " [" << begin << ", " << end << ")";
  Shape s = t.shape();
  s[0] = end - begin;
  Tensor out(t.dtype(), s);
  const size_t row = t.dim(0) ? t.nbytes() / static_cast<size_t>(t.dim(0)) : 0;
  if (out.nbytes()) std::memcpy(out.raw(), t.raw() + row * begin, row * (end - begin));
  return out;
}

Tensor concat_rows(const std::vector<Tensor>& parts) {
  ETCH_CHECK(!parts.empty()) << "concat_rows of nothing";
  Shape s = parts[0].shape();
  ETCH_CHECK(!s.empty()) << "concat_rows of a scalar";
  s[0] = 0;
  for (const Tensor& p : parts) s[0] += p.dim(0);
  Tensor out(parts[0].dtype(), s);
  size_t at = 0;
  for (const Tensor& p : parts) {
    ETCH_CHECK(p.dtype() == out.dtype() && p.rank() == out.rank()) << "concat_rows of mismatched tensors";
    if (p.nbytes()) std::memcpy(out.raw() + at, p.raw(), p.nbytes());
    at += p.nbytes();
  }
  return out;
}

void classify_rows(const std::string& model, const std::string& output_name, const Tensor& out, int64_t begin,
                   int64_t end, std::vector<int64_t>& predicted, std::vector<float>& confidence) {
  const int64_t rows = end - begin;
  ETCH_REQUIRE(out.dtype() == DType::F32 && out.rank() >= 2 && out.dim(0) >= rows && out.numel() > 0, InvalidInput)
      << model << ": output '" << output_name << "' has shape " << shape_str(out.shape()) << " ("
      << dtype_name(out.dtype()) << "); --data needs f32 [batch, classes] scores";
  const int64_t classes = out.numel() / out.dim(0);
  const float* p = out.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p + r * classes;
    const int64_t best = std::max_element(row, row + classes) - row;
    // Rows that already are a distribution (model ends in Softmax) are not squashed again.
    double sum = 0;
    bool nonneg = true;
    for (int64_t c = 0; c < classes; ++c) sum += row[c], nonneg = nonneg && row[c] >= 0;
    float conf;
    if (nonneg && std::abs(sum - 1.0) < 1e-3) {
      conf = row[best];
    } else {
      double z = 0;
      for (int64_t c = 0; c < classes; ++c) z += std::exp(static_cast<double>(row[c]) - row[best]);
      conf = static_cast<float>(1.0 / z);
    }
    predicted[begin + r] = best;
    confidence[begin + r] = conf;
  }
}

}  // namespace etch::cli
