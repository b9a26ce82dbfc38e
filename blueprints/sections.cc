#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "blueprints/directory_tree.h"
#include "blueprints/expander.h"
#include "engine/model/suggest.h"

namespace mfgctl {
namespace {

// The sections of a host and the resource type each expands to.
struct HostSection {
  const char* key;
  const char* type;
  const char* scalar_attribute;  // what `name: scalar` sets, if allowed
};
// In the order a plant is usually built, which is the plan's order among
// resources that do not depend on each other.
constexpr HostSection kHostSections[] = {
    {"bundles", "host.bundle", "source"},
    {"apt_repositories", "host.apt_repository", nullptr},
    {"packages", "host.package", nullptr},
    {"groups", "host.group", nullptr},
    {"users", "host.user", nullptr},
    {"directories", "host.directory", nullptr},
    {"files", "host.file", nullptr},
    {"sysctl", "host.sysctl", "value"},
    {"python_envs", "host.python_env", nullptr},
    {"images", "host.image", nullptr},
    {"containers", "host.container", nullptr},
    {"commands", "host.command", nullptr},
    {"services", "host.service", nullptr},
};

const char kHostProvider[] = "ssh";

// `package_bundle: DIR` is short for this apt bundle.
const char kPackageBundleKey[] = "package_bundle";
const char kPackageBundlePath[] = "/var/lib/mfgctl/bundles/packages";
// `wheels: DIR` in a python_envs entry uploads DIR as the bundle at this
// folder followed by the venv's path.
const char kWheelBundleRoot[] = "/var/lib/mfgctl/wheels";

}  // namespace

std::string AbsoluteLocalPath(const std::string& path, const SourcePos& written_at) {
  namespace fs = std::filesystem;
  if (path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    return (fs::path(home ? home : "/") / path.substr(2)).string();
  }
  fs::path p(path);
  if (p.is_absolute()) return path;
  fs::path base = fs::absolute(fs::path(written_at.file)).parent_path();
  return (base / p).lexically_normal().string();
}

bool Expander::LoadGatewayGroups(const SourceNode& node,
                                 const std::vector<const SourceNode*>& gateway_sections) {
  if (node.IsNull()) return true;
  if (!ExpectMap(node, "\"gateway_groups\"")) return false;
  std::vector<std::string> hosts;
  for (const SourceNode* g : gateway_sections) {
    for (const auto& [name, body] : g->entries) hosts.push_back(name.scalar);
  }
  // Looked up once per member: a group of thousands among thousands.
  std::unordered_set<std::string_view> declared(hosts.begin(), hosts.end());
  const ResourceTypeSchema& conn = schemas_.target_types.at(kHostProvider);
  std::vector<std::string> allowed{"members", kPackageBundleKey};
  for (const auto& a : conn.attributes) {
    if (a.name != "address") allowed.push_back(a.name);
  }
  for (const auto& sec : kHostSections) allowed.push_back(sec.key);
  for (const auto& [name, body] : node.entries) {
    std::string what = "gateway group \"" + name.scalar + "\"";
    if (!ExpectMap(body, what) || !CheckKeys(body, allowed, what)) return false;
    const SourceNode* members = body.Get("members");
    if (!members || !members->IsSequence()) {
      diags_->Error(what + " needs \"members:\", a list of gateway names",
                    members ? members->pos() : name.pos());
      return false;
    }
    for (const auto& m : members->items) {
      if (!m.IsScalar() || !declared.count(m.scalar)) {
        diags_->Error("member \"" + m.scalar + "\" of " + what + " is not a declared gateway" +
                          DidYouMean(m.scalar, hosts),
                      m.pos());
        return false;
      }
      group_layers_[m.scalar].push_back(&body);
    }
  }
  return true;
}

bool Expander::ExpandGateways(const SourceNode& node) {
  if (node.IsNull()) return true;
  if (!ExpectMap(node, "\"gateways\"")) return false;
  for (const auto& [name, body] : node.entries) {
    if (!ExpandHost(name, body, "gateway", {})) return false;
  }
  return true;
}

bool Expander::ExpandHost(const SourceNode& name, const SourceNode& body, const char* kind,
                          const std::vector<std::string>& more_keys) {
  const std::string& host = name.scalar;
  std::string what = std::string(kind) + " \"" + host + "\"";
  if (host.empty() || host.find_first_of(":[] \t\n") != std::string::npos) {
    diags_->Error(std::string(kind) + " name \"" + host +
                      "\" may not contain ':', '[', ']' or spaces",
                  name.pos());
    return false;
  }
  if (targets_.count(host)) {
    diags_->Error("host \"" + host + "\" is declared twice; first at " +
                      targets_[host].pos.ToString(),
                  name.pos());
    return false;
  }
  if (!ExpectMap(body, what)) return false;
  const ResourceTypeSchema& conn = schemas_.target_types.at(kHostProvider);
  std::vector<std::string> allowed{kPackageBundleKey};
  for (const auto& a : conn.attributes) allowed.push_back(a.name);
  for (const auto& sec : kHostSections) allowed.push_back(sec.key);
  allowed.insert(allowed.end(), more_keys.begin(), more_keys.end());
  if (!CheckKeys(body, allowed, what)) return false;

  // Settings come in layers, later ones winning: the provider block, the
  // host's groups in the order written, the host itself.
  std::vector<const SourceNode*> layers;
  if (auto it = provider_blocks_.find(kHostProvider); it != provider_blocks_.end()) {
    layers.push_back(it->second);
  }
  if (auto it = group_layers_.find(host); it != group_layers_.end()) {
    layers.insert(layers.end(), it->second.begin(), it->second.end());
  }
  layers.push_back(&body);

  Target target{host, kHostProvider, Value::object(), name.pos(), {}};
  for (const SourceNode* layer : layers) {
    for (const auto& [key, value] : layer->entries) {
      const AttributeSchema* a = conn.Find(key.scalar);
      if (!a) continue;  // a section, or a group's members
      Scope scope{host};
      Value v;
      if (!EvaluateAttribute(value, *a, &scope, &v)) return false;
      if (a->local_path && v.is_string()) v = AbsoluteLocalPath(v.get<std::string>(), value.pos());
      target.config[key.scalar] = std::move(v);
      if (scope.sensitive || a->sensitive) {
        AddOnce(&target.sensitive, key.scalar);
      } else {
        std::erase(target.sensitive, key.scalar);  // a later layer set it without a secret
      }
    }
  }
  for (const auto& a : conn.attributes) {
    if (a.required && !target.config.contains(a.name)) {
      diags_->Error(what + " needs \"" + a.name + ":\"", name.pos());
      return false;
    }
  }
  targets_[host] = std::move(target);

  // Sections merge entry by entry: a later layer's entry of the same name
  // replaces an earlier one's.
  std::unordered_map<std::string, std::string> image_entries;  // `name:` as written -> entry
  for (const auto& sec : kHostSections) {
    std::vector<SectionEntry> merged;
    std::unordered_map<std::string, size_t> index;
    for (const SourceNode* layer : layers) {
      for (const auto& [key, value] : layer->entries) {
        if (key.scalar == sec.key && !CollectSection(key, value, &merged, &index)) return false;
        if (key.scalar == kPackageBundleKey && std::string_view(sec.key) == "bundles") {
          SectionEntry entry = PackageBundleEntry(key, value);
          auto [it, inserted] = index.emplace(entry.name->scalar, merged.size());
          if (inserted) merged.push_back(entry);
          else merged[it->second] = entry;
        }
      }
    }
    for (const auto& entry : merged) {
      const SourceNode* wheels = entry.attributes && entry.attributes->IsMap()
                                     ? entry.attributes->Get("wheels") : nullptr;
      if (wheels && std::string_view(sec.key) == "python_envs") {
        if (!AddPythonEnvWithWheels(host, entry, *wheels)) return false;
        continue;
      }
      if (std::string_view(sec.key) == "images" &&
          entry.name->scalar.find_first_of("[]{}$ ") != std::string::npos) {
        diags_->Error("image key \"" + entry.name->scalar + "\" may not contain '[', ']', '{', "
                      "'}', '$' or spaces: containers reference it",
                      entry.name->pos());
        return false;
      }
      if (std::string_view(sec.key) == "images" && entry.attributes && entry.attributes->IsMap()) {
        if (const SourceNode* n = entry.attributes->Get("name"); n && n->IsScalar()) {
          image_entries.emplace(n->scalar, entry.name->scalar);
        }
      }
      if (std::string_view(sec.key) == "containers") {
        if (!AddContainer(host, entry, image_entries)) return false;
        continue;
      }
      if (!AddHostResource(host, sec.type, sec.scalar_attribute, entry)) return false;
    }
  }
  return true;
}

bool Expander::AddContainer(const std::string& host, const SectionEntry& entry,
                            const std::unordered_map<std::string, std::string>& images) {
  // A container of an image the host's `images:` has (its `name:` written
  // the same) runs that image's ID: a reference, so it comes after the
  // image and a changed image recreates it.
  const SourceNode* image = entry.attributes && entry.attributes->IsMap()
                                ? entry.attributes->Get("image") : nullptr;
  auto it = image && image->IsScalar() ? images.find(image->scalar) : images.end();
  if (it == images.end() || entry.attributes->Get("image_id")) {
    return AddHostResource(host, "host.container", nullptr, entry);
  }
  SourceNode& body = synthesized_.emplace_back(*entry.attributes);
  SourceNode key = *image, value = *image;
  key.scalar = "image_id";
  value.scalar = "${image[" + it->second + "].id}";
  body.entries.push_back({std::move(key), std::move(value)});
  return AddHostResource(host, "host.container", nullptr, {entry.name, &body});
}

Expander::SectionEntry Expander::PackageBundleEntry(const SourceNode& key,
                                                    const SourceNode& value) {
  // The entry a `bundles:` section would have: the fixed path, `source:`
  // as written (errors point at it), `apt: true`.
  SourceNode& name = synthesized_.emplace_back(key);
  name.scalar = kPackageBundlePath;
  SourceNode& body = synthesized_.emplace_back();
  body.kind = SourceNode::Kind::kMap;
  body.doc = key.doc;
  body.line = key.line;
  body.col = key.col;
  SourceNode source_key = key, apt_key = key, apt = key;
  source_key.scalar = "source";
  apt_key.scalar = "apt";
  apt.scalar = "true";
  body.entries.push_back({std::move(source_key), value});
  body.entries.push_back({std::move(apt_key), std::move(apt)});
  return {&name, &body};
}

bool Expander::AddPythonEnvWithWheels(const std::string& host, const SectionEntry& entry,
                                      const SourceNode& wheels) {
  // The wheels become a bundle of their own; the venv installs from it
  // offline, after it is uploaded.
  if (const SourceNode* links = entry.attributes->Get("find_links")) {
    diags_->Error("set \"wheels:\" (a local directory to upload) or \"find_links:\" (a "
                      "directory on the host), not both",
                  links->pos());
    return false;
  }
  SourceNode& bundle = synthesized_.emplace_back(*entry.name);
  bundle.scalar = kWheelBundleRoot + entry.name->scalar;
  if (!AddHostResource(host, "host.bundle", "source", {&bundle, &wheels})) return false;
  SourceNode& body = synthesized_.emplace_back(*entry.attributes);
  for (auto& [key, value] : body.entries) {
    if (key.scalar != "wheels") continue;
    key.scalar = "find_links";
    value = bundle;
  }
  if (!AddHostResource(host, "host.python_env", nullptr, {entry.name, &body})) return false;
  pending_.back().resource.depends_on.push_back(
      ResourceAddress{host, "bundle", bundle.scalar}.ToString());
  return true;
}

const SourceNode* Expander::NameOf(const SourceNode& name) {
  if (!name.IsScalar() || !HasExpression(name.scalar)) return &name;
  // Evaluated before any resource is: variables and the environment only.
  Scope scope;
  Value v;
  if (!EvaluateScalar(name, &scope, &v)) return nullptr;
  if (scope.sensitive) {
    diags_->Error("a name cannot come from a secret: it is shown in addresses, plans and state",
                  name.pos());
    return nullptr;
  }
  SourceNode n = name;
  n.scalar = v.is_string() ? v.get<std::string>() : ShowJson(v);
  return &synthesized_.emplace_back(std::move(n));
}

bool Expander::CollectSection(const SourceNode& key, const SourceNode& body,
                              std::vector<SectionEntry>* merged,
                              std::unordered_map<std::string, size_t>* index) {
  auto add = [&](const SourceNode& written, const SourceNode* attrs) {
    const SourceNode* evaluated = NameOf(written);
    if (!evaluated) return false;
    const SourceNode& name = *evaluated;
    if (!name.IsScalar() || name.scalar.empty()) {
      diags_->Error("expected a name in \"" + key.scalar + "\", got " +
                        std::string(name.Describe()),
                    name.pos(),
                    name.IsSequence() ? "an address inside [ ] needs quotes: [\"service[x]\"]"
                                      : "");
      return false;
    }
    auto [it, inserted] = index->emplace(name.scalar, merged->size());
    if (inserted) {
      merged->push_back({&name, attrs});
    } else {
      (*merged)[it->second] = {&name, attrs};
    }
    return true;
  };
  if (body.IsNull()) return true;
  if (body.IsSequence()) {  // the list form: names only
    for (const auto& item : body.items) {
      if (!add(item, nullptr)) return false;
    }
    return true;
  }
  if (!body.IsMap()) {
    diags_->Error("\"" + key.scalar + "\" must be a map or a list, got " +
                      std::string(body.Describe()),
                  body.pos());
    return false;
  }
  for (const auto& [name, attrs] : body.entries) {
    if (!add(name, &attrs)) return false;
  }
  return true;
}

bool Expander::AddHostResource(const std::string& host, const std::string& type,
                               const char* scalar_attribute, const SectionEntry& entry) {
  const ResourceTypeSchema& schema = schemas_.resource_types.at(type);
  PendingResource p;
  p.resource.address = {host, std::string(KindOfType(type)), entry.name->scalar};
  p.resource.type = type;
  p.resource.pos = entry.name->pos();
  p.schema = &schema;
  if (scalar_attribute && entry.attributes && entry.attributes->IsScalar()) {
    p.attributes.emplace_back(scalar_attribute, entry.attributes);
  } else if (entry.attributes && !entry.attributes->IsNull()) {
    std::string what = p.resource.address.ToString();
    std::vector<std::string> allowed{"after", kLifecycleKey};
    for (const auto& a : schema.attributes) allowed.push_back(a.name);
    if (!ExpectMap(*entry.attributes, what)) return false;
    if (!CheckKeys(*entry.attributes, allowed, what)) return false;
    for (const auto& [k, v] : entry.attributes->entries) {
      if (k.scalar == "after") {
        p.after.push_back(&v);
      } else if (k.scalar == kLifecycleKey && !schema.Find(kLifecycleKey)) {
        p.lifecycle = &v;
      } else {
        p.attributes.emplace_back(k.scalar, &v);
      }
    }
  }
  return AddResource(std::move(p));
}

bool Expander::ExpandRawResources(const SourceNode& node) {
  if (node.IsNull()) return true;
  if (!node.IsSequence()) {
    diags_->Error("\"resources\" must be a list, got " + std::string(node.Describe()), node.pos());
    return false;
  }
  std::vector<std::string> types;
  for (const auto& [t, s] : schemas_.resource_types) types.push_back(t);
  for (const auto& item : node.items) {
    if (!ExpectMap(item, "a resource")) return false;
    const SourceNode* type = item.Get("type");
    const SourceNode* on = item.Get("on");
    const SourceNode* name = item.Get("name");
    for (auto [field, n] : {std::pair{"type", type}, {"on", on}, {"name", name}}) {
      if (!n || !n->IsScalar() || n->scalar.empty()) {
        diags_->Error(std::string("a resource needs \"") + field + ":\"",
                      n ? n->pos() : item.pos());
        return false;
      }
    }
    auto schema = schemas_.resource_types.find(type->scalar);
    if (schema == schemas_.resource_types.end()) {
      diags_->Error("unknown resource type \"" + type->scalar + "\"" +
                        DidYouMean(type->scalar, types),
                    type->pos());
      return false;
    }
    if (!targets_.count(on->scalar)) {
      std::vector<std::string> hosts;
      for (const auto& [h, t] : targets_) hosts.push_back(h);
      diags_->Error("\"on: " + on->scalar + "\" names no declared host" +
                        DidYouMean(on->scalar, hosts),
                    on->pos());
      return false;
    }
    std::vector<std::string> allowed{"type", "on", "name", "after", kLifecycleKey};
    for (const auto& a : schema->second.attributes) allowed.push_back(a.name);
    PendingResource p;
    p.resource.address = {on->scalar, std::string(KindOfType(type->scalar)), name->scalar};
    p.resource.type = type->scalar;
    p.resource.pos = item.pos();
    p.schema = &schema->second;
    if (!CheckKeys(item, allowed, p.resource.address.ToString())) return false;
    for (const auto& [k, v] : item.entries) {
      if (k.scalar == "after") p.after.push_back(&v);
      else if (k.scalar == kLifecycleKey && !p.schema->Find(kLifecycleKey)) p.lifecycle = &v;
      else if (k.scalar != "type" && k.scalar != "on" && k.scalar != "name")
        p.attributes.emplace_back(k.scalar, &v);
    }
    if (!AddResource(std::move(p))) return false;
  }
  return true;
}

bool Expander::AddResource(PendingResource pending) {
  std::string addr = pending.resource.address.ToString();
  auto [it, inserted] = by_address_.emplace(addr, pending_.size());
  if (!inserted) {
    diags_->Error("resource " + addr + " is declared twice; first at " +
                      pending_[it->second].resource.pos.ToString(),
                  pending.resource.pos);
    return false;
  }
  pending_.push_back(std::move(pending));
  return true;
}

void Expander::AddValueDependencies() {
  // A user after the groups it is in; a file or directory after the user
  // and group that own it — when the blueprint declares them on that host.
  auto depend = [&](PendingResource& p, const std::string& kind, const Value& name) {
    if (!name.is_string()) return;
    std::string addr =
        ResourceAddress{p.resource.address.target, kind, name.get<std::string>()}.ToString();
    if (by_address_.count(addr)) DependOn(&p.resource, addr);
  };
  // Packages after the apt sources of their host (repositories, apt
  // bundles): they install from them. The sources go one after another,
  // in the order written, and packages after the last: every package after
  // every source was sources x packages dependencies (thousands x thousands:
  // gigabytes). Each link of the chain costs its own round trip of the
  // host's apply (a plant has a few sources); a failed source skips the
  // later ones.
  // Python environments after the packages (python3-venv, say), images and
  // containers too (podman).
  std::unordered_map<std::string, std::string> last_apt_source;        // by host
  std::unordered_map<std::string, std::vector<std::string>> packages;  // by host
  for (auto& p : pending_) {
    const ResourceAddress& addr = p.resource.address;
    if (addr.kind == "apt_repository" ||
        (addr.kind == "bundle" && p.resource.attributes.value("apt", false))) {
      auto [last, first] = last_apt_source.try_emplace(addr.target);
      if (!first) p.resource.depends_on.push_back(last->second);
      last->second = addr.ToString();
    }
    if (addr.kind == "package") packages[addr.target].push_back(addr.ToString());
  }
  for (auto& p : pending_) {
    const Value& a = p.resource.attributes;
    const std::string& kind = p.resource.address.kind;
    if (kind == "package") {
      auto it = last_apt_source.find(p.resource.address.target);
      if (it != last_apt_source.end()) p.resource.depends_on.push_back(it->second);
    }
    if (kind == "python_env" || kind == "image" || kind == "container") {
      auto it = packages.find(p.resource.address.target);
      if (it != packages.end()) {
        auto& deps = p.resource.depends_on;
        deps.insert(deps.end(), it->second.begin(), it->second.end());
      }
    }
    if (kind == "user" && a.contains("groups")) {
      for (const auto& g : a["groups"]) depend(p, "group", g);
    }
    if (kind == "file" || kind == "directory") {
      if (a.contains("owner")) depend(p, "user", a["owner"]);
      if (a.contains("group")) depend(p, "group", a["group"]);
    }
  }
}

void Expander::AddImplicitDependencies() {
  // A file or directory comes after the nearest declared directory above it
  // on the same host.
  std::unordered_map<std::string_view, DirectoryTree> directories;  // by host
  for (size_t i = 0; i < pending_.size(); ++i) {
    const ResourceAddress& a = pending_[i].resource.address;
    if (a.kind == "directory") directories[a.target].Add(a.name, i);
  }
  for (auto& p : pending_) {
    const ResourceAddress& a = p.resource.address;
    if (a.kind != "file" && a.kind != "directory") continue;
    auto tree = directories.find(a.target);
    if (tree == directories.end()) continue;
    size_t parent = tree->second.NearestAbove(a.name);
    if (parent != SIZE_MAX) {
      p.resource.depends_on.push_back(pending_[parent].resource.address.ToString());
    }
  }
}

}  // namespace mfgctl
