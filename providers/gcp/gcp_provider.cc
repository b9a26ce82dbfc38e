#include "providers/gcp/gcp_provider.h"

#include <cstdlib>
#include <functional>
#include <optional>

#include "engine/model/env.h"
#include "engine/model/sensitive.h"
#include "engine/model/text_file.h"
#include "providers/gcp/bigquery.h"
#include "providers/gcp/google_rest.h"
#include "providers/gcp/service_account.h"
#include "providers/transport/http_json.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {
namespace {

constexpr char kPubsubEndpoint[] = "https://pubsub.googleapis.com";
constexpr char kBigQueryEndpoint[] = "https://bigquery.googleapis.com";

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The provider's client: `inner` with `Authorization: Bearer TOKEN` on every
// HTTPS request (plain HTTP, an emulator's, never carries one). Without
// credentials an HTTPS request fails before it is sent, naming the service.
class BearerClient : public HttpClient {
 public:
  using TokenSource = std::function<bool(std::string* token, std::string* error)>;
  BearerClient(std::shared_ptr<HttpClient> inner, TokenSource token)
      : inner_(std::move(inner)), token_(std::move(token)) {}

  HttpResponse Send(const HttpRequest& request) override {
    if (request.url.rfind("https://", 0) != 0) return inner_->Send(request);
    std::string token;
    HttpResponse failed;
    if (!token_) {
      std::string endpoint = HttpEndpointOf(request.url);
      if (endpoint.ends_with(":443")) endpoint.resize(endpoint.size() - 4);
      failed.error = "gcp: no credentials for " + endpoint +
                     "\n  set providers.gcp.credentials_file to a service-account key, or "
                     "GOOGLE_OAUTH_ACCESS_TOKEN (gcloud auth print-access-token); against the "
                     "emulator, PUBSUB_EMULATOR_HOST";
      return failed;
    }
    if (!token_(&token, &failed.error)) return failed;
    HttpRequest authorized = request;
    authorized.headers.Set("Authorization", "Bearer " + token);
    HttpResponse resp = inner_->Send(authorized);
    // Callers quote answers with the request they made, which never held
    // the token: an answer that repeats it is scrubbed here.
    for (std::string* text : {&resp.body, &resp.error}) {
      for (size_t at = text->find(token); !token.empty() && at != std::string::npos;
           at = text->find(token, at)) {
        text->replace(at, token.size(), kRedacted);
      }
    }
    return resp;
  }

 private:
  std::shared_ptr<HttpClient> inner_;
  TokenSource token_;
};

// What signs the provider's requests in: a token given, else a service-account
// key file, else the environment's token or key file (as Google's clients
// read them). Null and no `error`: none.
BearerClient::TokenSource Credentials(const Value& settings,
                                      const std::shared_ptr<HttpClient>& http,
                                      std::string* error) {
  std::string token = StringAttr(settings, "access_token");
  std::string file = StringAttr(settings, "credentials_file");
  bool from_environment = token.empty() && file.empty();
  if (from_environment) {
    token = Env("GOOGLE_OAUTH_ACCESS_TOKEN");
    if (token.empty()) file = Env("GOOGLE_APPLICATION_CREDENTIALS");
  }
  if (!token.empty()) {
    return [token](std::string* out, std::string*) {
      *out = token;
      return true;
    };
  }
  if (file.empty()) return nullptr;
  std::string why;
  std::optional<std::string> text = ReadBoundedFile(file, {.max_bytes = 1 << 20}, &why);
  ServiceAccountKey key;
  std::string bad;
  if (!text) {
    bad = "gcp: cannot read the service-account key " + file + ": " + why;
  } else if (!ParseServiceAccountKey(*text, file, &key, &bad)) {
    bad = "gcp: " + bad;
  }
  if (!bad.empty()) {
    // A key the blueprint names fails the provider; one the environment
    // names (a user's default) fails only what signs in with it, so the
    // emulator, which needs none, still answers.
    if (!from_environment) {
      *error = bad;
      return nullptr;
    }
    bad += " (GOOGLE_APPLICATION_CREDENTIALS)";
    return [bad](std::string*, std::string* e) {
      *e = bad;
      return false;
    };
  }
  auto tokens = std::make_shared<ServiceAccountTokens>(std::move(key), http);
  return [tokens](std::string* out, std::string* e) { return tokens->Token(out, e); };
}

}  // namespace

GcpProvider::GcpProvider(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {
  if (!http_) http_ = std::make_shared<CurlHttpClient>();
  api_ = http_;
  for (auto make : {MakePubsubTopicType, MakePubsubSubscriptionType}) {
    auto type = make();
    ResourceTypeSchema schema = type->Schema();
    types_[schema.type] = std::move(type);
    schemas_[schema.type] = std::move(schema);
  }
  for (auto& schema : BigQuery::Schemas()) schemas_[schema.type] = std::move(schema);
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
       .description = "A service-account key file (JSON): mfgctl signs in with it (an RS256 "
                      "JWT exchanged at the key's token_uri). Default the environment's "
                      "GOOGLE_APPLICATION_CREDENTIALS."},
      {.name = "endpoints", .type = AttrType::kStringMap,
       .description = "Service endpoints instead of Google's: `{ pubsub: URL, bigquery: URL }`. "
                      "Default: https://pubsub.googleapis.com (or the emulator "
                      "PUBSUB_EMULATOR_HOST names) and https://bigquery.googleapis.com."},
  };
  return s;
}

ConfigureResponse GcpProvider::Configure(const ConfigureRequest& req) {
  ConfigureResponse resp;
  const Value& s = req.settings;
  project_ = StringAttr(s, "project");
  std::string emulator = Env("PUBSUB_EMULATOR_HOST");
  endpoint_ = emulator.empty() ? kPubsubEndpoint : "http://" + emulator;
  std::string bigquery = kBigQueryEndpoint;
  if (auto e = s.find("endpoints"); e != s.end()) {
    if (e->contains("pubsub")) endpoint_ = TrimSlash((*e)["pubsub"].get<std::string>());
    if (e->contains("bigquery")) bigquery = TrimSlash((*e)["bigquery"].get<std::string>());
  }
  std::string error;
  api_ = std::make_shared<BearerClient>(http_, Credentials(s, http_, &error));
  bigquery_ = std::make_unique<BigQuery>(api_, project_, bigquery);
  if (project_.empty()) {
    resp.diagnostics.Error("the gcp provider needs a project: providers: { gcp: { project: ID } }");
  } else if (!error.empty()) {
    resp.diagnostics.Error(error);
  }
  return resp;
}

const GcpType* GcpProvider::TypeOf(const std::string& type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : it->second.get();
}

HttpRequest GcpProvider::Request(std::string method, const std::string& name, const Value& body) {
  return JsonRequest(std::move(method), endpoint_ + "/v1/" + UrlEncode(name, "/"), body);
}

bool GcpProvider::List(const GcpType& type, std::map<std::string, Value>* out,
                       std::string* error) {
  std::vector<Value> items;
  std::string url = Request("GET", "projects/" + project_ + "/" + type.Collection()).url;
  if (!ListPages(*api_, url + "?pageSize=1000", type.Collection(), type.Collection(), &items,
                 error)) {
    return false;
  }
  for (const auto& o : items) {
    if (o.is_object() && o.contains("name")) (*out)[StringAttr(o, "name")] = o;
  }
  return true;
}

ReadResponse GcpProvider::Read(const ReadRequest& req) {
  ReadResponse resp;
  resp.results.resize(req.items.size());
  std::map<std::string, std::map<std::string, Value>> listed;  // by type
  std::map<std::string, std::string> failed;                   // by type
  std::vector<std::pair<const ReadItem*, ReadResult*>> bigquery;
  for (size_t i = 0; i < req.items.size(); ++i) {
    const ReadItem& item = req.items[i];
    ReadResult& result = resp.results[i];
    if (BigQuery::Serves(item.type)) {
      bigquery.emplace_back(&item, &result);
      continue;
    }
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
  if (bigquery_) bigquery_->Read(bigquery);
  return resp;
}

std::string GcpProvider::FullName(const GcpType& type, const std::string& id) const {
  return "projects/" + project_ + "/" + type.Collection() + "/" + id;
}

bool GcpProvider::Create(const GcpType& type, const ApplyRequest& req, Value* state,
                         std::string* error) {
  std::string name = FullName(type, req.address.name);
  HttpRequest put = Request("PUT", name, type.ToApi(req.after, project_));
  Value made;
  if (!CreateAndReadBack(*api_, put, Request("GET", name).url, req.address, &made, error)) {
    return false;
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
    if (req.before.is_object() && req.before.contains(key) && SameValue(req.before[key], v)) continue;
    changed[key] = v;
    mask += (mask.empty() ? "" : ",") + type.ApiField(key);
  }
  std::string name = FullName(type, req.address.name);
  Value out;
  if (mask.empty()) {
    HttpRequest get = Request("GET", name);
    if (!SendJson(*api_, get, &out, error)) return false;
  } else {
    Value body = {{type.Singular(), type.ToApi(changed, project_)}, {"updateMask", mask}};
    HttpRequest patch = Request("PATCH", name, body);
    patch.idempotent = true;  // the same fields set to the same values
    if (!SendJson(*api_, patch, &out, error)) return false;
  }
  *state = type.FromApi(out, project_);
  return true;
}

bool GcpProvider::Delete(const std::string& name, std::string* error) {
  HttpRequest del = Request("DELETE", name);
  HttpResponse resp = api_->Send(del);
  if (resp.error.empty() && resp.status == 404) return true;  // gone already
  Value unused;
  return ParseJsonResponse(del, resp, &unused, error);
}

ModifyPlanResponse GcpProvider::ModifyPlan(const ModifyPlanRequest& req) {
  return BigQuery::ModifyPlan(req);
}

ApplyResponse GcpProvider::Apply(const ApplyRequest& req) {
  ApplyResponse resp;
  auto schema = schemas_.find(req.type);
  if (schema == schemas_.end()) {
    resp.diagnostics.Error("the gcp provider has no resource type \"" + req.type + "\"");
    return resp;
  }
  // The API takes what the plan compared: durations as seconds.
  ApplyRequest canonical = req;
  for (auto& [key, v] : canonical.after.items()) {
    if (const AttributeSchema* a = schema->second.Find(key)) v = CanonicalAttribute(*a, v);
  }
  std::string error;
  if (BigQuery::Serves(req.type)) {
    if (!bigquery_ || !bigquery_->Apply(canonical, &resp.state, &error)) {
      resp.diagnostics.Error(bigquery_ ? error : "the gcp provider is not configured");
    }
    return resp;
  }
  const GcpType* type = TypeOf(req.type);
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
