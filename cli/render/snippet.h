#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/model/diagnostics.h"

namespace mfgctl {

/// The source lines diagnostics point at, each file read once however many
/// diagnostics it has (100k diagnostics once re-read it 100k times).
class SourceSnippets {
 public:
  /// The line `pos` points at and a caret under its column:
  ///   `  12 | text` and `     |    ^`, each ending in a newline.
  /// Empty when there is no line to show: no position, a file gone or not
  /// a regular file (a blueprint from a pipe is not read twice).
  std::string At(const SourcePos& pos);

 private:
  struct File {
    std::string text;
    std::vector<size_t> line_starts;  // offset of each line's first byte
  };
  const File* Load(const std::string& path);

  std::map<std::string, File> files_;  // by path; an unreadable one has no lines
};

}  // namespace mfgctl
