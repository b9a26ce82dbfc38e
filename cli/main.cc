// mfgctl: the composition root. Parses the command line and runs one
// command; exit codes are decided here and in the commands, nowhere else.
#include <iostream>

#include "cli/commands/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"mfgctl: infrastructure as code for factories.\n"
               "Describe a plant in YAML blueprints; plan shows exactly what differs, apply makes "
               "it so.",
               "mfgctl"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  int exit_code = 0;
  mfgctl::SetupValidateCommand(app, &exit_code);
  mfgctl::SetupPlanCommand(app, &exit_code);
  mfgctl::SetupApplyCommand(app, &exit_code);
  mfgctl::SetupDestroyCommand(app, &exit_code);
  mfgctl::SetupShowCommand(app, &exit_code);
  mfgctl::SetupOutputCommand(app, &exit_code);
  mfgctl::SetupTemplatesCommand(app, &exit_code);
  mfgctl::SetupFleetCommand(app, &exit_code);
  mfgctl::SetupStateCommand(app, &exit_code);
  mfgctl::SetupImportCommand(app, &exit_code);
  mfgctl::SetupForceUnlockCommand(app, &exit_code);
  mfgctl::SetupGraphCommand(app, &exit_code);
  mfgctl::SetupTrustCommand(app, &exit_code);
  mfgctl::SetupVersionCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "mfgctl: internal error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
