#pragma once

// One plant's turn in a fleet rollout: its state locked and read, its hold
// honoured, planned, applied, checked, and the result recorded in its state
// (fleet.last_apply), its output lines prefixed with its name.

#include <atomic>

#include "cli/operations.h"
#include "fleet/fleet.h"
#include "fleet/rollout.h"

namespace mfgctl {

struct PlantApplyOptions {
  int parallelism = 10;        // hosts of the plant at once
  int lock_timeout_s = 0;
  const std::atomic<bool>* interrupted = nullptr;
  std::function<SysSeconds()> now;
};

PlantResult ApplyFleetPlant(const Fleet& fleet, const FleetPlant& plant,
                            const PlantApplyOptions& options);

/// An output stream whose every line goes to std::cout as one write,
/// prefixed `PLANT: `, so parallel plants' lines never mix mid-line.
class PrefixedLines : public std::streambuf {
 public:
  explicit PrefixedLines(std::string prefix) : prefix_(std::move(prefix)) {}
  ~PrefixedLines() override;

 protected:
  int overflow(int c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void Emit();
  std::string prefix_;
  std::string line_;
};

}  // namespace mfgctl
