// WAV reading, resampling and wav:DIR data sets.
#include "etch/data/wav.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "data/temp_dir.h"
#include "etch/data/dataset.h"
#include "etch/data/wav_folder.h"

namespace etch::data {
namespace {

using testing::TempDir;

WavAudio sine(int64_t rate, double hz, int64_t n, double amp = 0.5) {
  WavAudio a;
  a.sample_rate = rate;
  for (int64_t i = 0; i < n; ++i)
    a.samples.push_back(static_cast<float>(amp * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate)));
  return a;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Wav, SixteenBitRoundTrip) {
  TempDir dir;
  const WavAudio a = sine(16000, 440, 1000);
  write_wav16(dir.path("a.wav"), a);
  const WavAudio b = read_wav(dir.path("a.wav"));
  EXPECT_EQ(b.sample_rate, 16000);
  ASSERT_EQ(b.samples.size(), a.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i) EXPECT_NEAR(b.samples[i], a.samples[i], 1.0 / 32768) << i;
}

TEST(Wav, StereoIsMixedToMono) {
  // Hand-made 16-bit stereo file: frames (1000, 3000) and (-2000, 0).
  std::string b = "RIFF";
  auto put = [&](uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(36 + 8, 4);
  b += "WAVEfmt ";
  put(16, 4), put(1, 2), put(2, 2), put(8000, 4), put(32000, 4), put(4, 2), put(16, 2);
  b += "data";
  put(8, 4);
  put(1000, 2), put(3000, 2), put(static_cast<uint16_t>(-2000), 2), put(0, 2);
  const WavAudio a = parse_wav(b, "mem.wav");
  EXPECT_EQ(a.sample_rate, 8000);
  ASSERT_EQ(a.samples.size(), 2u);
  EXPECT_FLOAT_EQ(a.samples[0], 2000.0f / 32768);
  EXPECT_FLOAT_EQ(a.samples[1], -1000.0f / 32768);
  EXPECT_NE(error_of([&] { parse_wav(b.substr(0, 30), "cut.wav"); }).find("cut.wav: "), std::string::npos);
  EXPECT_NE(error_of([&] { parse_wav("RIFFxxxxWAVX", "x.wav"); }).find("x.wav: not a WAV file"), std::string::npos);
  std::string adpcm = b;
  adpcm[20] = 2;  // format tag 2 (ADPCM)
  EXPECT_NE(error_of([&] { parse_wav(adpcm, "adpcm.wav"); }).find("WAV format 2 with 16-bit samples is not supported"),
            std::string::npos);
}

TEST(Wav, ResamplingKeepsAToneAndRemovesWhatCannotBeRepresented) {
  // 1 kHz at 48 kHz -> 16 kHz: still a 1 kHz sine (away from the edges).
  const WavAudio in = sine(48000, 1000, 4800);
  const std::vector<float> y = resample(in.samples, 48000, 16000);
  ASSERT_EQ(y.size(), 1600u);
  const WavAudio want = sine(16000, 1000, 1600);
  for (size_t i = 200; i < 1400; ++i) EXPECT_NEAR(y[i], want.samples[i], 0.01) << i;
  // 11 kHz cannot exist at 16 kHz: it is filtered out, not aliased to 5 kHz.
  const std::vector<float> z = resample(sine(48000, 11000, 4800).samples, 48000, 16000);
  double energy = 0;
  for (size_t i = 200; i < 1400; ++i) energy += z[i] * z[i];
  EXPECT_LT(std::sqrt(energy / 1200), 0.01);
  // Upsampling 8 kHz -> 16 kHz interpolates the tone.
  const std::vector<float> u = resample(sine(8000, 500, 800).samples, 8000, 16000);
  const WavAudio want_u = sine(16000, 500, 1600);
  ASSERT_EQ(u.size(), 1600u);
  for (size_t i = 200; i < 1400; ++i) EXPECT_NEAR(u[i], want_u.samples[i], 0.01) << i;
  EXPECT_EQ(resample(in.samples, 48000, 48000), in.samples);
}

TEST(WavFolder, CutsResampledFilesIntoModelWindows) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("noise"));
  std::filesystem::create_directories(dir.path("speech"));
  write_wav16(dir.path("noise/a.wav"), sine(32000, 300, 3200));  // 1600 samples at 16 kHz: 3 windows of 512
  write_wav16(dir.path("speech/b.wav"), sine(16000, 300, 100));  // shorter than a window: one, zero-padded
  const Dataset d = load_dataset("wav:" + dir.path() + "?rate=16000,length=512,input=input");
  ASSERT_EQ(d.inputs.size(), 1u);
  EXPECT_EQ(d.inputs[0].name, "input");
  EXPECT_EQ(d.inputs[0].values.shape(), (Shape{4, 512}));
  EXPECT_EQ(d.labels.to_int64_vector(), (std::vector<int64_t>{0, 0, 0, 1}));
  const std::vector<float> v = d.inputs[0].values.to_float_vector();
  EXPECT_NEAR(v[3 * 512 + 50], sine(16000, 300, 100).samples[50], 1.0 / 16384);
  EXPECT_EQ(v[3 * 512 + 100], 0.0f);
  EXPECT_EQ(v[3 * 512 + 511], 0.0f);
  // Overlapping windows.
  const Dataset o = load_dataset("wav:" + dir.path() + "?rate=16000,length=512,hop=256");
  EXPECT_EQ(o.size(), 5 + 1);
  EXPECT_TRUE(o.carry.empty());
  EXPECT_TRUE(o.sequence.empty());
  // A streaming model's state along each file: the windows' files are their sequences.
  const Dataset s = load_dataset("wav:" + dir.path() + "?rate=16000,length=512,carry=hn:h,carry=cn:c");
  EXPECT_EQ(s.carry, (std::vector<std::pair<std::string, std::string>>{{"hn", "h"}, {"cn", "c"}}));
  EXPECT_EQ(s.sequence, (std::vector<int64_t>{0, 0, 0, 1}));
}

TEST(WavFolder, OptionErrorsNameTheKey) {
  EXPECT_NE(
      error_of([] { parse_wav_options("rate=16000", "spec"); }).find("needs the model's sample rate and input length"),
      std::string::npos);
  EXPECT_NE(error_of([] { parse_wav_options("rate=fast,length=1", "spec"); }).find("'rate': 'fast'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_wav_options("rate=1,length=1,gain=2", "spec"); }).find("unknown wav option 'gain'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_wav_options("rate=1,length=1,carry=hn", "spec"); }).find("not OUTPUT:INPUT"),
            std::string::npos);
  TempDir dir;
  dir.write("bad.wav", "RIFF");
  EXPECT_NE(error_of([&] {
              load_dataset("wav:" + dir.path() + "?rate=16000,length=4");
            }).find(dir.path("bad.wav") + ": not a WAV file"),
            std::string::npos);
}

}  // namespace
}  // namespace etch::data
