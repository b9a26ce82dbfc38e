#pragma once

// Internal to providers/gcp: what the provider needs of each resource type
// — its collection in the project, and its attributes to and from the
// API's JSON object. One file per type.

#include <memory>
#include <string>

#include "engine/model/schema.h"
#include "engine/model/value.h"

namespace mfgctl {

class GcpType {
 public:
  virtual ~GcpType() = default;
  virtual ResourceTypeSchema Schema() const = 0;
  /// The collection under `projects/P/`, as URLs and list responses name
  /// it: "topics".
  virtual const char* Collection() const = 0;
  /// The object's field in a PATCH body: "topic".
  virtual const char* Singular() const = 0;
  /// The API's object for canonical attributes `attrs` (full names made
  /// with `project`). Only what `attrs` sets.
  virtual Value ToApi(const Value& attrs, const std::string& project) const = 0;
  /// The attributes of the API's `object`, canonical; unset fields as the
  /// service means them (no labels: `{}`).
  virtual Value FromApi(const Value& object, const std::string& project) const = 0;
  /// The API field an attribute is, as an update mask names it.
  virtual std::string ApiField(const std::string& attribute) const = 0;
};

std::unique_ptr<GcpType> MakePubsubTopicType();
std::unique_ptr<GcpType> MakePubsubSubscriptionType();

/// `projects/P/topics/ID` for a topic written as its ID; a full name is
/// kept (a topic of another project).
std::string TopicName(const std::string& topic, const std::string& project);
/// A topic's ID when `name` is in `project`, else the full name.
std::string TopicId(const std::string& name, const std::string& project);

}  // namespace mfgctl
