#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/schema.h"
#include "engine/model/value.h"

namespace mfgctl {

/// A path to a value inside a resource's attributes, as a reference writes
/// it after the address and as the plan shows nested changes:
/// `mac`, `dhcp.start`, `interfaces[1].mac`, `meta_data["local-hostname"]`
/// (a map's key may also follow a dot: `meta_data.instance-id`).
struct ValuePath {
  struct Step {
    std::string key;  // an object's attribute or a map's key
    size_t index = 0;
    bool is_index = false;  // a list's element, `[N]` counted from 0
  };
  std::string attribute;    // the top-level attribute
  std::vector<Step> steps;  // into it

  /// The path without its last step (the attribute itself when it has one).
  ValuePath Parent() const;
};

/// Parses `text`; on a malformed path returns false and says what was
/// expected.
bool ParseValuePath(std::string_view text, ValuePath* path, std::string* error);

/// The value at `path` in `attributes` (an object), or null when any step
/// is missing.
const Value* Follow(const Value& attributes, const ValuePath& path);

/// What the schema declares at `path`: the nested attribute it ends on, or
/// — inside a list of strings or a map of strings — that list or map. Null
/// when the schema has no such path.
const AttributeSchema* SchemaAt(const ResourceTypeSchema& schema, const ValuePath& path);

}  // namespace mfgctl
