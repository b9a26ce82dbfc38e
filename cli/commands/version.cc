#include <iostream>

#include "cli/commands/commands.h"

namespace mfgctl {

void SetupVersionCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("version", "Print the mfgctl version");
  cmd->callback([exit_code] {
    std::cout << "mfgctl v" MFGCTL_VERSION "\n";
    *exit_code = 0;
  });
}

}  // namespace mfgctl
