#include "etch/eval/model_corpus.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "etch/core/error.h"
#include "etch/eval/sha256.h"

namespace etch::eval {
namespace {

const std::set<std::string> kFormats = {"onnx", "tflite"};
const std::set<std::string> kTasks = {"classifier",       "detector",       "segmentation",    "line-detector", "vad",
                                      "keyword-spotting", "audio-frontend", "audio-embedding", "face-embedding"};
const std::set<std::string> kKinds = {"image", "audio", "tensor", "state", "constant"};

std::string joined(const std::set<std::string>& s) { return fmt::format("{}", fmt::join(s, ", ")); }

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Reads one table's fields; every failure names the file, the model, the field and its line.
class Reader {
 public:
  Reader(const std::string& label, const toml::table& t, std::string where)
      : label_(label), t_(t), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what, const toml::node* n = nullptr) const {
    const toml::source_region& at = n ? n->source() : t_.source();
    ETCH_FAIL(InvalidInput) << fmt::format("model manifest '{}', line {}: {}field '{}' {}", label_, at.begin.line,
                                           where_, field, what);
  }

  std::string str(const std::string& key, bool required = true) const {
    const toml::node* n = t_.get(key);
    if (!n) {
      if (required) fail(key, "is missing");
      return "";
    }
    if (!n->is_string()) fail(key, "must be a string", n);
    std::string v = **n->as_string();
    if (v.empty()) fail(key, "must not be empty", n);
    return v;
  }

  std::string one_of(const std::string& key, const std::set<std::string>& allowed, bool required = true) const {
    std::string v = str(key, required);
    if (!v.empty() && !allowed.count(v))
      fail(key, fmt::format("is '{}'; expected one of {}", v, joined(allowed)), t_.get(key));
    return v;
  }

  double num(const std::string& key, double fallback) const {
    const toml::node* n = t_.get(key);
    if (!n) return fallback;
    if (auto i = n->as_integer()) return static_cast<double>(**i);
    if (auto f = n->as_floating_point()) return **f;
    fail(key, "must be a number", n);
  }

  int64_t integer(const std::string& key, int64_t fallback, int64_t min) const {
    const toml::node* n = t_.get(key);
    if (!n) return fallback;
    if (!n->is_integer()) fail(key, "must be an integer", n);
    const int64_t v = **n->as_integer();
    if (v < min) fail(key, fmt::format("must be at least {}, got {}", min, v), n);
    return v;
  }

  std::vector<int64_t> ints(const std::string& key, bool required, int64_t min) const {
    const toml::node* n = t_.get(key);
    if (!n) {
      if (required) fail(key, "is missing");
      return {};
    }
    const toml::array* a = n->as_array();
    if (!a) fail(key, "must be an array of integers", n);
    std::vector<int64_t> out;
    for (const auto& e : *a) {
      if (!e.is_integer() || *e.as_integer() < min) fail(key, fmt::format("must hold integers >= {}", min), n);
      out.push_back(**e.as_integer());
    }
    return out;
  }

  // A number broadcast to `channels`, or an array of exactly that many numbers.
  std::vector<double> per_channel(const std::string& key, double fallback, size_t channels) const {
    const toml::node* n = t_.get(key);
    if (!n) return std::vector<double>(channels, fallback);
    if (!n->is_array()) return std::vector<double>(channels, num(key, fallback));
    std::vector<double> out;
    for (const auto& e : *n->as_array()) {
      if (auto i = e.as_integer())
        out.push_back(static_cast<double>(**i));
      else if (auto f = e.as_floating_point())
        out.push_back(**f);
      else
        fail(key, "must hold numbers", n);
    }
    if (out.size() != channels)
      fail(key, fmt::format("has {} values; expected {} (one per channel)", out.size(), channels), n);
    return out;
  }

 private:
  const std::string& label_;
  const toml::table& t_;
  std::string where_;
};

CorpusInput read_input(const std::string& label, const toml::table& t, const std::string& model, size_t index) {
  const Reader r(label, t, fmt::format("model '{}', input #{}: ", model, index));
  CorpusInput in;
  in.name = r.str("name");
  in.dtype = r.one_of("dtype", {"f32", "i64"});
  in.shape = r.ints("shape", true, 1);
  in.kind = r.one_of("kind", kKinds);
  if (in.kind == "image") {
    in.layout = r.one_of("layout", {"nchw", "nhwc"});
    in.channel_order = r.one_of("channel_order", {"rgb", "bgr", "rgba"});
    in.size = r.ints("size", true, 1);
    if (in.size.size() != 2) r.fail("size", "must be [height, width]", t.get("size"));
    if (in.shape.size() != 4) r.fail("shape", "of an image input must have 4 dimensions", t.get("shape"));
    const size_t c = static_cast<size_t>(in.layout == "nhwc" ? in.shape[3] : in.shape[1]);
    const size_t want = in.channel_order == "rgba" ? 4 : 3;
    if (c != want)
      r.fail("shape", fmt::format("has {} channels; channel_order '{}' needs {}", c, in.channel_order, want),
             t.get("shape"));
    in.alpha = r.num("alpha", 1.0);
    in.scale = r.num("scale", 1.0);
    in.mean = r.per_channel("mean", 0.0, c);
    in.std = r.per_channel("std", 1.0, c);
    for (double s : in.std)
      if (s == 0) r.fail("std", "must not be 0", t.get("std"));
  } else if (in.kind == "audio") {
    in.sample_rate = r.integer("sample_rate", 0, 1);
    if (!in.sample_rate) r.fail("sample_rate", "is missing (an audio input needs it)");
  } else if (in.kind == "tensor") {
    in.source = r.str("source", false);
    in.scale = r.num("scale", 1.0);
    in.mean = {r.num("mean", 0.0)};
  } else if (in.kind == "constant") {
    if (!t.get("value")) r.fail("value", "is missing (a constant input needs it)");
    in.value = r.num("value", 0.0);
  }
  return in;
}

CorpusModel read_model(const std::string& label, const toml::table& t, size_t index) {
  const Reader first(label, t, fmt::format("model #{}: ", index));
  CorpusModel m;
  m.name = first.str("name");
  const Reader r(label, t, fmt::format("model '{}': ", m.name));
  m.format = r.one_of("format", kFormats);
  m.task = r.one_of("task", kTasks);
  m.description = r.str("description", false);
  m.package = r.str("package");
  m.version = r.str("version");
  m.tarball_sha256 = r.str("tarball_sha256");
  if (!is_hex64(m.tarball_sha256)) r.fail("tarball_sha256", "must be 64 lowercase hex digits", t.get("tarball_sha256"));
  m.path = r.str("path");
  if (m.path.find("..") != std::string::npos || m.path.front() == '/')
    r.fail("path", "must be a relative path inside the package", t.get("path"));
  m.packed = r.str("packed", false);
  if (!m.packed.empty()) {
    if (m.packed.find("..") != std::string::npos || m.packed.front() == '/')
      r.fail("packed", "must be a relative path inside the package", t.get("packed"));
    const std::vector<int64_t> range = r.ints("packed_range", true, 0);
    if (range.size() != 2 || range[0] >= range[1])
      r.fail("packed_range", "must be [begin, end) byte offsets with begin < end", t.get("packed_range"));
    m.packed_begin = range[0];
    m.packed_end = range[1];
  } else if (t.get("packed_range")) {
    r.fail("packed_range", "needs 'packed' (the archive the range is in)", t.get("packed_range"));
  }
  m.sha256 = r.str("sha256");
  if (!is_hex64(m.sha256)) r.fail("sha256", "must be 64 lowercase hex digits", t.get("sha256"));
  m.license = r.str("license");
  m.license_file = r.str("license_file", false);
  m.opset = r.integer("opset", 0, 1);
  // An opset on a .tflite entry would be a copy-paste slip from an ONNX one.
  if (m.format == "tflite" && t.get("opset"))
    r.fail("opset", "is an ONNX field; a tflite model has none", t.get("opset"));
  const toml::node* inputs = t.get("input");
  if (!inputs) r.fail("input", "is missing: list each graph input as [[model.input]]");
  const toml::array* a = inputs->as_array();
  if (!a || a->empty()) r.fail("input", "must be one or more [[model.input]] tables", inputs);
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::table* it = (*a)[i].as_table();
    if (!it) r.fail("input", "must be one or more [[model.input]] tables", inputs);
    m.inputs.push_back(read_input(label, *it, m.name, i + 1));
  }
  return m;
}

}  // namespace

const CorpusModel& Corpus::find(const std::string& name) const {
  std::vector<std::string> known;
  for (const auto& m : models) {
    if (m.name == name) return m;
    known.push_back(m.name);
  }
  ETCH_FAIL(InvalidInput) << fmt::format("unknown model '{}' (manifest '{}' lists: {})", name, manifest_path,
                                         fmt::join(known, ", "));
}

Corpus corpus_from_toml_string(const std::string& text, const std::string& label) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(label));
  } catch (const toml::parse_error& e) {
    ETCH_FAIL(InvalidInput) << fmt::format("model manifest '{}', line {}: not valid TOML: {}", label,
                                           e.source().begin.line, e.description());
  }
  const Reader top(label, root, "");
  if (top.integer("version", 0, 0) != 1) top.fail("version", "must be 1 (the manifest format this etch reads)");
  const toml::node* models = root.get("model");
  if (!models || !models->is_array_of_tables() || models->as_array()->empty())
    top.fail("model", "is missing: list each model as a [[model]] table");
  Corpus c;
  c.manifest_path = label;
  std::set<std::string> names;
  for (size_t i = 0; i < models->as_array()->size(); ++i) {
    const toml::table& t = *(*models->as_array())[i].as_table();
    CorpusModel m = read_model(label, t, i + 1);
    if (!names.insert(m.name).second)
      Reader(label, t, "").fail("name", fmt::format("'{}' is used by two models", m.name), t.get("name"));
    c.models.push_back(std::move(m));
  }
  return c;
}

Corpus load_corpus(const std::string& manifest_path) {
  std::ifstream in(manifest_path, std::ios::binary);
  ETCH_REQUIRE(in.good(), InvalidInput) << fmt::format(
      "cannot read model manifest '{}' (set ETCH_MODEL_MANIFEST or pass --manifest)", manifest_path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return corpus_from_toml_string(ss.str(), manifest_path);
}

std::string default_manifest_path() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("ETCH_MODEL_MANIFEST"); env && *env) return env;
  const fs::path here = "models/manifest.toml";
  if (fs::is_regular_file(here)) return here.string();
  // build/etch of a source tree: the manifest sits one folder up.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
      if (fs::is_regular_file(dir / here)) return (dir / here).string();
  }
  return here.string();
}

std::string model_cache_dir() {
  if (const char* env = std::getenv("ETCH_MODEL_CACHE"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/etch/models";
}

std::string cached_model_path(const CorpusModel& m, const std::string& cache_dir) {
  return cache_dir + "/" + m.package + "@" + m.version + "/" + m.path;
}

const char* cache_state_name(CacheState s) {
  switch (s) {
    case CacheState::Missing:
      return "missing";
    case CacheState::Mismatch:
      return "sha256 mismatch";
    case CacheState::Verified:
      return "verified";
  }
  return "?";
}

CacheState check_cached_model(const CorpusModel& m, const std::string& cache_dir, std::string* actual_sha256) {
  std::ifstream in(cached_model_path(m, cache_dir), std::ios::binary);
  if (!in.good()) return CacheState::Missing;
  Sha256 h;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  const std::string got = h.hex();
  if (actual_sha256) *actual_sha256 = got;
  return got == m.sha256 ? CacheState::Verified : CacheState::Mismatch;
}

}  // namespace etch::eval
