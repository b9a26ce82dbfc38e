#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/action.h"
#include "engine/model/schema.h"
#include "engine/model/resource.h"
#include "engine/model/value.h"
#include "engine/state/state.h"

namespace mfgctl {

/// The attributes as they are compared and stored: every attribute passed
/// through CanonicalAttribute (digests, normalized modes).
Value CanonicalAttributes(const ResourceTypeSchema& schema, const Value& attrs);

/// The attributes of a resource compared and stored sealed: those its
/// schema marks sensitive and those the blueprint (`desired`) or the state
/// (`prior`) says derive from a secret. Either may be null.
std::vector<std::string> SensitiveNames(const ResourceTypeSchema& schema, const Resource* desired,
                                        const ResourceState* prior);

/// The attributes as a plan and the state hold them: canonical, with the
/// `sensitive` ones sealed with `salt`.
Value PlannedAttributes(const ResourceTypeSchema& schema, const Value& attrs,
                        const std::vector<std::string>& sensitive, std::string_view salt);

/// One leaf of an attribute that differs between two values, by its path
/// inside the attribute as the plan shows it (`rule[0].days`,
/// `ports["http"].number`; empty for the attribute itself). The side where
/// it is absent is null.
struct PathChange {
  std::string path;
  Value before;
  Value after;
  const AttributeSchema* schema = nullptr;  // the leaf's
};

/// The leaves that differ between `before` and `after` of attribute `a`.
/// Objects compare only the keys `after` sets (what the blueprint leaves
/// out is not managed, as at the top level); lists and maps of objects go
/// element by element, so an element only one side has shows all its
/// leaves as added or removed. With `before` null every leaf of `after` is
/// listed (a creation), with `after` null every leaf of `before`.
std::vector<PathChange> ChangedPaths(const AttributeSchema& a, const Value& before,
                                     const Value& after);

/// What it takes to make a live resource (`live`, canonical; null when it
/// does not exist) match `desired` (canonical). Only attributes the blueprint
/// sets are compared: what it leaves out, mfgctl does not manage (inside
/// nested attributes too). Fills `replace_because` with the force-new
/// attributes (or nested paths) that differ.
Action DiffResource(const ResourceTypeSchema& schema, const Value& desired, const Value& live,
                    std::vector<std::string>* replace_because);

}  // namespace mfgctl
