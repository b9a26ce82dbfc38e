#pragma once

#include <string>
#include <string_view>
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

/// Splits a round's output and error output into the outcome of each of
/// `count` steps.
std::vector<StepOutcome> ParseRoundOutput(std::string_view out, std::string_view err,
                                          const std::string& nonce, size_t count);

}  // namespace mfgctl
