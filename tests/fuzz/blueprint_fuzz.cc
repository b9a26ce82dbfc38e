// libFuzzer target: each input is a blueprint, loaded in a sandbox of the
// local files blueprints refer to (tests/fuzz/sandbox.h) the way `mfgctl
// validate` loads one, and parsed as a `${...}` string. A crash, a
// sanitizer report or an exception out of the loader is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/sandbox.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One sandbox per process (-fork and -jobs runs each have their own),
  // removed when the fuzzer exits.
  static mfgctl::FuzzSandbox sandbox(std::filesystem::temp_directory_path() /
                                     ("mfgctl-fuzz-" + std::to_string(getpid())));
  mfgctl::Diagnostics diags;
  sandbox.Run({reinterpret_cast<const char*>(data), size}, &diags);
  return 0;
}
