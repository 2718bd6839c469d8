// `wav:DIR?rate=HZ,length=SAMPLES[,hop=SAMPLES][,input=NAME][,carry=OUT:IN]...`:
// every WAV file (flat, or one sub-folder per class) mixed to mono, resampled
// to `rate` and cut into windows of `length` samples every `hop` samples
// (default: length, no overlap); a file shorter than one window gives one
// zero-padded window. Each file is one sequence: with `carry=OUT:IN` (one per
// state), a streaming model's output OUT of a window is its input IN for the
// file's next window (Dataset::carry).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "etch/data/dataset.h"

namespace etch::data {

struct WavOptions {
  int64_t rate = 0;
  int64_t length = 0;
  int64_t hop = 0;  // 0: = length
  std::string input = "x";
  std::vector<std::pair<std::string, std::string>> carry;  // {output, input}
};

// Throws InvalidInput naming `label` and the key (rate and length are required).
WavOptions parse_wav_options(const std::string& text, const std::string& label);

// inputs = {input: f32 [N, length]}; labels per window when there are class folders.
Dataset load_wav_folder(const std::string& dir, const std::string& spec, const WavOptions& o);

}  // namespace etch::data
