// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from its gzip IDX files, in the
// folder named by ETCH_FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist.
#pragma once
#include <string>
#include <vector>

#include "etch/data/dataset.h"

namespace etch::data {

std::string fashion_mnist_dir();
const std::vector<std::string>& fashion_mnist_class_names();  // the 10 labels 0..9

// Split "train" (60000 images) or "test" (10000), first `limit` rows when
// limit >= 0. Decoded splits are cached per process (keyed by folder), so only
// the first load of a split pays for inflating. A whole split shares the cached
// tensors (read-only by contract); a first-N load gets its own copy. `spec`
// names the data set in errors and in Dataset::name.
Dataset load_fashion_mnist(const std::string& split, int64_t limit, const std::string& spec);

}  // namespace etch::data
