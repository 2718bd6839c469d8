// etch models: the corpus listing, `path`, and its exit-2 errors.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cli/etch_process.h"

namespace etch::cli {
namespace {

using namespace etch::testing;

const std::string kManifest = source_path("models/manifest.toml");

TEST(ModelsCommand, ListsTheCorpusWithItsCacheState) {
  ScratchDir dir;
  const ProcessResult r = run_etch("models --manifest " + quote(kManifest), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"blazeface-front-128", "mlsd-tiny-512", "silero-vad-v5", "wakeword-hey-lookdeep",
                        "jp.keijiro.mlsd@1.0.0", "Apache-2.0", "line-detector", "[1,128,128,3] nhwc rgb"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  const ProcessResult j = run_etch("models --json --manifest " + quote(kManifest), dir);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_NE(j.out.find("\"sample_rate\": 16000"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"path_in_package\": \"package/dist/silero_vad_v5.onnx\""), std::string::npos);
}

TEST(ModelsCommand, PathOfAFetchedModelAndErrors) {
  ScratchDir dir;
  const ProcessResult r = run_etch("models --manifest " + quote(kManifest) + " path mlsd-tiny-320", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the test setup (scripts/setup.sh) fetched the corpus
  EXPECT_NE(r.out.find("jp.keijiro.mlsd@1.0.0/package/ONNX/mlsd_320x320_tiny.onnx"), std::string::npos) << r.out;

  const ProcessResult unknown = run_etch("models --manifest " + quote(kManifest) + " path nope", dir);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown model 'nope'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("blazeface-back-256"), std::string::npos) << unknown.err;

  const ProcessResult missing = run_etch("models --manifest nowhere.toml", dir);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read model manifest 'nowhere.toml'"), std::string::npos) << missing.err;

  dir.write("bad.toml", "version = 1\n[[model]]\nname = \"m\"\n");
  const ProcessResult bad = run_etch("models --manifest bad.toml", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("model manifest 'bad.toml', line 2: model 'm': field 'format' is missing"), std::string::npos)
      << bad.err;
}

TEST(ModelsCommand, EmptyCacheReportsMissing) {
  ScratchDir dir;
  // run_etch runs `cd DIR && etch ...` in a shell, which inherits this variable.
  ::setenv("ETCH_MODEL_CACHE", (dir / "empty-cache").c_str(), 1);
  const ProcessResult list = run_etch("models --manifest " + quote(kManifest), dir);
  const ProcessResult path = run_etch("models --manifest " + quote(kManifest) + " path silero-vad-v5", dir);
  ::unsetenv("ETCH_MODEL_CACHE");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("0 of 22 files verified"), std::string::npos) << list.out;  // 9 ONNX + 13 TFLite
  EXPECT_NE(list.out.find("mp-face-landmark                  tflite  detector"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("scripts/fetch_models.sh"), std::string::npos);
  EXPECT_EQ(path.exit_code, 2);
  EXPECT_NE(path.err.find("model 'silero-vad-v5':"), std::string::npos) << path.err;
  EXPECT_NE(path.err.find("is missing; run scripts/fetch_models.sh"), std::string::npos) << path.err;
}

}  // namespace
}  // namespace etch::cli
