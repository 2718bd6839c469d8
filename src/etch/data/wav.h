// PCM WAV reading (8/16/24/32-bit integer and 32-bit float, any channel count,
// mixed down to mono in [-1, 1]) and band-limited resampling, for `wav:DIR` data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace etch::data {

struct WavAudio {
  int64_t sample_rate = 0;
  std::vector<float> samples;  // mono, in [-1, 1]
};

// Throws InvalidInput naming the path for anything but a well-formed RIFF/WAVE
// file with a PCM or IEEE-float "fmt " chunk and a "data" chunk.
WavAudio read_wav(const std::string& path);
WavAudio parse_wav(const std::string& bytes, const std::string& label);
// 16-bit PCM mono (not atomic; meant for tests and data preparation).
void write_wav16(const std::string& path, const WavAudio& audio);

// Windowed-sinc (Hann, 32 zero crossings) resampling from `from` Hz to `to` Hz,
// low-passed at the lower Nyquist frequency; identity when the rates agree.
std::vector<float> resample(const std::vector<float>& x, int64_t from, int64_t to);

}  // namespace etch::data
