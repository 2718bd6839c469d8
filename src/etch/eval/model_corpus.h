// The real-model corpus: models/manifest.toml read into typed records, and where
// scripts/fetch_models.sh puts each file. The manifest's field reference is the
// comment at the top of the file itself and docs/models.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace etch::eval {

struct CorpusInput {
  std::string name;
  std::string dtype;           // "f32" or "i64"
  std::vector<int64_t> shape;  // symbolic dimensions resolved
  std::string kind;            // image | audio | tensor | state | constant
  // image
  std::string layout;         // nchw | nhwc
  std::string channel_order;  // rgb | bgr | rgba
  std::vector<int64_t> size;  // [height, width]
  double alpha = 0;           // raw value of an rgba input's 4th channel
  // image and tensor: value = (raw * scale - mean[c]) / std[c]
  double scale = 1;
  std::vector<double> mean;
  std::vector<double> std;
  int64_t sample_rate = 0;  // audio, Hz
  std::string source;       // tensor: the corpus model that produces it
  double value = 0;         // constant
};

struct CorpusModel {
  std::string name;
  std::string format;  // onnx | tflite
  std::string task;
  std::string description;
  std::string package;
  std::string version;
  std::string tarball_sha256;
  std::string path;  // inside the package tarball, or inside `packed` when that is set
  // A file shipped inside an Emscripten file-packager archive (MediaPipe's
  // *_packed_assets.data): the archive's path in the tarball and the file's
  // byte range [packed_begin, packed_end) in it, as the package's loader script
  // lists them. Empty when the file is a plain tarball member.
  std::string packed;
  int64_t packed_begin = 0, packed_end = 0;
  std::string sha256;
  std::string license;
  std::string license_file;  // inside the tarball; empty when it ships none
  int64_t opset = 0;         // ONNX default-domain opset; 0 for tflite (no opset)
  std::vector<CorpusInput> inputs;
};

struct Corpus {
  std::string manifest_path;
  std::vector<CorpusModel> models;
  // Throws InvalidInput listing the known names when `name` is not one of them.
  const CorpusModel& find(const std::string& name) const;
};

// Throws InvalidInput naming the file, the model and the field (with its line)
// when the manifest is missing, not TOML, or a field is absent or of the wrong kind.
Corpus load_corpus(const std::string& manifest_path);
Corpus corpus_from_toml_string(const std::string& text, const std::string& label);

// ETCH_MODEL_MANIFEST, else models/manifest.toml of the source tree etch was built from.
std::string default_manifest_path();
// ETCH_MODEL_CACHE, else $HOME/.cache/etch/models (as scripts/fetch_models.sh).
std::string model_cache_dir();
// <cache>/<package>@<version>/<path>
std::string cached_model_path(const CorpusModel& m, const std::string& cache_dir);

enum class CacheState { Missing, Mismatch, Verified };
const char* cache_state_name(CacheState s);
// Reads the whole file to hash it; `actual_sha256` receives the hash when present.
CacheState check_cached_model(const CorpusModel& m, const std::string& cache_dir, std::string* actual_sha256 = nullptr);

}  // namespace etch::eval
