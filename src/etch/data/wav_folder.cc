#include "etch/data/wav_folder.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "etch/core/error.h"
#include "etch/data/file_listing.h"
#include "etch/data/wav.h"

namespace etch::data {
namespace {

int64_t parse_positive(const std::string& text, const std::string& key, const std::string& label) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  ETCH_REQUIRE(ec == std::errc() && end == text.data() + text.size() && v >= 1 && v <= (int64_t{1} << 31), InvalidInput)
      << label << ": wav option '" << key << "': '" << text << "' is not a positive integer";
  return v;
}

constexpr const char* kKeys = "rate, length, hop, input, carry";

// "OUT:IN": a streaming model's output OUT feeds its input IN at the next window.
std::pair<std::string, std::string> parse_carry(const std::string& text, const std::string& label) {
  const size_t colon = text.find(':');
  ETCH_REQUIRE(colon != std::string::npos && colon > 0 && colon + 1 < text.size(), InvalidInput)
      << label << ": wav option carry='" << text << "' is not OUTPUT:INPUT (e.g. carry=stateN:state)";
  return {text.substr(0, colon), text.substr(colon + 1)};
}

bool is_wav_name(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext == ".wav";
}

}  // namespace

WavOptions parse_wav_options(const std::string& text, const std::string& label) {
  WavOptions o;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t eq = item.find('=');
    ETCH_REQUIRE(eq != std::string::npos && eq > 0 && eq + 1 < item.size(), InvalidInput)
        << label << ": wav option '" << item << "' is not key=value (keys: " << kKeys << ")";
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "rate")
      o.rate = parse_positive(value, key, label);
    else if (key == "length")
      o.length = parse_positive(value, key, label);
    else if (key == "hop")
      o.hop = parse_positive(value, key, label);
    else if (key == "input")
      o.input = value;
    else if (key == "carry")
      o.carry.push_back(parse_carry(value, label));
    else
      ETCH_FAIL(InvalidInput) << label << ": unknown wav option '" << key << "' (keys: " << kKeys << ")";
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  ETCH_REQUIRE(o.rate > 0 && o.length > 0, InvalidInput)
      << label << ": wav data needs the model's sample rate and input length, e.g. wav:clips?rate=16000,length=512";
  if (!o.hop) o.hop = o.length;
  return o;
}

Dataset load_wav_folder(const std::string& dir, const std::string& spec, const WavOptions& o) {
  const FileListing l = list_data_files(dir, spec, true, is_wav_name, "WAV");
  std::vector<float> windows;
  std::vector<int64_t> labels, sequence;
  for (size_t f = 0; f < l.files.size(); ++f) {
    WavAudio a;
    try {
      a = read_wav(l.files[f]);
    } catch (const Error& e) {
      ETCH_FAIL(InvalidInput) << "data set '" << spec << "': " << e.what();
    }
    const std::vector<float> x = resample(a.samples, a.sample_rate, o.rate);
    const auto n = static_cast<int64_t>(x.size());
    const int64_t count = n <= o.length ? 1 : 1 + (n - o.length) / o.hop;
    for (int64_t w = 0; w < count; ++w) {
      const int64_t begin = w * o.hop, take = std::min(o.length, n - begin);
      windows.insert(windows.end(), x.begin() + begin, x.begin() + begin + take);
      windows.insert(windows.end(), static_cast<size_t>(o.length - take), 0.0f);
      if (!l.labels.empty()) labels.push_back(l.labels[f]);
      sequence.push_back(static_cast<int64_t>(f));
    }
  }
  Dataset d;
  d.name = spec;
  d.carry = o.carry;
  if (!o.carry.empty()) d.sequence = std::move(sequence);
  const auto n = static_cast<int64_t>(windows.size()) / o.length;
  Tensor x(DType::F32, {n, o.length});
  std::memcpy(x.raw(), windows.data(), windows.size() * sizeof(float));
  d.inputs.push_back({o.input, x});
  if (!labels.empty()) {
    d.labels = Tensor::from_vector<int64_t>({n}, labels);
    d.class_names = l.class_names;
    d.num_classes = static_cast<int64_t>(l.class_names.size());
  }
  return d;
}

}  // namespace etch::data
