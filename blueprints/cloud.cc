// The `cloud:` section: the plant's cloud services, on the target `cloud`.
// Pub/Sub topics and subscriptions expand to gcp.pubsub.* resources
// addressed `cloud:pubsub.topic[telemetry-line1]` and
// `cloud:pubsub.subscription[twin-ingest]`; a subscription follows the
// topics it names. BigQuery datasets and tables expand to gcp.bigquery.*
// (`cloud:bigquery.table[twin.telemetry]`), a table after its dataset.
// Buckets expand to s3.bucket resources addressed
// `cloud:bucket[historian-archive]`.
#include <algorithm>
#include <cctype>

#include "blueprints/expander.h"

namespace mfgctl {
namespace {

constexpr char kCloudTarget[] = "cloud";

// A Pub/Sub topic or subscription ID as Google takes it.
bool ValidPubsubId(const std::string& id) {
  if (id.size() < 3 || id.size() > 255 || id.rfind("goog", 0) == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && std::string_view("-_.~+%").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A BigQuery dataset ID, or a table's part of DATASET.TABLE.
bool ValidBigQueryId(std::string_view id, bool table) {
  if (id.empty() || id.size() > 1024) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '_' && !(table && c == '-')) return false;
  }
  return true;
}

bool ValidDatasetId(const std::string& id) { return ValidBigQueryId(id, false); }

bool ValidTableId(const std::string& id) {
  size_t dot = id.find('.');
  return dot != std::string::npos && ValidBigQueryId(std::string_view(id).substr(0, dot), false) &&
         ValidBigQueryId(std::string_view(id).substr(dot + 1), true);
}

// A bucket name as S3 takes it (the rules for new buckets).
bool ValidBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63 || name.find("..") != std::string::npos) return false;
  for (unsigned char c : name) {
    if (!std::islower(c) && !std::isdigit(c) && c != '.' && c != '-') return false;
  }
  auto alnum = [](unsigned char c) { return std::islower(c) || std::isdigit(c); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  // Not shaped like an IPv4 address.
  return name.find_first_not_of("0123456789.") != std::string::npos;
}

// One map of names under cloud: — each entry a resource of `type` whose
// `name` is made from the project (Google's) and its key.
struct CloudCollection {
  const char* service;  // the key under cloud: ("": the collection is directly there)
  const char* key;      // the key under the service (or under cloud:)
  const char* type;
  const char* noun;  // in errors: `pubsub ID "t1" is not one Google takes`
  const char* owner;
  const char* rule;  // what a valid ID is
  bool (*valid)(const std::string& id);
  std::string (*name)(const std::string& project, const std::string& id);
};

constexpr char kPubsubRule[] =
    "3 to 255 of letters, digits and - _ . ~ + %, starting with a letter, not with \"goog\"";
constexpr CloudCollection kCollections[] = {
    {"pubsub", "topics", "gcp.pubsub.topic", "pubsub ID", "Google", kPubsubRule, ValidPubsubId,
     [](const std::string& p, const std::string& id) { return "projects/" + p + "/topics/" + id; }},
    {"pubsub", "subscriptions", "gcp.pubsub.subscription", "pubsub ID", "Google", kPubsubRule,
     ValidPubsubId,
     [](const std::string& p, const std::string& id) {
       return "projects/" + p + "/subscriptions/" + id;
     }},
    {"bigquery", "datasets", "gcp.bigquery.dataset", "bigquery dataset ID", "Google",
     "letters, digits and underscores, at most 1024", ValidDatasetId,
     [](const std::string& p, const std::string& id) { return p + "." + id; }},
    {"bigquery", "tables", "gcp.bigquery.table", "bigquery table", "Google",
     "DATASET.TABLE: a dataset ID, a dot, and letters, digits, underscores and hyphens",
     ValidTableId, [](const std::string& p, const std::string& id) { return p + "." + id; }},
    {"", "buckets", "s3.bucket", "bucket name", "S3",
     "3 to 63 of lowercase letters, digits, dots and hyphens, starting and ending with a letter "
     "or digit, not an IP address",
     ValidBucketName, [](const std::string&, const std::string& id) { return id; }},
};

}  // namespace

bool Expander::ExpandCloud(const SourceNode& node) {
  if (node.IsNull()) return true;
  std::vector<std::string> top;  // services and collections directly under cloud:
  for (const auto& c : kCollections) {
    std::string key = *c.service ? c.service : c.key;
    if (std::find(top.begin(), top.end(), key) == top.end()) top.push_back(key);
  }
  if (!ExpectMap(node, "\"cloud\"") || !CheckKeys(node, top, "\"cloud\"")) return false;
  // Several files may each have a `cloud:`; a host may not take the name.
  auto [target, made] = targets_.try_emplace(
      kCloudTarget, Target{kCloudTarget, kCloudTarget, Value::object(), node.pos(), {}});
  if (!made && target->second.provider != kCloudTarget) {
    diags_->Error("host \"cloud\" at " + target->second.pos.ToString() +
                      " takes the name of the cloud's services",
                  target->second.pos, "name the host otherwise");
    return false;
  }
  auto collection = [&](const CloudCollection& c, const SourceNode& section,
                        const std::string& project) {
    std::string where = std::string("\"cloud.") +
                        (*c.service ? c.service + std::string(".") : "") + c.key + "\"";
    if (section.IsNull()) return true;
    if (!section.IsMap()) {
      diags_->Error(where + " must be a map of names, got " + std::string(section.Describe()),
                    section.pos());
      return false;
    }
    for (const auto& [written, attrs] : section.entries) {
      const SourceNode* evaluated = NameOf(written);
      if (!evaluated) return false;
      const SourceNode& name = *evaluated;
      std::string full = c.name(project, name.scalar);
      // `name` is made, not written: what publishers and readers use.
      if (attrs.IsMap() && attrs.Get("name")) {
        for (const auto& [k, v] : attrs.entries) {
          if (k.scalar != "name") continue;
          diags_->Error("\"name\" of " + std::string(*c.service ? c.service : "bucket") + " " +
                            name.scalar + " is made from " +
                            (*c.service ? "the project and its ID (" : "its ID (") + full +
                            "); it cannot be set",
                        k.pos());
        }
        return false;
      }
      if (!c.valid(name.scalar)) {
        diags_->Error(std::string(c.noun) + " \"" + name.scalar + "\" is not one " + c.owner +
                          " takes",
                      name.pos(), c.rule);
        return false;
      }
      SourceNode& body_with_name = synthesized_.emplace_back(attrs);
      if (body_with_name.IsNull()) body_with_name.kind = SourceNode::Kind::kMap;
      // A bucket's `lifecycle: [rules]` is S3's lifecycle configuration; a
      // map there stays mfgctl's lifecycle block (protected).
      for (auto& [k, v] : body_with_name.entries) {
        if (!*c.service && k.scalar == kLifecycleKey && v.IsSequence()) {
          k.scalar = "lifecycle_rules";
        }
      }
      SourceNode key = name, value = name;
      key.scalar = "name";
      value.scalar = full;
      value.quoted = true;
      body_with_name.entries.push_back({key, value});
      SectionEntry entry{&name, &body_with_name};
      if (!AddHostResource(kCloudTarget, c.type, nullptr, entry)) return false;
    }
    return true;
  };
  for (const auto& [service, body] : node.entries) {
    std::string what = "\"cloud." + service.scalar + "\"";
    if (body.IsNull()) continue;
    const CloudCollection* direct = nullptr;
    std::vector<std::string> keys;
    for (const auto& c : kCollections) {
      if (!*c.service && service.scalar == c.key) direct = &c;
      if (service.scalar == c.service) keys.push_back(c.key);
    }
    if (direct) {
      if (!collection(*direct, body, "")) return false;
      continue;
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
      if (section && !collection(c, *section, project)) return false;
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
    if (r.type == "gcp.bigquery.table") {
      std::string id = r.address.name;
      if (std::string d = declared("bigquery.dataset", id.substr(0, id.find('.'))); !d.empty()) {
        DependOn(&r, d);
      }
      continue;
    }
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
