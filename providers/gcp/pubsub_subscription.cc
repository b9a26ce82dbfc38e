// gcp.pubsub.subscription: a Pub/Sub subscription the digital twin reads a
// topic through — its acknowledgement deadline, retention, expiration,
// dead-letter and retry policies, filter.
#include "providers/gcp/gcp_type.h"

namespace mfgctl {
namespace {

// Attribute and API field, for the fields that map one to one.
constexpr std::pair<const char*, const char*> kPlain[] = {
    {"ack_deadline_seconds", "ackDeadlineSeconds"},
    {"retain_acked_messages", "retainAckedMessages"},
    {"message_retention", "messageRetentionDuration"},
    {"filter", "filter"},
    {"enable_message_ordering", "enableMessageOrdering"},
    {"labels", "labels"},
};

class SubscriptionType : public GcpType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "gcp.pubsub.subscription";
    s.description = "A Pub/Sub subscription to a topic.";
    s.attributes = {
        {.name = "name", .description = "The subscription's full name, "
                                        "projects/PROJECT/subscriptions/ID: what readers name. "
                                        "Made from the project and the ID, not written.",
         .computed = true},
        {.name = "topic", .required = true, .force_new = true,
         .description = "The topic it reads: an ID in the project, or a full name "
                        "projects/P/topics/T. A change replaces the subscription."},
        {.name = "ack_deadline_seconds", .type = AttrType::kNumber, .min = 10, .max = 600,
         .description = "Seconds a reader has to acknowledge a message (10 to 600; the "
                        "service's default 10)."},
        {.name = "retain_acked_messages", .type = AttrType::kBool,
         .description = "Keep acknowledged messages for message_retention (default false)."},
        {.name = "message_retention", .duration = true,
         .description = "How long unacknowledged messages are kept (10m to 7d; default 7d)."},
        {.name = "expiration", .duration = true, .one_of = {"never"},
         .description = "How long the subscription may go unused before the service deletes "
                        "it, or never (default 31d)."},
        {.name = "dead_letter", .type = AttrType::kObject,
         .description = "Where messages go that could not be delivered.",
         .attributes = {{.name = "topic", .required = true,
                         .description = "The dead-letter topic: an ID in the project or a full "
                                        "name."},
                        {.name = "max_delivery_attempts", .type = AttrType::kNumber, .min = 5, .max = 100,
                         .description = "Attempts before a message goes there (5 to 100)."}}},
        {.name = "retry", .type = AttrType::kObject,
         .description = "The backoff between redeliveries; unset: at once.",
         .attributes = {{.name = "minimum_backoff", .duration = true,
                         .description = "The least wait (0s to 600s; default 10s)."},
                        {.name = "maximum_backoff", .duration = true,
                         .description = "The longest wait (0s to 600s; default 600s)."}}},
        {.name = "filter", .force_new = true,
         .description = "Only messages whose attributes match are delivered "
                        "(`attributes.line = \"L1\"`). A change replaces the subscription."},
        {.name = "enable_message_ordering", .type = AttrType::kBool, .force_new = true,
         .description = "Deliver messages with the same ordering key in order. A change "
                        "replaces the subscription."},
        {.name = "labels", .type = AttrType::kStringMap,
         .description = "Labels on the subscription."},
        StateAttribute(),
    };
    return s;
  }
  const char* Collection() const override { return "subscriptions"; }
  const char* Singular() const override { return "subscription"; }

  Value ToApi(const Value& attrs, const std::string& project) const override {
    Value o = Value::object();
    if (attrs.contains("topic")) {
      o["topic"] = TopicName(StringAttr(attrs, "topic"), project);
    }
    for (const auto& [attr, field] : kPlain) {
      if (attrs.contains(attr)) o[field] = attrs[attr];
    }
    if (attrs.contains("expiration")) {
      std::string e = StringAttr(attrs, "expiration");
      o["expirationPolicy"] = e == "never" ? Value::object() : Value{{"ttl", e}};
    }
    if (attrs.contains("dead_letter")) {
      const Value& d = attrs["dead_letter"];
      Value p = {{"deadLetterTopic", TopicName(StringAttr(d, "topic"), project)}};
      if (d.contains("max_delivery_attempts")) p["maxDeliveryAttempts"] = d["max_delivery_attempts"];
      o["deadLetterPolicy"] = std::move(p);
    }
    if (attrs.contains("retry")) {
      const Value& r = attrs["retry"];
      Value p = Value::object();
      if (r.contains("minimum_backoff")) p["minimumBackoff"] = r["minimum_backoff"];
      if (r.contains("maximum_backoff")) p["maximumBackoff"] = r["maximum_backoff"];
      o["retryPolicy"] = std::move(p);
    }
    return o;
  }

  Value FromApi(const Value& object, const std::string& project) const override {
    Value a = Value::object();
    a["name"] = StringAttr(object, "name");
    a["topic"] = TopicId(StringAttr(object, "topic"), project);
    for (const auto& [attr, field] : kPlain) {
      if (object.contains(field)) a[attr] = object[field];
    }
    // What the service leaves out of its answer is its default.
    if (!a.contains("retain_acked_messages")) a["retain_acked_messages"] = false;
    if (!a.contains("enable_message_ordering")) a["enable_message_ordering"] = false;
    if (!a.contains("filter")) a["filter"] = "";
    if (!a.contains("labels")) a["labels"] = Value::object();
    if (auto e = object.find("expirationPolicy"); e != object.end() && e->is_object()) {
      a["expiration"] = StringAttr(*e, "ttl", "never");
    }
    if (auto d = object.find("deadLetterPolicy"); d != object.end() && d->is_object()) {
      Value p = {{"topic", TopicId(StringAttr(*d, "deadLetterTopic"), project)}};
      if (d->contains("maxDeliveryAttempts")) p["max_delivery_attempts"] = (*d)["maxDeliveryAttempts"];
      a["dead_letter"] = std::move(p);
    }
    if (auto r = object.find("retryPolicy"); r != object.end() && r->is_object()) {
      Value p = Value::object();
      if (r->contains("minimumBackoff")) p["minimum_backoff"] = (*r)["minimumBackoff"];
      if (r->contains("maximumBackoff")) p["maximum_backoff"] = (*r)["maximumBackoff"];
      a["retry"] = std::move(p);
    }
    return a;
  }

  std::string ApiField(const std::string& attribute) const override {
    for (const auto& [attr, field] : kPlain) {
      if (attribute == attr) return field;
    }
    if (attribute == "expiration") return "expirationPolicy";
    if (attribute == "dead_letter") return "deadLetterPolicy";
    if (attribute == "retry") return "retryPolicy";
    return attribute;
  }
};

}  // namespace

std::unique_ptr<GcpType> MakePubsubSubscriptionType() {
  return std::make_unique<SubscriptionType>();
}

}  // namespace mfgctl
