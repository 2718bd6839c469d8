// The corpus manifest reader (good and malformed manifests) and the corpus
// itself: every model models/manifest.toml lists must be in the cache with its
// sha256 (scripts/setup.sh fetched it; a missing file fails, never skips).
#include "etch/eval/model_corpus.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "etch/core/error.h"
#include "etch/eval/sha256.h"

namespace etch::eval {
namespace {

const std::string kGood = R"(version = 1

[[model]]
name = "face"
format = "onnx"
task = "detector"
package = "@scope/pkg"
version = "1.2.3"
tarball_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
path = "package/m.onnx"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
license = "MIT"
opset = 12

[[model.input]]
name = "input:0"
dtype = "f32"
shape = [1, 8, 8, 3]
kind = "image"
layout = "nhwc"
channel_order = "rgb"
size = [8, 8]
scale = 0.5
mean = [1, 2, 3]
std = 2

[[model]]
name = "vad"
format = "onnx"
task = "vad"
package = "vad"
version = "0.1"
tarball_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
path = "package/v.onnx"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"
license = "ISC"

[[model.input]]
name = "input"
dtype = "f32"
shape = [1, 512]
kind = "audio"
sample_rate = 16000

[[model.input]]
name = "sr"
dtype = "i64"
shape = []
kind = "constant"
value = 16000
)";

std::string error_of(const std::string& text) {
  try {
    corpus_from_toml_string(text, "m.toml");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "parsed:\n" << text;
  return "";
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(ModelCorpus, ReadsEveryField) {
  const Corpus c = corpus_from_toml_string(kGood, "m.toml");
  ASSERT_EQ(c.models.size(), 2u);
  const CorpusModel& f = c.find("face");
  EXPECT_EQ(f.package, "@scope/pkg");
  EXPECT_EQ(f.opset, 12);
  ASSERT_EQ(f.inputs.size(), 1u);
  EXPECT_EQ(f.inputs[0].shape, (std::vector<int64_t>{1, 8, 8, 3}));
  EXPECT_EQ(f.inputs[0].layout, "nhwc");
  EXPECT_EQ(f.inputs[0].mean, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(f.inputs[0].std, (std::vector<double>{2, 2, 2}));
  const CorpusModel& v = c.find("vad");
  ASSERT_EQ(v.inputs.size(), 2u);
  EXPECT_EQ(v.inputs[0].sample_rate, 16000);
  EXPECT_TRUE(v.inputs[1].shape.empty());
  EXPECT_EQ(v.inputs[1].value, 16000);
  EXPECT_EQ(cached_model_path(f, "/c"), "/c/@scope/pkg@1.2.3/package/m.onnx");
}

TEST(ModelCorpus, MalformedManifestsNameFileLineModelAndField) {
  EXPECT_NE(error_of("version = [").find("model manifest 'm.toml', line 1: not valid TOML"), std::string::npos);
  EXPECT_NE(error_of("version = 2\n").find("field 'version' must be 1"), std::string::npos);
  EXPECT_NE(error_of("version = 1\n").find("field 'model' is missing"), std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "task = \"detector\"", "task = \"poetry\""))
                .find("line 6: model 'face': field 'task' is 'poetry'; expected one of"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "license = \"MIT\"\n", "")).find("model 'face': field 'license' is missing"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "sha256 = \"1111", "sha256 = \"x111"))
                .find("model 'face': field 'sha256' must be 64 lowercase hex digits"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "path = \"package/m.onnx\"", "path = \"../m.onnx\""))
                .find("field 'path' must be a relative path"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "mean = [1, 2, 3]", "mean = [1, 2]"))
                .find("model 'face', input #1: field 'mean' has 2 values; expected 3"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "sample_rate = 16000\n", ""))
                .find("model 'vad', input #1: field 'sample_rate' is missing"),
            std::string::npos);
  EXPECT_NE(
      error_of(replaced(kGood, "shape = [1, 512]", "shape = [1, -512]")).find("field 'shape' must hold integers >= 1"),
      std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "name = \"vad\"", "name = \"face\"")).find("'face' is used by two models"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "channel_order = \"rgb\"", "channel_order = \"rgba\""))
                .find("has 3 channels; channel_order 'rgba' needs 4"),
            std::string::npos);
}

TEST(ModelCorpus, ReadsATfliteModelWithoutOpset) {
  const std::string tfl =
      replaced(replaced(replaced(kGood, "format = \"onnx\"", "format = \"tflite\""), "opset = 12\n", ""),
               "package/m.onnx", "package/m.tflite");
  const Corpus c = corpus_from_toml_string(tfl, "m.toml");
  const CorpusModel& f = c.find("face");
  EXPECT_EQ(f.format, "tflite");
  EXPECT_EQ(f.opset, 0);
  EXPECT_EQ(cached_model_path(f, "/c"), "/c/@scope/pkg@1.2.3/package/m.tflite");
  EXPECT_NE(error_of(replaced(kGood, "format = \"onnx\"", "format = \"tflite\""))
                .find("model 'face': field 'opset' is an ONNX field; a tflite model has none"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(kGood, "format = \"onnx\"", "format = \"pt\""))
                .find("model 'face': field 'format' is 'pt'; expected one of onnx, tflite"),
            std::string::npos);
}

TEST(ModelCorpus, ReadsAFileInsideAPackedArchive) {
  const std::string packed = replaced(kGood, "path = \"package/m.onnx\"",
                                      "path = \"third_party/m.onnx\"\npacked = \"package/a.data\"\n"
                                      "packed_range = [184, 1000]");
  const Corpus c = corpus_from_toml_string(packed, "m.toml");
  const CorpusModel& f = c.find("face");
  EXPECT_EQ(f.packed, "package/a.data");
  EXPECT_EQ(f.packed_begin, 184);
  EXPECT_EQ(f.packed_end, 1000);
  EXPECT_EQ(cached_model_path(f, "/c"), "/c/@scope/pkg@1.2.3/third_party/m.onnx");
  EXPECT_TRUE(c.find("vad").packed.empty());
  EXPECT_NE(error_of(replaced(packed, "[184, 1000]", "[1000, 184]"))
                .find("model 'face': field 'packed_range' must be [begin, end) byte offsets with begin < end"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(packed, "packed_range = [184, 1000]", "")).find("field 'packed_range' is missing"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(packed, "packed = \"package/a.data\"\n", "")).find("field 'packed_range' needs 'packed'"),
            std::string::npos);
}

TEST(ModelCorpus, UnknownNameListsTheKnownOnes) {
  const Corpus c = corpus_from_toml_string(kGood, "m.toml");
  try {
    c.find("nope");
    ADD_FAILURE() << "found";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model 'nope' (manifest 'm.toml' lists: face, vad)"),
              std::string::npos);
  }
  EXPECT_THROW(load_corpus("/nonexistent/manifest.toml"), Error);
}

TEST(ModelCorpus, CacheStateFollowsTheFileBytes) {
  const auto dir = std::filesystem::temp_directory_path() / ("etch_corpus_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Corpus c = corpus_from_toml_string(kGood, "m.toml");
  CorpusModel m = c.find("face");
  EXPECT_EQ(check_cached_model(m, dir.string()), CacheState::Missing);
  const std::string file = cached_model_path(m, dir.string());
  std::filesystem::create_directories(std::filesystem::path(file).parent_path());
  std::ofstream(file) << "model bytes";
  std::string got;
  EXPECT_EQ(check_cached_model(m, dir.string(), &got), CacheState::Mismatch);
  EXPECT_EQ(got, sha256_hex("model bytes"));
  m.sha256 = got;
  EXPECT_EQ(check_cached_model(m, dir.string()), CacheState::Verified);
  std::filesystem::remove_all(dir);
}

// The committed manifest parses, lists at least the models issues 16 and 19 name, and
// every file is in the cache with its sha256.
TEST(ModelCorpus, EveryCorpusModelIsFetchedAndVerified) {
  const Corpus c = load_corpus(std::string(ETCH_SOURCE_DIR) + "/models/manifest.toml");
  for (const char* name :
       {"blazeface-front-128", "blazeface-back-256", "mlsd-tiny-320", "mlsd-tiny-512", "silero-vad-legacy",
        "silero-vad-v5", "wakeword-melspectrogram", "wakeword-embedding", "wakeword-hey-lookdeep",
        // issue 19's TFLite corpus
        "websr-content-mobilenetv3", "mp-selfie-segmentation-256", "mp-selfie-segmentation-landscape",
        "mp-face-detection-short", "mp-face-detection-full", "mp-face-detection-full-sparse", "mtcnn-pnet",
        "mtcnn-rnet", "mtcnn-onet", "mobilefacenet", "face-anti-spoofing", "mp-objectron-ssd-mobilenetv2",
        "mp-face-landmark"})
    EXPECT_NO_THROW(c.find(name));
  const std::string cache = model_cache_dir();
  for (const CorpusModel& m : c.models) {
    std::string got;
    const CacheState s = check_cached_model(m, cache, &got);
    EXPECT_EQ(s, CacheState::Verified) << m.name << ": " << cached_model_path(m, cache) << " is " << cache_state_name(s)
                                       << (got.empty() ? "" : " (sha256 " + got + ")")
                                       << "; run scripts/fetch_models.sh";
  }
}

}  // namespace
}  // namespace etch::eval
