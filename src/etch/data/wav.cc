#include "etch/data/wav.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>
#include <sstream>

#include "etch/core/error.h"

namespace etch::data {
namespace {

uint32_t u32(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}
uint16_t u16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}

void put32(std::string& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put16(std::string& b, uint16_t v) {
  b.push_back(static_cast<char>(v & 0xff));
  b.push_back(static_cast<char>(v >> 8));
}

}  // namespace

WavAudio parse_wav(const std::string& b, const std::string& label) {
  ETCH_REQUIRE(b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WAVE") == 0, InvalidInput)
      << label << ": not a WAV file (no RIFF/WAVE header)";
  uint16_t format = 0, channels = 0, bits = 0;
  uint32_t rate = 0;
  bool have_fmt = false;
  size_t at = 12;
  while (at + 8 <= b.size()) {
    const std::string id = b.substr(at, 4);
    const uint64_t size = u32(b, at + 4);
    const size_t body = at + 8;
    ETCH_REQUIRE(body + size <= b.size() || id == "data", InvalidInput)
        << label << ": WAV chunk '" << id << "' runs past the end of the file (truncated?)";
    if (id == "fmt ") {
      ETCH_REQUIRE(size >= 16, InvalidInput) << label << ": WAV 'fmt ' chunk is " << size << " bytes; expected >= 16";
      format = u16(b, body);
      channels = u16(b, body + 2);
      rate = u32(b, body + 4);
      bits = u16(b, body + 14);
      if (format == 0xFFFE && size >= 26) format = u16(b, body + 24);  // WAVE_FORMAT_EXTENSIBLE: sub-format GUID
      have_fmt = true;
    } else if (id == "data") {
      ETCH_REQUIRE(have_fmt, InvalidInput) << label << ": WAV 'data' chunk before the 'fmt ' chunk";
      const bool pcm = format == 1 && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
      const bool flt = format == 3 && bits == 32;
      ETCH_REQUIRE(pcm || flt, InvalidInput)
          << label << ": WAV format " << format << " with " << bits
          << "-bit samples is not supported (expected PCM 8/16/24/32-bit or float32)";
      ETCH_REQUIRE(channels >= 1 && rate >= 1, InvalidInput)
          << label << ": WAV has " << channels << " channels at " << rate << " Hz";
      const size_t bytes = bits / 8, frame = bytes * channels;
      const size_t avail = std::min<uint64_t>(size, b.size() - body);  // a streamed file may state 0 or too much
      const size_t frames = avail / frame;
      WavAudio a;
      a.sample_rate = rate;
      a.samples.resize(frames);
      for (size_t f = 0; f < frames; ++f) {
        double sum = 0;
        for (size_t c = 0; c < channels; ++c) {
          const size_t p = body + f * frame + c * bytes;
          double v = 0;
          if (flt) {
            float x;
            const uint32_t raw = u32(b, p);
            std::memcpy(&x, &raw, 4);
            v = x;
          } else if (bits == 8) {
            v = (static_cast<uint8_t>(b[p]) - 128) / 128.0;
          } else if (bits == 16) {
            v = static_cast<int16_t>(u16(b, p)) / 32768.0;
          } else if (bits == 24) {
            const int32_t x = static_cast<int32_t>(u32(b.substr(p, 3) + '\0', 0) << 8) >> 8;
            v = x / 8388608.0;
          } else {
            v = static_cast<int32_t>(u32(b, p)) / 2147483648.0;
          }
          sum += v;
        }
        a.samples[f] = static_cast<float>(sum / channels);
      }
      return a;
    }
    at = body + size + (size & 1);  // chunks are padded to even sizes
  }
  throw Error(ErrorKind::InvalidInput,
              label + ": WAV has no " + (have_fmt ? "'data'" : "'fmt '") + " chunk (truncated?)");
}

WavAudio read_wav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ETCH_REQUIRE(in.good(), InvalidInput) << path << ": cannot open WAV file";
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_wav(ss.str(), path);
}

void write_wav16(const std::string& path, const WavAudio& a) {
  std::string b = "RIFF";
  const auto data_bytes = static_cast<uint32_t>(a.samples.size() * 2);
  put32(b, 36 + data_bytes);
  b += "WAVEfmt ";
  put32(b, 16);
  put16(b, 1);
  put16(b, 1);
  put32(b, static_cast<uint32_t>(a.sample_rate));
  put32(b, static_cast<uint32_t>(a.sample_rate * 2));
  put16(b, 2);
  put16(b, 16);
  b += "data";
  put32(b, data_bytes);
  for (float s : a.samples) {
    const double v = std::round(std::clamp(static_cast<double>(s), -1.0, 32767.0 / 32768.0) * 32768.0);
    put16(b, static_cast<uint16_t>(static_cast<int16_t>(v)));
  }
  std::ofstream out(path, std::ios::binary);
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
  ETCH_REQUIRE(out.good(), InvalidInput) << path << ": cannot write WAV file";
}

std::vector<float> resample(const std::vector<float>& x, int64_t from, int64_t to) {
  ETCH_CHECK(from > 0 && to > 0) << from << " -> " << to;
  if (from == to || x.empty()) return x;
  const double ratio = static_cast<double>(to) / static_cast<double>(from);
  const double cutoff = std::min(1.0, ratio);  // of the input's Nyquist frequency
  constexpr int kZeroCrossings = 32;
  const double half = kZeroCrossings / cutoff;  // half-width in input samples
  const auto n_out = static_cast<size_t>(std::floor(static_cast<double>(x.size()) * ratio));
  std::vector<float> y(n_out);
  const auto n_in = static_cast<int64_t>(x.size());
  for (size_t i = 0; i < n_out; ++i) {
    const double t = static_cast<double>(i) / ratio;  // position in input samples
    const auto lo = static_cast<int64_t>(std::ceil(t - half)), hi = static_cast<int64_t>(std::floor(t + half));
    double acc = 0;
    for (int64_t k = std::max<int64_t>(lo, 0); k <= std::min(hi, n_in - 1); ++k) {
      const double d = static_cast<double>(k) - t;
      const double arg = std::numbers::pi * d * cutoff;
      const double sinc = d == 0 ? 1.0 : std::sin(arg) / arg;
      const double window = 0.5 + 0.5 * std::cos(std::numbers::pi * d / half);
      acc += static_cast<double>(x[static_cast<size_t>(k)]) * cutoff * sinc * window;
    }
    y[i] = static_cast<float>(acc);
  }
  return y;
}

}  // namespace etch::data
