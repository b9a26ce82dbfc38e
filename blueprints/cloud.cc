// The `cloud:` section: the plant's cloud services, on the target `cloud`.
// Pub/Sub topics and subscriptions expand to gcp.pubsub.* resources
// addressed `cloud:pubsub.topic[telemetry-line1]` and
// `cloud:pubsub.subscription[twin-ingest]`; a subscription follows the
// topics it names.
#include <cctype>

#include "blueprints/expander.h"

namespace mfgctl {
namespace {

constexpr char kCloudTarget[] = "cloud";

struct CloudCollection {
  const char* service;  // the key under cloud:
  const char* key;      // the key under the service
  const char* type;
  const char* path;  // the full name: projects/PROJECT/PATH/ID
};
constexpr CloudCollection kCollections[] = {
    {"pubsub", "topics", "gcp.pubsub.topic", "topics"},
    {"pubsub", "subscriptions", "gcp.pubsub.subscription", "subscriptions"},
};

// A Pub/Sub topic or subscription ID as Google takes it.
bool ValidId(const std::string& id) {
  if (id.size() < 3 || id.size() > 255 || id.rfind("goog", 0) == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && std::string_view("-_.~+%").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool Expander::ExpandCloud(const SourceNode& node) {
  if (node.IsNull()) return true;
  if (!ExpectMap(node, "\"cloud\"") || !CheckKeys(node, {"pubsub"}, "\"cloud\"")) return false;
  // Several files may each have a `cloud:`; a host may not take the name.
  auto [target, made] = targets_.try_emplace(
      kCloudTarget, Target{kCloudTarget, kCloudTarget, Value::object(), node.pos(), {}});
  if (!made && target->second.provider != kCloudTarget) {
    diags_->Error("host \"cloud\" at " + target->second.pos.ToString() +
                      " takes the name of the cloud's services",
                  target->second.pos, "name the host otherwise");
    return false;
  }
  for (const auto& [service, body] : node.entries) {
    std::string what = "\"cloud." + service.scalar + "\"";
    if (body.IsNull()) continue;
    std::vector<std::string> keys;
    for (const auto& c : kCollections) {
      if (service.scalar == c.service) keys.push_back(c.key);
    }
    if (!ExpectMap(body, what) || !CheckKeys(body, keys, what)) return false;
    // Google's full names need the project: providers.gcp.project.
    auto gcp = provider_configs_.find("gcp");
    std::string project = gcp == provider_configs_.end()
                              ? ""
                              : gcp->second.settings.value("project", "");
    if (project.empty()) {
      diags_->Error(what + " needs the project it lives in: providers: { gcp: { project: ID } }",
                    service.pos());
      return false;
    }
    if (project.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.:") !=
        std::string::npos) {
      diags_->Error("providers.gcp.project \"" + project + "\" is not a project ID",
                    gcp->second.pos, "lowercase letters, digits and hyphens (a domain-scoped "
                                     "project: example.com:name)");
      return false;
    }
    for (const auto& c : kCollections) {
      if (service.scalar != c.service) continue;
      const SourceNode* section = body.Get(c.key);
      if (!section || section->IsNull()) continue;
      std::string where = "\"cloud." + service.scalar + "." + c.key + "\"";
      if (!section->IsMap()) {
        diags_->Error(where + " must be a map of names, got " +
                          std::string(section->Describe()),
                      section->pos());
        return false;
      }
      for (const auto& [name, attrs] : section->entries) {
        // `name` is made, not written: what publishers and readers use.
        if (attrs.IsMap() && attrs.Get("name")) {
          for (const auto& [k, v] : attrs.entries) {
            if (k.scalar != "name") continue;
            diags_->Error("\"name\" of " + std::string(c.service) + " " + name.scalar +
                              " is made from the project and its ID (projects/" + project + "/" +
                              c.path + "/" + name.scalar + "); it cannot be set",
                          k.pos());
          }
          return false;
        }
        if (!ValidId(name.scalar)) {
          diags_->Error(std::string(c.service) + " ID \"" + name.scalar + "\" is not one Google "
                            "takes",
                        name.pos(),
                        "3 to 255 of letters, digits and - _ . ~ + %, starting with a letter, "
                        "not with \"goog\"");
          return false;
        }
        SourceNode& body_with_name = synthesized_.emplace_back(attrs);
        if (body_with_name.IsNull()) body_with_name.kind = SourceNode::Kind::kMap;
        SourceNode key = name, value = name;
        key.scalar = "name";
        value.scalar = "projects/" + project + "/" + c.path + "/" + name.scalar;
        value.quoted = true;
        body_with_name.entries.push_back({key, value});
        SectionEntry entry{&name, &body_with_name};
        if (!AddHostResource(kCloudTarget, c.type, nullptr, entry)) return false;
      }
    }
  }
  return true;
}

bool Expander::WireCloud() {
  auto declared = [&](const std::string& kind, const std::string& name) {
    std::string addr = ResourceAddress{kCloudTarget, kind, name}.ToString();
    return by_address_.count(addr) ? addr : "";
  };
  for (auto& p : pending_) {
    Resource& r = p.resource;
    if (r.type != "gcp.pubsub.subscription") continue;
    const Value& a = r.attributes;
    auto dead_letter = a.find("dead_letter");
    for (const std::string& topic :
         {StringAttr(a, "topic"),
          dead_letter == a.end() ? std::string() : StringAttr(*dead_letter, "topic")}) {
      if (std::string d = declared("pubsub.topic", topic); !d.empty()) DependOn(&r, d);
    }
  }
  return true;
}

}  // namespace mfgctl
