#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/model/value.h"

namespace mfgctl {

/// What an attribute holds. The last three nest: their attributes are in
/// AttributeSchema::attributes (those of the object, or of every element).
enum class AttrType {
  kString, kNumber, kBool, kStringList, kStringMap, kObject, kObjectList, kObjectMap
};

/// True for an object, a list of objects or a map of objects.
bool IsNested(AttrType t);

std::string_view AttrTypeName(AttrType t);

/// One attribute of a resource type as its provider declares it.
struct AttributeSchema {
  std::string name;
  AttrType type = AttrType::kString;
  bool required = false;
  /// A change to it cannot be made in place: the plan shows `-/+`.
  bool force_new = false;
  /// Redacted in every output; stored in state only as a digest.
  bool sensitive = false;
  /// Compared and stored as `sha256:HEX` of its value (file content): the
  /// provider reads back a digest, never the content.
  bool digest = false;
  /// For octal file modes: "750", "0750" and 0750 compare equal.
  bool octal_mode = false;
  /// A local file path: relative paths are taken from the blueprint's
  /// folder, `~/` from $HOME.
  bool local_path = false;
  /// A local file whose bytes become the attribute named here (`source:`
  /// gives `content`); with `interpolate_file`, the file is first rendered
  /// with the blueprint's `${...}` expressions (`template:`).
  std::string file_into{};
  bool interpolate_file = false;
  /// A local directory: its path reaches the provider as the attribute's
  /// value, and the digest of every regular file in it (dot files left out)
  /// becomes the map attribute named here — a bundle's `source:` gives
  /// `files`, so the plan compares checksums, never the bytes.
  std::string directory_into{};
  /// A local file too large to hold (a disk image): its path reaches the
  /// provider as the attribute's value, and its SHA-256 becomes the
  /// attribute named here, read in pieces.
  std::string digest_into{};
  /// Shapes the plan, not the resource (`notify`): never compared with live
  /// state nor stored.
  bool plan_only = false;
  /// A list compared as a set: stored and compared sorted.
  bool unordered = false;
  /// A duration (`7d`, `1h30m`, `600s`; engine/model/duration.h): checked
  /// where the blueprint writes it, compared and stored as seconds
  /// (`604800s`). Words in `one_of` are allowed beside durations (`never`).
  bool duration = false;
  /// When not empty, the only values a string attribute may take.
  std::vector<std::string> one_of{};
  /// When set, a number attribute must be a whole number at least / at most
  /// this (days, seconds, vCPUs), checked where the blueprint writes it.
  std::optional<long long> min{};
  std::optional<long long> max{};
  /// Values that mean another (BigQuery's `FLOAT64` is its `FLOAT`):
  /// compared and stored as that one.
  std::vector<std::pair<std::string, std::string>> aliases{};
  std::string description{};
  /// Set by the provider when the blueprint leaves it out (an installed
  /// version, a MAC, a server-made id): read back with the live state,
  /// returned by apply and recorded in state. Until the resource exists the
  /// plan shows it as `(known after apply)`, and a `${...}` reference to it
  /// is resolved during apply, once the resource is made.
  bool computed = false;
  /// For nested types: the attributes of the object, or of each element.
  std::vector<AttributeSchema> attributes{};

  const AttributeSchema* Find(std::string_view name) const;
};

/// A resource type: `host.file`, its attributes, what it is for.
struct ResourceTypeSchema {
  std::string type;
  std::string description;
  /// Ready actions of this type on one target may go to the provider
  /// together (ApplyBatch): one package-manager call for all packages.
  bool batch_apply = false;
  /// Each action of this type goes to the provider alone, even one that
  /// applies actions together (commands: arbitrary, maybe long programs):
  /// it is recorded as soon as it finishes, an interrupt stops before the
  /// next one, and a timeout is its own.
  bool applies_alone = false;
  std::vector<AttributeSchema> attributes;
  /// What the plan calls the resource's name when it shows a creation
  /// (`+ name = "sl"`, `+ path = "/etc/x"`).
  std::string name_attribute = "name";

  const AttributeSchema* Find(std::string_view name) const;
};

/// The path step to one element of a list (`[0]`) or of a map (`["http"]`).
std::string ElementPath(size_t index);
std::string ElementPath(const std::string& key);

/// An attribute and a path inside it (`lifecycle` and `rule[0].days`, or
/// `[1].mac`), as one path.
std::string JoinPath(const std::string& key, const std::string& path);

/// The attribute that says a resource must not exist: `state: absent`.
/// The planner deletes a live resource whose desired `state` is absent.
inline constexpr const char* kStateAttribute = "state";
inline constexpr const char* kAbsent = "absent";

/// The `state: present | absent` attribute resource types share.
AttributeSchema StateAttribute();

/// The `lifecycle:` block any resource may carry beside its attributes:
/// `protected: true` keeps it from ever being deleted or replaced unless a
/// run names it in `--allow-destroy`. (A type that declares an attribute of
/// its own named `lifecycle` keeps that name for it.)
inline constexpr const char* kLifecycleKey = "lifecycle";
AttributeSchema LifecycleBlock();

/// Copies into `into` the computed leaves of nested attribute `a` that it
/// lacks, from `from` (element by element of lists and maps): the MACs a
/// provider chose for the NICs a blueprint lists.
void FillComputed(const AttributeSchema& a, const Value& from, Value* into);

/// `0750`, `750`, `"0750"` -> `0750`; anything else is returned unchanged.
std::string NormalizeMode(std::string_view mode);

/// The value an attribute is compared and stored as: the digest of digest and
/// sensitive attributes, the normalized mode of modes, else the value itself.
Value CanonicalAttribute(const AttributeSchema& a, const Value& v);

}  // namespace mfgctl
