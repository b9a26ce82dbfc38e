#include "engine/state/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mfgctl {
namespace {

std::string Errno() { return std::strerror(errno); }

}  // namespace

bool WriteAllFd(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool AtomicWriteFile(const std::string& path, std::string_view data, Diagnostics* diags) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    diags->Error("cannot write " + tmp + ": " + Errno());
    return false;
  }
  bool ok = WriteAllFd(fd, data) && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  std::string err = ok ? "" : Errno();
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = Errno();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    diags->Error("cannot write " + path + ": " + err);
    return false;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

}  // namespace mfgctl
