// FileStamp: see file_stamp.h.
#include "core/tls/file_stamp.h"

#include <sys/stat.h>

#include <algorithm>

namespace weft::tls {

FileStamp FileStamp::of(const std::string& path) {
  FileStamp stamp;
  stamp.path = path;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return stamp;
  stamp.device = static_cast<uint64_t>(info.st_dev);
  stamp.inode = static_cast<uint64_t>(info.st_ino);
  stamp.size = static_cast<int64_t>(info.st_size);
  stamp.mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return stamp;
}

std::vector<FileStamp> stampFiles(const std::vector<std::string>& paths) {
  std::vector<FileStamp> stamps;
  stamps.reserve(paths.size());
  for (const std::string& path : paths) stamps.push_back(FileStamp::of(path));
  return stamps;
}

bool anyChanged(const std::vector<FileStamp>& stamps) {
  return std::any_of(stamps.begin(), stamps.end(),
                     [](const FileStamp& stamp) { return FileStamp::of(stamp.path) != stamp; });
}

}  // namespace weft::tls
