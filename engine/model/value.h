#pragma once

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

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

/// A string member of `attrs`, or `fallback` when unset (or `attrs` is no
/// object); another JSON type as its JSON text. Never throws: for values
/// from elsewhere (an API's answer) as much as for attributes.
inline std::string StringAttr(const Value& attrs, const char* name,
                              const std::string& fallback = "") {
  if (!attrs.is_object()) return fallback;
  auto it = attrs.find(name);
  if (it == attrs.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : ShowJson(*it);
}

/// A whole-number member of `attrs`, or `fallback` when unset or of
/// another type. Never throws, as StringAttr.
inline long long IntAttr(const Value& attrs, const char* name, long long fallback = 0) {
  if (!attrs.is_object()) return fallback;
  auto it = attrs.find(name);
  return it != attrs.end() && it->is_number_integer() ? it->get<long long>() : fallback;
}

/// Whether `a` and `b` are the same value: objects whatever the order of
/// their keys. A Value keeps the order it was written or read in, and a
/// blueprint's map and a provider's answer (an engine's environment, an
/// API's labels) need not agree on it.
bool SameValue(const Value& a, const Value& b);

/// `v` as ShowJson writes it, each object's keys sorted: one text for one
/// value, whatever its order (what a digest of a value is taken of).
std::string CanonicalJson(const Value& v);

/// `text` as a whole number: an optional '-' and decimal digits, nothing
/// else, within long long. The one rule for "is this a number" wherever
/// text becomes a number (variables, template parameters, expressions).
inline bool ParseWholeNumber(std::string_view text, long long* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

}  // namespace mfgctl
