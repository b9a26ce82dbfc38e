#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mfgctl {

/// An attribute tree: a resource's attributes, a target's connection
/// settings, a provider's configuration. JSON-shaped because state and plan
/// files are JSON and because providers may later live out of process.
using Value = nlohmann::ordered_json;

/// `v` as JSON text, for people, logs and the JSON files mfgctl writes
/// (state, plans, `--json` lines): bytes that are not UTF-8 show as U+FFFD
/// instead of failing. Use it for every dump: nlohmann's own throws. The
/// blueprint loader rejects such bytes at their position, so only text from
/// elsewhere (a host's reply) can meet the replacement.
inline std::string ShowJson(const Value& v, int indent = -1) {
  return v.dump(indent, ' ', false, Value::error_handler_t::replace);
}

}  // namespace mfgctl
