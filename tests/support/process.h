#pragma once

#include <string>
#include <vector>

namespace mfgctl {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs a program with arguments (looked up in PATH), optional stdin, in
/// `cwd`; waits for it and collects both outputs. A killed program's exit
/// code is 128 + the signal.
ProcessResult RunProgram(const std::vector<std::string>& argv, const std::string& cwd = "",
                         const std::string& input = "");

}  // namespace mfgctl
