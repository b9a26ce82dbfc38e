#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/model/value.h"

namespace mfgctl {

/// A value known only once another resource is read or applied: the
/// blueprint's `${gw1:package[sl].version}` when the blueprint leaves that
/// computed attribute to the host. The loader writes this marker where the
/// value goes; the planner replaces it with the live value, or — when the
/// resource is made in the same plan — the walker does, once it is made.
std::string UnknownMarker(const std::string& address, const std::string& attribute);

/// True when `v` is a string that is exactly one marker (it then takes the
/// value's own type when resolved: a number stays a number).
bool IsUnknownMarker(const Value& v);

/// Gives the value of `attribute` of the resource at `address`, or null
/// when it is not known (yet).
using UnknownLookup =
    std::function<const Value*(const std::string& address, const std::string& attribute)>;

/// Replaces the markers in `v` (strings, in lists and objects too) with
/// what `lookup` gives; a marker it cannot resolve stays, and is named
/// (`ADDRESS.ATTRIBUTE`) in `unresolved`. True when none is left.
bool ResolveUnknowns(Value* v, const UnknownLookup& lookup,
                     std::vector<std::string>* unresolved = nullptr);

}  // namespace mfgctl
