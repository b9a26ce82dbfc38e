#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace mfgctl {

/// The whole content of a file, or nullopt when it cannot be read. For
/// files mfgctl writes itself (state, plans); a file a blueprint names is
/// read with ReadBoundedFile.
std::optional<std::string> ReadWholeFile(const std::string& path);

/// What ReadBoundedFile accepts.
struct FileReadLimits {
  /// Larger files are refused (never read into memory).
  size_t max_bytes = 0;
  /// A pipe is read too (a blueprint from `<(script)`); directories, devices
  /// and sockets never are: they hang a read or never end.
  bool allow_pipe = false;
};

/// The whole content of a local file a user named, or nullopt and `why`,
/// written to follow "cannot read PATH: ": "it is a directory", "it is a
/// FIFO, not a regular file", "it is larger than 64 MiB (the limit)", or the
/// system's reason. Never blocks on opening a FIFO that has no writer.
std::optional<std::string> ReadBoundedFile(const std::string& path, const FileReadLimits& limits,
                                           std::string* why);

/// "64 MiB", "512 KiB", "100 bytes": a size limit as the docs state it.
std::string ByteSizeText(size_t bytes);

}  // namespace mfgctl
