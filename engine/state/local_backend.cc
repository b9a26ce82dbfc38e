#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/model/text_file.h"
#include "engine/state/atomic_file.h"
#include "engine/state/backend.h"
#include "engine/state/journal.h"

namespace mfgctl {
namespace {

std::string Errno() { return std::strerror(errno); }

std::string ReadHolder(int fd) {
  char buf[512];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "another mfgctl run";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

LocalStateBackend::LocalStateBackend(std::string path) : path_(std::move(path)) {}

LocalStateBackend::~LocalStateBackend() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
  Unlock();
}

bool LocalStateBackend::Read(StateSnapshot* out, Diagnostics* diags) {
  std::optional<std::string> text = ReadWholeFile(path_);
  if (!text) {
    *out = StateSnapshot{};
    return true;  // no state yet
  }
  Value j = Value::parse(*text, nullptr, false);
  if (j.is_discarded()) {
    diags->Error("state file " + path_ + " is not valid JSON",
                 {}, "restore it from " + path_ + ".backup or fix it by hand");
    return false;
  }
  if (!StateFromJson(j, path_, out, diags)) return false;
  // What a run that died had finished since its last whole write.
  std::optional<std::string> journal = ReadWholeFile(path_ + ".journal");
  return !journal || FoldJournal(*journal, path_ + ".journal", out, diags);
}

bool LocalStateBackend::AppendJournal(const std::string& lines, Diagnostics* diags) {
  std::string path = path_ + ".journal";
  if (journal_fd_ < 0) {
    journal_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (journal_fd_ < 0) {
      diags->Error("cannot open state journal " + path + ": " + Errno());
      return false;
    }
  }
  if (!WriteAllFd(journal_fd_, lines) || ::fdatasync(journal_fd_) != 0) {
    diags->Error("cannot write state journal " + path + ": " + Errno());
    return false;
  }
  return true;
}

bool LocalStateBackend::Write(const StateSnapshot& s, Diagnostics* diags) {
  std::error_code ec;
  auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    ::chmod(dir.c_str(), 0700);
  }
  if (!backed_up_) {
    backed_up_ = true;
    if (std::optional<std::string> previous = ReadWholeFile(path_)) {
      if (!AtomicWriteFile(path_ + ".backup", *previous, diags)) return false;
    }
  }
  if (!AtomicWriteFile(path_, ShowJson(StateToJson(s), 1) + "\n", diags)) return false;
  // The state now holds everything the journal did.
  if (journal_fd_ >= 0) {
    ::close(journal_fd_);
    journal_fd_ = -1;
  }
  if (::unlink((path_ + ".journal").c_str()) != 0 && errno != ENOENT) {
    diags->Error("cannot remove state journal " + path_ + ".journal: " + Errno());
    return false;
  }
  return true;
}

bool LocalStateBackend::Lock(const std::string& who, int timeout_ms, Diagnostics* diags) {
  if (lock_fd_ >= 0) return true;
  std::error_code ec;
  auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  std::string lock_path = path_ + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    diags->Error("cannot open state lock " + lock_path + ": " + Errno());
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      diags->Error("cannot lock state " + lock_path + ": " + Errno());
      ::close(fd);
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      diags->Error("state of this plant is locked by " + ReadHolder(fd), {},
                   "wait for that run to finish, or pass --lock-timeout to wait for it (lock: " +
                       lock_path + ")");
      ::close(fd);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (::ftruncate(fd, 0) == 0) {
    WriteAllFd(fd, who + "\n");
  }
  lock_fd_ = fd;
  return true;
}

void LocalStateBackend::Unlock() {
  if (lock_fd_ < 0) return;
  if (::ftruncate(lock_fd_, 0) != 0) {
    // Nothing to do: the lock itself is what matters and close drops it.
  }
  ::close(lock_fd_);
  lock_fd_ = -1;
}

bool LocalStateBackend::LockHolder(std::string* who, Diagnostics* diags) {
  who->clear();
  if (lock_fd_ >= 0) {
    *who = ReadHolder(lock_fd_);
    return true;
  }
  std::string lock_path = path_ + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return true;  // never locked
    diags->Error("cannot open state lock " + lock_path + ": " + Errno());
    return false;
  }
  // Taking the lock for an instant is the only way to know whether a live
  // process has it; the description left by a dead holder means nothing.
  bool ok = true;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      *who = ReadHolder(fd);
    } else {
      diags->Error("cannot test state lock " + lock_path + ": " + Errno());
      ok = false;
    }
  }
  ::close(fd);
  return ok;
}

bool LocalStateBackend::ForceUnlock(Diagnostics* diags) {
  if (lock_fd_ >= 0) {
    Unlock();
    return true;
  }
  std::string who;
  if (!LockHolder(&who, diags)) return false;
  if (who.empty()) return true;
  diags->Error("state of this plant is locked by " + who + ", a run that is still alive", {},
               "this lock is a flock on " + path_ +
                   ".lock, which the kernel drops when its holder exits, so it is never left "
                   "behind by a dead run; wait for that run to finish, or stop it");
  return false;
}

}  // namespace mfgctl
