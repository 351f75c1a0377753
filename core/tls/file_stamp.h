// FileStamp: what stat(2) says about a file (device, inode, size, modification time), kept so a
// later look can tell cheaply whether the file was replaced or rewritten since it was read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft::tls {

struct FileStamp {
  std::string path;
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = -1;  // -1: the file could not be stat'ed
  int64_t mtime_ns = 0;

  static FileStamp of(const std::string& path);
  bool operator==(const FileStamp&) const = default;
};

// Stamps of `paths`, in order.
std::vector<FileStamp> stampFiles(const std::vector<std::string>& paths);
// Whether any file differs from its stamp now.
bool anyChanged(const std::vector<FileStamp>& stamps);

}  // namespace weft::tls
