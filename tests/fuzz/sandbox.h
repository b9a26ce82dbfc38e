#pragma once

// What the blueprint fuzz target and its regression test share: a folder of
// the local files blueprints refer to, and one input run through the loader
// the way `mfgctl validate` runs a blueprint.

#include <filesystem>
#include <string>
#include <string_view>

#include "blueprints/blueprint.h"
#include "engine/provider/registry.h"
#include "providers/shell/host_connections.h"

namespace mfgctl {

/// A temporary folder holding what the docs' examples name beside a
/// blueprint: `source:` files, a `template:`, bundle, firmware and wheel
/// directories, a 0600 secret file and SSH key files. Each input becomes its
/// `plant.yaml`; the part after a line `#%template` (if any) becomes
/// `fuzz.tmpl`, which the blueprint can render with `template: ./fuzz.tmpl`.
/// Lines after it make a folder `fuzz/` of files the blueprint can name
/// (`source: ./fuzz/a`, `bundles: { /srv/b: ./fuzz/d }`), made anew for
/// each input:
///   `#%file NAME` the lines up to the next `#%` line are its content;
///   `#%dir NAME`, `#%fifo NAME`; `#%link NAME TARGET` a symbolic link.
/// NAME and TARGET stay inside `fuzz/` (`..` and leading `/` are dropped);
/// a link may point at itself or in a loop.
/// HOME points into the folder while it lives, so `~/` paths stay inside.
class FuzzSandbox {
 public:
  /// Makes the folder `root` (emptied first) and the files in it.
  explicit FuzzSandbox(std::filesystem::path root);
  ~FuzzSandbox();
  FuzzSandbox(const FuzzSandbox&) = delete;
  FuzzSandbox& operator=(const FuzzSandbox&) = delete;

  /// Writes `input` as the blueprint (and template), loads it against the
  /// real provider schemas and renders the diagnostics as text, like
  /// `mfgctl validate`; parses and evaluates `input` as one `${...}` string
  /// too. Returns whether the blueprint loaded; `diags` gets why not.
  /// Exceptions are not caught: the loader must not throw.
  bool Run(std::string_view input, Diagnostics* diags);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::string old_home_;
  bool had_home_ = false;
  HostConnections connections_;
  ProviderRegistry registry_;
  BlueprintSchemas schemas_;
};

}  // namespace mfgctl
