// Folders of PNG and JPEG images as data sets.
#pragma once
#include <string>

#include "etch/data/dataset.h"
#include "etch/data/preprocess.h"

namespace etch::data {

// `images:DIR`: DIR/<class>/<image>.{png,jpg,jpeg}, classes in name order; all
// images the same size; f32 NCHW in [0, 1]. Errors name `spec` and the file.
Dataset load_image_folder(const std::string& dir, const std::string& spec);

// `images:DIR?...`: class sub-folders (labelled) or files directly in DIR
// (unlabelled), each preprocessed to the model input `p.input`.
Dataset load_image_folder(const std::string& dir, const std::string& spec, const Preprocess& p);

}  // namespace etch::data
