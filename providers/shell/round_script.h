#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/shell/host_resource.h"

namespace mfgctl {

/// Several steps as one remote command: one round trip carries out every
/// ready action of a host. Each step runs in its own subshell with its own
/// standard input, and its output and error output are told apart from the
/// others' by markers on both streams, so a failing step fails only its
/// own resources; a step's text is evaluated on its own, so one that does
/// not parse fails alone too. The script and all inputs travel on standard
/// input: the host's `ps` shows neither.
struct RoundScript {
  std::string command;  // what to run on the host
  std::string input;    // its standard input
};

/// The round for `steps`, none of which uploads files. `nonce` makes the
/// markers in the output ones no step's own output can forge.
RoundScript BuildRoundScript(const std::vector<const HostStep*>& steps, const std::string& nonce);

/// What one step of a round did, as its markers tell.
struct StepOutcome {
  bool started = false;
  bool finished = false;
  int exit_status = -1;
  std::string out;
  std::string err;
};

/// Watches a round's output as it grows (RemoteShell::Run's watch): which
/// of its `count` steps finished since the last look, in order, each with
/// its exit status. Each look reads only what is new.
class RoundWatch {
 public:
  RoundWatch(std::string nonce, size_t count);
  std::vector<std::pair<size_t, int>> Finished(std::string_view out);

 private:
  std::string nonce_;
  size_t count_;
  size_t next_ = 0;  // the first step not seen finished
  size_t at_ = 0;    // where in the output to look for its end
};

/// Splits a round's output and error output into the outcome of each of
/// `count` steps.
std::vector<StepOutcome> ParseRoundOutput(std::string_view out, std::string_view err,
                                          const std::string& nonce, size_t count);

}  // namespace mfgctl
