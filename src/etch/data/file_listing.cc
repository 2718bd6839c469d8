#include "etch/data/file_listing.h"

#include <algorithm>
#include <filesystem>

#include "etch/core/error.h"

namespace etch::data {
namespace {

namespace fs = std::filesystem;

bool hidden(const fs::path& p) { return !p.filename().empty() && p.filename().string()[0] == '.'; }

std::vector<fs::path> sorted_entries(const fs::path& dir, const std::string& spec) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!hidden(it->path())) out.push_back(it->path());
  ETCH_REQUIRE(!ec, InvalidInput) << "data set '" << spec << "': cannot list " << dir.string() << " (" << ec.message()
                                  << ")";
  std::sort(out.begin(), out.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return out;
}

}  // namespace

FileListing list_data_files(const std::string& dir, const std::string& spec, bool allow_flat,
                            const std::function<bool(const std::string&)>& accept, const std::string& kind) {
  ETCH_REQUIRE(fs::is_directory(dir), InvalidInput) << "data set '" << spec << "': " << dir << " is not a folder";
  FileListing out;
  const std::vector<fs::path> entries = sorted_entries(dir, spec);
  const bool has_subfolders =
      std::any_of(entries.begin(), entries.end(), [](const fs::path& p) { return fs::is_directory(p); });
  if (allow_flat && !has_subfolders) {
    for (const fs::path& f : entries)
      if (fs::is_regular_file(f) && accept(f.string())) out.files.push_back(f.string());
    ETCH_REQUIRE(!out.files.empty(), InvalidInput)
        << "data set '" << spec << "': " << dir << " holds no " << kind << " files";
    return out;
  }
  for (const fs::path& entry : entries) {
    if (!fs::is_directory(entry)) continue;
    const auto label = static_cast<int64_t>(out.class_names.size());
    size_t count = 0;
    for (const fs::path& f : sorted_entries(entry, spec)) {
      ETCH_REQUIRE(fs::is_regular_file(f) && accept(f.string()), InvalidInput)
          << "data set '" << spec << "': " << f.string() << " is not a " << kind
          << " file (class folders may hold only " << kind << " files)";
      out.files.push_back(f.string());
      out.labels.push_back(label);
      ++count;
    }
    ETCH_REQUIRE(count > 0, InvalidInput)
        << "data set '" << spec << "': class folder " << entry.string() << " holds no " << kind << " files";
    out.class_names.push_back(entry.filename().string());
  }
  ETCH_REQUIRE(!out.class_names.empty(), InvalidInput)
      << "data set '" << spec << "': " << dir << " has no class sub-folders (expected " << dir << "/<class>/<file>"
      << (allow_flat ? ", or the files directly in it" : "") << ")";
  return out;
}

}  // namespace etch::data
