#pragma once

#include <CLI/CLI.hpp>

namespace mfgctl {

/// Each command registers itself as a subcommand of `app`; when it runs, its
/// exit code goes to *exit_code (0 success or no changes, 1 error, 2 changes
/// present with --detailed-exitcode).
void SetupValidateCommand(CLI::App& app, int* exit_code);
void SetupPlanCommand(CLI::App& app, int* exit_code);
void SetupApplyCommand(CLI::App& app, int* exit_code);
void SetupDestroyCommand(CLI::App& app, int* exit_code);
void SetupShowCommand(CLI::App& app, int* exit_code);
void SetupStateCommand(CLI::App& app, int* exit_code);
void SetupImportCommand(CLI::App& app, int* exit_code);
void SetupForceUnlockCommand(CLI::App& app, int* exit_code);
void SetupGraphCommand(CLI::App& app, int* exit_code);
void SetupTrustCommand(CLI::App& app, int* exit_code);
void SetupVersionCommand(CLI::App& app, int* exit_code);
void SetupOutputCommand(CLI::App& app, int* exit_code);
void SetupTemplatesCommand(CLI::App& app, int* exit_code);
void SetupFleetCommand(CLI::App& app, int* exit_code);

}  // namespace mfgctl
