#include "engine/model/text_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mfgctl {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return nullptr;
}

// Closes the descriptor on every way out.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ByteSizeText(size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::optional<std::string> ReadBoundedFile(const std::string& path, const FileReadLimits& limits,
                                           std::string* why) {
  // Non-blocking, so opening a FIFO without a writer returns at once; the
  // kind is checked on the open descriptor, so nothing can swap it after.
  Descriptor file{open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st;
  if (fstat(file.fd, &st) != 0) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  bool pipe = S_ISFIFO(st.st_mode);
  if (!S_ISREG(st.st_mode) && !(pipe && limits.allow_pipe)) {
    const char* kind = KindOf(st.st_mode);
    *why =
        kind ? std::string("it is ") + kind + ", not a regular file" : "it is not a regular file";
    return std::nullopt;
  }
  std::string too_large = "it is larger than " + ByteSizeText(limits.max_bytes) + " (the limit)";
  if (S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) > limits.max_bytes) {
    *why = too_large;
    return std::nullopt;
  }
  if (pipe) {
    // A pipe is read as the user asked: wait for its writer.
    int flags = fcntl(file.fd, F_GETFL);
    fcntl(file.fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(file.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) break;
    // A file that grows while it is read is held to the same limit.
    if (text.size() + static_cast<size_t>(n) > limits.max_bytes) {
      *why = too_large;
      return std::nullopt;
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

}  // namespace mfgctl
