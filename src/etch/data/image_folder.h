// A folder of PNG images with one sub-folder per class:
//   dir/<class name>/<any name>.png
// Classes are the sub-folder names in byte order (label = position); files in
// a class are read in byte order of their names. Entries starting with '.' and
// regular files directly in `dir` are ignored; any other non-PNG file inside a
// class folder is an error rather than silently skipped.
#pragma once
#include <string>

#include "etch/data/dataset.h"

namespace etch::data {

// All images must share height, width and channel count (1 = grayscale,
// 3 = RGB); the error names the first file that differs and both sizes.
Dataset load_image_folder(const std::string& dir, const std::string& spec);

}  // namespace etch::data
