// Stand-in for libFuzzer's driver when WEFT_FUZZ is off: replays every file of the given corpus
// directories (or single files) through LLVMFuzzerTestOneInput, so CTest keeps the seeds and past
// finds as regression tests. Shared by every fuzz target; knows nothing about any of them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool readFile(const std::filesystem::path& path, std::vector<uint8_t>& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  out.clear();
  uint8_t buffer[64 * 1024];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    out.insert(out.end(), buffer, buffer + n);
  bool ok = std::ferror(file) == 0;
  std::fclose(file);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
      continue;
    }
    if (!std::filesystem::is_directory(arg, ec)) {
      std::fprintf(stderr, "error: %s is neither a file nor a directory\n", argv[i]);
      return 1;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
      if (entry.is_regular_file(ec)) inputs.push_back(entry.path());
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "error: no corpus files found\n");
    return 1;
  }
  std::sort(inputs.begin(), inputs.end());

  size_t passed = 0;
  size_t failed = 0;
  std::vector<uint8_t> data;
  for (const auto& path : inputs) {
    if (!readFile(path, data)) {
      std::fprintf(stderr, "FAIL cannot read %s\n", path.c_str());
      ++failed;
      continue;
    }
    // A crash or failed check aborts the process; reaching the next line means the input passed.
    LLVMFuzzerTestOneInput(data.data(), data.size());
    ++passed;
  }
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
