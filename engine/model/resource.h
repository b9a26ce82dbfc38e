#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/model/address.h"
#include "engine/model/diagnostics.h"
#include "engine/model/value.h"

namespace mfgctl {

/// Something resources live on and a provider reaches: a host over SSH, a
/// cloud project. `config` holds the connection settings (address, port,
/// user, key files with paths already absolute).
struct Target {
  std::string name;
  std::string provider;
  Value config = Value::object();
  SourcePos pos;
};

/// One primitive resource as the blueprint wants it.
struct Resource {
  ResourceAddress address;
  std::string type;  // "host.file"
  Value attributes = Value::object();
  std::vector<std::string> depends_on;  // addresses
  SourcePos pos;
};

/// Everything a blueprint asks for, after variables, expressions and
/// sections are expanded: the desired side of every diff.
struct DesiredConfig {
  std::string plant;
  std::map<std::string, Target> targets;
  std::vector<Resource> resources;
  /// Blueprint files and variable overrides it was made from, so a saved
  /// plan can re-create it and prove nothing changed.
  std::vector<std::string> files;
};

/// A digest of everything that decides the desired side; two configs with
/// the same digest plan the same actions.
std::string DigestOf(const DesiredConfig& config);

}  // namespace mfgctl
