#include "cli/workspace.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "backends/state_backends.h"
#include "blueprints/template_library.h"
#include "cli/providers.h"
#include "cli/render/redaction.h"

namespace mfgctl {

void AddBlueprintOptions(CLI::App* cmd, BlueprintOptions* o) {
  // Each repeatable flag takes one value, so `--var X=1 PLANFILE` leaves
  // the plan file alone.
  cmd->add_option("-f,--file", o->files,
                  "Blueprint file (repeatable); default: plant.yaml in the current directory")
      ->allow_extra_args(false);
  cmd->add_option("--var", o->vars, "Set a variable: NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--var-file", o->var_files, "YAML file of variable values (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--state", o->state_path,
                  "State file; default: .mfgctl/PLANT.state.json beside the blueprint");
  cmd->add_flag("--json", o->json, "Machine-readable output: one JSON object per line");
}

bool SplitVar(const std::string& text, std::string* name, std::string* value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *name = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

std::string StatePath(const BlueprintOptions& o, const std::string& plant) {
  if (!o.state_path.empty()) return std::filesystem::absolute(o.state_path).string();
  std::filesystem::path first = o.files.empty() ? "plant.yaml" : o.files[0];
  auto dir = std::filesystem::absolute(first).parent_path();
  return (dir / ".mfgctl" / (plant + ".state.json")).string();
}

bool LoadWorkspace(const BlueprintOptions& o, Workspace* ws, Diagnostics* diags,
                   const ProviderSetup& setup) {
  bool registered = setup ? setup(&ws->providers, &ws->connections, diags)
                          : RegisterProviders(&ws->providers, &ws->connections, diags);
  if (!registered) return false;
  LoadOptions load;
  for (const auto& f : o.files.empty() ? std::vector<std::string>{"plant.yaml"} : o.files) {
    load.files.push_back(std::filesystem::absolute(f).lexically_normal().string());
  }
  for (const auto& f : o.var_files) {
    load.var_files.push_back(std::filesystem::absolute(f).lexically_normal().string());
  }
  for (const auto& v : o.vars) {
    std::string name, value;
    if (!SplitVar(v, &name, &value)) {
      diags->Error("--var expects NAME=VALUE, got \"" + v + "\"");
      return false;
    }
    load.vars.emplace_back(name, value);
  }
  load.plant = o.fleet_plant;
  load.state_block = o.fleet_state;
  load.state_only = o.state_only;
  load.template_library = ShippedTemplateLibrary();
  load.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  std::error_code missing;  // other errors (a symlink loop) are said by the loader
  if (o.files.empty() && !std::filesystem::exists(load.files[0], missing) && !missing) {
    diags->Error("no plant.yaml in the current directory", {},
                 "pass the blueprint with -f FILE");
    return false;
  }
  if (!LoadBlueprint(load, SchemasOf(ws->providers), &ws->config, diags)) return false;
  ScrubFromOutput(ws->config.secret_values);
  // --state names a local file, whatever the blueprint says.
  std::optional<ProviderConfig> state = o.state_path.empty() ? ws->config.state : std::nullopt;
  ws->backend = OpenStateBackend(state, StatePath(o, ws->config.plant), ws->config.plant, diags);
  return ws->backend != nullptr;
}

std::string RunnerName() {
  char host[256] = "?";
  gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  return std::string(user ? user : "?") + "@" + host;
}

std::string RunDescription(const std::string& command) {
  return "pid " + std::to_string(getpid()) + " (mfgctl " + command + ") of " + RunnerName();
}

bool LockAndReadState(Workspace* ws, const std::string& command, int lock_timeout_s,
                      Diagnostics* diags) {
  return ws->backend->Lock(RunDescription(command), lock_timeout_s * 1000, diags) &&
         ws->backend->Read(&ws->state, diags);
}

Value InputsToJson(const BlueprintOptions& o, const std::vector<std::string>& sensitive) {
  std::vector<std::string> files, var_files, vars, withheld;
  for (const auto& v : o.vars) {
    std::string name, value;
    if (SplitVar(v, &name, &value) && Contains(sensitive, name)) {
      withheld.push_back(name);
    } else {
      vars.push_back(v);
    }
  }
  for (const auto& f : o.files.empty() ? std::vector<std::string>{"plant.yaml"} : o.files) {
    files.push_back(std::filesystem::absolute(f).lexically_normal().string());
  }
  for (const auto& f : o.var_files) {
    var_files.push_back(std::filesystem::absolute(f).lexically_normal().string());
  }
  return {{"files", files},
          {"vars", vars},
          {"withheld_vars", withheld},
          {"var_files", var_files},
          {"state", o.state_path.empty()
                        ? std::string()
                        : std::filesystem::absolute(o.state_path).string()}};
}

BlueprintOptions InputsFromJson(const Value& j) {
  BlueprintOptions o;
  o.files = j.value("files", std::vector<std::string>{});
  o.vars = j.value("vars", std::vector<std::string>{});
  o.withheld_vars = j.value("withheld_vars", std::vector<std::string>{});
  o.var_files = j.value("var_files", std::vector<std::string>{});
  o.state_path = j.value("state", "");
  return o;
}

}  // namespace mfgctl
