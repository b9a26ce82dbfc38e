// gcp.pubsub.topic: a Pub/Sub topic the gateways publish line telemetry to.
#include "providers/gcp/gcp_type.h"

namespace mfgctl {

std::string TopicName(const std::string& topic, const std::string& project) {
  return topic.find('/') == std::string::npos ? "projects/" + project + "/topics/" + topic
                                              : topic;
}

std::string TopicId(const std::string& name, const std::string& project) {
  std::string prefix = "projects/" + project + "/topics/";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

namespace {

class TopicType : public GcpType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "gcp.pubsub.topic";
    s.description = "A Pub/Sub topic.";
    s.attributes = {
        {.name = "name", .description = "The topic's full name, projects/PROJECT/topics/ID: "
                                        "what publishers name. Made from the project and the "
                                        "ID, not written.",
         .computed = true},
        {.name = "labels", .type = AttrType::kStringMap,
         .description = "Labels on the topic."},
        {.name = "message_retention", .duration = true,
         .description = "How long the topic keeps messages, acknowledged or not (10m to 31d); "
                        "unset: it keeps none beyond its subscriptions'."},
        StateAttribute(),
    };
    return s;
  }
  const char* Collection() const override { return "topics"; }
  const char* Singular() const override { return "topic"; }

  Value ToApi(const Value& attrs, const std::string&) const override {
    Value o = Value::object();
    if (attrs.contains("labels")) o["labels"] = attrs["labels"];
    if (attrs.contains("message_retention")) {
      o["messageRetentionDuration"] = attrs["message_retention"];
    }
    return o;
  }

  Value FromApi(const Value& object, const std::string&) const override {
    Value a = Value::object();
    a["name"] = StringAttr(object, "name");
    a["labels"] = object.value("labels", Value::object());
    if (object.contains("messageRetentionDuration")) {
      a["message_retention"] = object["messageRetentionDuration"];
    }
    return a;
  }

  std::string ApiField(const std::string& attribute) const override {
    return attribute == "message_retention" ? "messageRetentionDuration" : attribute;
  }
};

}  // namespace

std::unique_ptr<GcpType> MakePubsubTopicType() { return std::make_unique<TopicType>(); }

}  // namespace mfgctl
