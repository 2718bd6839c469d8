// The files of a data-set folder: either one sub-folder per class (labelled,
// classes in name order) or, where allowed, the files directly in the folder
// (unlabelled). Hidden entries are skipped; everything is sorted by name so
// that sample order never depends on the file system.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace etch::data {

struct FileListing {
  std::vector<std::string> files;
  std::vector<int64_t> labels;  // empty when the folder is flat
  std::vector<std::string> class_names;
};

// `accept` says whether a file name is of the wanted kind and `kind` names it in
// errors ("PNG or JPEG", "WAV"). Throws InvalidInput naming the spec and path.
FileListing list_data_files(const std::string& dir, const std::string& spec, bool allow_flat,
                            const std::function<bool(const std::string&)>& accept, const std::string& kind);

}  // namespace etch::data
