#pragma once

#include <string>
#include <vector>

#include "engine/model/action.h"
#include "engine/model/schema.h"
#include "engine/model/value.h"

namespace mfgctl {

/// The attributes as they are compared and stored: every attribute passed
/// through CanonicalAttribute (digests, normalized modes).
Value CanonicalAttributes(const ResourceTypeSchema& schema, const Value& attrs);

/// What it takes to make a live resource (`live`, canonical; null when it
/// does not exist) match `desired` (canonical). Only attributes the blueprint
/// sets are compared: what it leaves out, mfgctl does not manage. Fills
/// `replace_because` with the force-new attributes that differ.
Action DiffResource(const ResourceTypeSchema& schema, const Value& desired, const Value& live,
                    std::vector<std::string>* replace_because);

}  // namespace mfgctl
