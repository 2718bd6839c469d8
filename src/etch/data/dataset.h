// Data sets addressed by one spec string used by every command:
//   fashion-mnist:train | fashion-mnist:test[:N] | fashion-mnist (= train)
//   npz:FILE    one array per model input (named after it; "x" for a single
//               input), first axis = samples; optional labels "y" [N]
//   npy:FILE    one array: the single input "x", first axis = samples
//   images:DIR[?PREPROCESS]   PNG and JPEG files, in one sub-folder per class
//               (labelled) or, with a preprocessing spec, also directly in DIR
//               (unlabelled); PREPROCESS as parse_preprocess() (preprocess.h)
//   wav:DIR?rate=HZ,length=SAMPLES[,hop=SAMPLES][,input=NAME][,carry=OUT:IN]...
//               WAV files (flat or per class) resampled and cut into
//               model-sized windows; each file is a sequence, along which a
//               streaming model's output OUT feeds its input IN
// Without a preprocessing spec, images are f32 NCHW scaled to [0, 1]; labels
// are i64 and undefined when the data has none.
// Treat a loaded Dataset's tensors as read-only: a whole Fashion-MNIST split
// shares its storage with a per-process cache (clone() before editing in place).
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "etch/core/tensor.h"

namespace etch::data {

struct NamedArray {
  std::string name;  // the model input it feeds
  Tensor values;     // [N, ...]: first axis = samples
};

struct Dataset {
  std::string name;  // the spec it was loaded from
  // The single float input (shares storage with inputs[0]); for image data
  // without a preprocessing spec f32 [N, C, H, W] in [0, 1] (an npz/npy "x" of
  // rank 3 appears here as [N, 1, H, W]). Undefined for several inputs.
  Tensor images;
  Tensor labels;  // i64 [N]; undefined when the data has no labels
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
  std::vector<NamedArray> inputs;  // every input array, in the file's order
  // Streaming models (recurrent state): the model outputs that feed inputs
  // from one sample to the next of a sequence, as {output, input}, and every
  // sample's sequence (its source file). Empty: samples stand alone.
  std::vector<std::pair<std::string, std::string>> carry;
  std::vector<int64_t> sequence;

  int64_t size() const;
  bool has_labels() const { return labels.defined(); }
  const NamedArray* input(const std::string& input_name) const;  // nullptr when absent
};

// Throws InvalidInput naming the spec/file when it does not exist or is malformed
// (e.g. labels out of range, mixed image sizes, arrays with different sample counts).
Dataset load_dataset(const std::string& spec);

// Rows [begin, end) of a data set as a batch (copies). slice_labels gives an
// undefined tensor when the data has no labels.
Tensor slice_images(const Dataset& d, int64_t begin, int64_t end);
Tensor slice_labels(const Dataset& d, int64_t begin, int64_t end);
Tensor slice_rows(const Tensor& t, int64_t begin, int64_t end);
// Every input array by name (what runtime::SampleFeed feeds to a model).
std::map<std::string, Tensor> named_arrays(const Dataset& d);

}  // namespace etch::data
