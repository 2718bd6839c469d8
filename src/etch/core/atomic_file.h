// Outputs are written to a temporary file beside the target and renamed into
// place on commit(); a failed run leaves nothing half-written.
#pragma once
#include <string>

namespace etch {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  void write(const std::string& bytes);  // replaces the temp file's content
  void commit();                         // rename temp -> path

 private:
  std::string path_, temp_;
  bool committed_ = false;
};

// Convenience: write all bytes atomically. Throws InvalidInput if the folder is
// missing or not writable.
void write_file_atomic(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);  // throws InvalidInput naming the path

}  // namespace etch
