#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mfgctl {

/// An attribute tree: a resource's attributes, a target's connection
/// settings, a provider's configuration. JSON-shaped because state and plan
/// files are JSON and because providers may later live out of process.
using Value = nlohmann::ordered_json;

/// `v` as JSON text for people and logs: bytes that are not UTF-8 show as
/// U+FFFD instead of failing.
inline std::string ShowJson(const Value& v) {
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

}  // namespace mfgctl
