#pragma once

// The fixture blueprint tests share: inline YAML loaded against the real
// provider schemas, diagnostics pinned as users see them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "blueprints/blueprint.h"
#include "cli/providers.h"

namespace mfgctl {

// Loads inline YAML written to a file named plant.yaml in a temp folder; the
// tests pin the exact text users see.
class BlueprintTest : public ::testing::Test {
 protected:
  BlueprintTest() {
    Diagnostics diags;
    EXPECT_TRUE(RegisterProviders(&registry_, &connections_, &diags));
    schemas_ = SchemasOf(registry_);
    dir_ = std::filesystem::temp_directory_path() / ("mfgctl-bp-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "plant.yaml").string();
  }
  ~BlueprintTest() override { std::filesystem::remove_all(dir_); }

  bool Load(const std::string& yaml, std::vector<std::pair<std::string, std::string>> vars = {}) {
    std::ofstream(path_) << yaml;
    LoadOptions o;
    o.files = {path_};
    o.vars = std::move(vars);
    o.template_library = template_library_;
    o.state_only = state_only_;
    o.getenv = [this](const std::string& n) -> std::optional<std::string> {
      auto it = env_.find(n);
      return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    diags_ = Diagnostics();
    config_ = DesiredConfig();
    return LoadBlueprint(o, schemas_, &config_, &diags_);
  }

  // The first diagnostic with the temp folder replaced by "DIR".
  std::string Error() const {
    if (diags_.empty()) return "(no error)";
    std::string s = FormatDiagnostic(diags_.items()[0]);
    std::string dir = dir_.string();
    for (size_t p; (p = s.find(dir)) != std::string::npos;) s.replace(p, dir.size(), "DIR");
    return s;
  }

  const Resource* Find(const std::string& addr) const {
    for (const auto& r : config_.resources) {
      if (r.address.ToString() == addr) return &r;
    }
    return nullptr;
  }

  bool state_only_ = false;  // LoadOptions::state_only
  static constexpr const char* kHead =
      "mfgctl: 1\n"
      "plant: line-demo\n"
      "providers:\n"
      "  ssh: { user: root, identity_file: ./keys/id, known_hosts: ./keys/known_hosts }\n";

  HostConnections connections_;
  ProviderRegistry registry_;
  BlueprintSchemas schemas_;
  std::filesystem::path dir_;
  std::string path_;
  std::map<std::string, std::string> env_;
  Diagnostics diags_;
  DesiredConfig config_;
  std::string template_library_;  // the shipped library, for the tests that use it
};

}  // namespace mfgctl
