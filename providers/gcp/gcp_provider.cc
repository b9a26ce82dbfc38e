#include "providers/gcp/gcp_provider.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "providers/transport/http_json.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {
namespace {

constexpr char kPubsubEndpoint[] = "https://pubsub.googleapis.com";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

GcpProvider::GcpProvider(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {
  if (!http_) http_ = std::make_shared<CurlHttpClient>();
  for (auto make : {MakePubsubTopicType, MakePubsubSubscriptionType}) {
    auto type = make();
    ResourceTypeSchema schema = type->Schema();
    types_[schema.type] = std::move(type);
    schemas_[schema.type] = std::move(schema);
  }
}

GcpProvider::~GcpProvider() = default;

ResourceTypeSchema GcpProvider::TargetSchema() const {
  ResourceTypeSchema s;
  s.type = "gcp";
  s.description = "Google Cloud services are on the target `cloud`, written under `cloud:`.";
  return s;
}

std::vector<ResourceTypeSchema> GcpProvider::Schemas() const {
  std::vector<ResourceTypeSchema> out;
  for (const auto& [name, schema] : schemas_) out.push_back(schema);
  return out;
}

ResourceTypeSchema GcpProvider::ConfigSchema() const {
  ResourceTypeSchema s;
  s.type = "gcp";
  s.attributes = {
      {.name = "project", .description = "The project the cloud: section's services are in."},
      {.name = "access_token", .sensitive = true,
       .description = "An OAuth access token (`gcloud auth print-access-token`); default the "
                      "environment's GOOGLE_OAUTH_ACCESS_TOKEN. Write it as a ${secret...}."},
      {.name = "credentials_file", .local_path = true,
       .description = "A service-account key file (JSON). Not supported yet: use "
                      "access_token."},
      {.name = "endpoints", .type = AttrType::kStringMap,
       .description = "Service endpoints instead of Google's: `{ pubsub: URL }`. Default: "
                      "https://pubsub.googleapis.com, or the emulator PUBSUB_EMULATOR_HOST "
                      "names."},
  };
  return s;
}

ConfigureResponse GcpProvider::Configure(const ConfigureRequest& req) {
  ConfigureResponse resp;
  const Value& s = req.settings;
  project_ = StringAttr(s, "project");
  token_ = StringAttr(s, "access_token", Env("GOOGLE_OAUTH_ACCESS_TOKEN"));
  std::string emulator = Env("PUBSUB_EMULATOR_HOST");
  endpoint_ = emulator.empty() ? kPubsubEndpoint : "http://" + emulator;
  if (auto e = s.find("endpoints"); e != s.end() && e->contains("pubsub")) {
    endpoint_ = TrimSlash((*e)["pubsub"].get<std::string>());
  }
  bool plain_http = endpoint_.rfind("http://", 0) == 0;
  if (project_.empty()) {
    resp.diagnostics.Error("the gcp provider needs a project: providers: { gcp: { project: ID } }");
  } else if (token_.empty() && !plain_http) {
    resp.diagnostics.Error(
        s.contains("credentials_file")
            ? "gcp: signing in with a service-account key file (credentials_file) is not "
              "supported yet"
            : "gcp: no credentials for " + endpoint_,
        {},
        "set GOOGLE_OAUTH_ACCESS_TOKEN (gcloud auth print-access-token) or providers.gcp."
        "access_token; against the emulator, PUBSUB_EMULATOR_HOST");
  }
  return resp;
}

const GcpType* GcpProvider::TypeOf(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : it->second.get();
}

HttpRequest GcpProvider::Request(std::string method, const std::string& name, const Value& body) {
  HttpRequest r = JsonRequest(std::move(method), endpoint_ + "/v1/" + UrlEncode(name, "/"), body);
  // Only the emulator goes without (plain HTTP never carries a token).
  if (!token_.empty() && endpoint_.rfind("https://", 0) == 0) {
    r.headers.Set("Authorization", "Bearer " + token_);
  }
  return r;
}

bool GcpProvider::List(const GcpType& type, std::map<std::string, Value>* out,
                       std::string* error) {
  std::string page;
  do {
    HttpRequest r = Request("GET", "projects/" + project_ + "/" + type.Collection());
    r.url += "?pageSize=1000";
    if (!page.empty()) r.url += "&pageToken=" + UrlEncode(page);
    Value body;
    if (!SendJson(*http_, r, &body, error)) return false;
    if (!body.is_object()) body = Value::object();
    for (const auto& o : body.value(type.Collection(), Value::array())) {
      if (o.is_object() && o.contains("name")) (*out)[StringAttr(o, "name")] = o;
    }
    std::string next = StringAttr(body, "nextPageToken");
    if (!next.empty() && next == page) {
      *error = "listing " + std::string(type.Collection()) + " returned the same page token "
               "twice";
      return false;
    }
    page = std::move(next);
  } while (!page.empty());
  return true;
}

ReadResponse GcpProvider::Read(const ReadRequest& req) {
  ReadResponse resp;
  resp.results.resize(req.items.size());
  std::map<std::string, std::map<std::string, Value>> listed;  // by type
  std::map<std::string, std::string> failed;                   // by type
  for (size_t i = 0; i < req.items.size(); ++i) {
    const ReadItem& item = req.items[i];
    ReadResult& result = resp.results[i];
    const GcpType* type = TypeOf(item.type);
    if (!type) {
      result.diagnostics.Error("the gcp provider has no resource type \"" + item.type + "\"");
      continue;
    }
    if (!listed.count(item.type) && !failed.count(item.type)) {
      std::string error;
      if (!List(*type, &listed[item.type], &error)) failed[item.type] = error;
    }
    if (auto f = failed.find(item.type); f != failed.end()) {
      result.diagnostics.Error(f->second);
      continue;
    }
    const auto& objects = listed[item.type];
    auto found = objects.find(FullName(*type, item.address.name));
    if (found == objects.end()) continue;
    result.exists = true;
    result.attributes = type->FromApi(found->second, project_);
  }
  return resp;
}

std::string GcpProvider::FullName(const GcpType& type, const std::string& id) const {
  return "projects/" + project_ + "/" + type.Collection() + "/" + id;
}

bool GcpProvider::Create(const GcpType& type, const ApplyRequest& req, Value* state,
                         std::string* error) {
  std::string name = FullName(type, req.address.name);
  HttpRequest put = Request("PUT", name, type.ToApi(req.after, project_));
  HttpResponse resp = http_->Send(put);
  Value made;
  if (resp.error.empty() && resp.status == 409 && resp.attempts > 1) {
    // An earlier attempt of ours made it before the answer was lost:
    // adopt it.
  } else if (!ParseJsonResponse(put, resp, &made, error)) {
    if (resp.error.empty() && resp.status == 409) {
      *error += "\n  it exists already: `mfgctl import " + req.address.ToString() + " " +
                req.address.name + "` adopts it";
    }
    return false;
  }
  // Pub/Sub is eventually consistent: dependents start once it reads back.
  auto wait = std::chrono::milliseconds(100);
  for (int attempt = 0;; ++attempt) {
    HttpRequest get = Request("GET", name);
    HttpResponse got = http_->Send(get);
    if (got.error.empty() && got.status == 404 && attempt < 10) {
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(2000));
      continue;
    }
    if (!ParseJsonResponse(get, got, &made, error)) return false;
    break;
  }
  *state = type.FromApi(made, project_);
  return true;
}

bool GcpProvider::Update(const GcpType& type, const ApplyRequest& req, Value* state,
                         std::string* error) {
  // The mask names exactly what changed: the service keeps the rest.
  Value changed = Value::object();
  std::string mask;
  for (const auto& [key, v] : req.after.items()) {
    if (key == "name" || key == kStateAttribute) continue;
    if (req.before.is_object() && req.before.contains(key) && req.before[key] == v) continue;
    changed[key] = v;
    mask += (mask.empty() ? "" : ",") + type.ApiField(key);
  }
  std::string name = FullName(type, req.address.name);
  Value out;
  if (mask.empty()) {
    HttpRequest get = Request("GET", name);
    if (!SendJson(*http_, get, &out, error)) return false;
  } else {
    Value body = {{type.Singular(), type.ToApi(changed, project_)}, {"updateMask", mask}};
    HttpRequest patch = Request("PATCH", name, body);
    patch.idempotent = true;  // the same fields set to the same values
    if (!SendJson(*http_, patch, &out, error)) return false;
  }
  *state = type.FromApi(out, project_);
  return true;
}

bool GcpProvider::Delete(const std::string& name, std::string* error) {
  HttpRequest del = Request("DELETE", name);
  HttpResponse resp = http_->Send(del);
  if (resp.error.empty() && resp.status == 404) return true;  // gone already
  Value unused;
  return ParseJsonResponse(del, resp, &unused, error);
}

ApplyResponse GcpProvider::Apply(const ApplyRequest& req) {
  ApplyResponse resp;
  const GcpType* type = TypeOf(req.type);
  if (!type) {
    resp.diagnostics.Error("the gcp provider has no resource type \"" + req.type + "\"");
    return resp;
  }
  // The API takes what the plan compared: durations as seconds.
  ApplyRequest canonical = req;
  const ResourceTypeSchema& schema = schemas_.at(req.type);
  for (auto& [key, v] : canonical.after.items()) {
    if (const AttributeSchema* a = schema.Find(key)) v = CanonicalAttribute(*a, v);
  }
  std::string error;
  bool ok = true;
  if (req.action == Action::kDelete || req.action == Action::kReplace) {
    ok = Delete(FullName(*type, req.address.name), &error);
  }
  if (ok && (req.action == Action::kCreate || req.action == Action::kReplace)) {
    ok = Create(*type, canonical, &resp.state, &error);
  } else if (ok && req.action == Action::kUpdate) {
    ok = Update(*type, canonical, &resp.state, &error);
  }
  if (!ok) resp.diagnostics.Error(error);
  return resp;
}

}  // namespace mfgctl
