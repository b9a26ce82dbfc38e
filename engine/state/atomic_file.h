#pragma once

#include <string>
#include <string_view>

#include "engine/model/diagnostics.h"

namespace mfgctl {

/// Writes all of data to fd, retrying short writes; false on error (errno).
bool WriteAllFd(int fd, std::string_view data);

/// Replaces the file at path with data, mode 0600: written to a temporary
/// file beside it, fsynced, renamed over it, and the directory fsynced. A
/// reader sees the old file or the new one, never a torn one, even if the
/// writer is killed at any instruction.
bool AtomicWriteFile(const std::string& path, std::string_view data, Diagnostics* diags);

}  // namespace mfgctl
