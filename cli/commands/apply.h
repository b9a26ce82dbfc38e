#pragma once

#include <string>

#include "cli/operations.h"

namespace mfgctl {

struct ApplyCommandOptions {
  BlueprintOptions blueprint;
  PlanFlags flags;
  std::string plan_file;
  bool auto_approve = false;
};

/// apply, and destroy (`destroy` = true: plan the deletion of everything).
int RunApply(const ApplyCommandOptions& o, bool destroy);

}  // namespace mfgctl
