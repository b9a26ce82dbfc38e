#include "backends/state_backends.h"

#include "backends/etcd_backend.h"
#include "backends/http_backend.h"
#include "engine/model/duration.h"
#include "engine/model/env.h"

namespace mfgctl {

std::map<std::string, ResourceTypeSchema> StateBackendSchemas() {
  ResourceTypeSchema local;
  local.type = "local";
  local.description = "A JSON file on this machine (the default).";
  local.attributes = {
      {.name = "path", .local_path = true,
       .description = "The state file; default .mfgctl/PLANT.state.json beside the blueprint."}};
  ResourceTypeSchema etcd;
  etcd.type = "etcd";
  etcd.description = "etcd v3, through its JSON gateway: shared by a team and its CI runners.";
  etcd.attributes = {
      {.name = "endpoints", .type = AttrType::kStringList, .required = true,
       .description = "client URLs such as [http://127.0.0.1:2379], tried in order"},
      {.name = "prefix",
       .description = "Keys live under PREFIX/PLANT/ (state, lock, journal/); default /mfgctl."},
      {.name = "username", .description = "An etcd user, when etcd's auth is on."},
      {.name = "password", .sensitive = true,
       .description = "That user's password; write it as a ${secret...}."},
      {.name = "ca_file", .local_path = true,
       .description = "A PEM file of the CAs that sign etcd's certificate (https endpoints)."},
      {.name = "lock_ttl", .duration = true,
       .description = "How long the lock outlives a run that stopped renewing it (killed); "
                      "default 30s."},
      {.name = "max_request_bytes", .type = AttrType::kNumber, .min = 1,
       .description = "etcd's --max-request-bytes: a larger state write is refused before it "
                      "is sent; default 1572864 (1.5 MiB)."}};
  ResourceTypeSchema http;
  http.type = "http";
  http.description = "Terraform's http backend protocol (GitLab-managed Terraform state).";
  http.attributes = {
      {.name = "address", .required = true,
       .description = "the state's URL: GET reads it, POST writes it"},
      {.name = "lock_address",
       .description = "Where LOCK takes the lock; unset: the server has no locking."},
      {.name = "unlock_address", .description = "Where UNLOCK gives it back; default lock_address."},
      {.name = "lock_method", .description = "Default LOCK (GitLab: POST)."},
      {.name = "unlock_method", .description = "Default UNLOCK (GitLab: DELETE)."},
      {.name = "update_method", .description = "Default POST."},
      {.name = "username",
       .description = "HTTP basic auth; default the environment's TF_HTTP_USERNAME."},
      {.name = "password", .sensitive = true,
       .description = "HTTP basic auth (a GitLab token); default TF_HTTP_PASSWORD. Write it as a "
                      "${secret...}."},
      {.name = "ca_file", .local_path = true,
       .description = "A PEM file of the CAs that sign the server's certificate."}};
  return {{"local", local}, {"etcd", etcd}, {"http", http}};
}

namespace {

std::unique_ptr<StateBackend> OpenEtcd(const ProviderConfig& state, const std::string& plant,
                                       Diagnostics* diags) {
  const Value& c = state.settings;
  EtcdSettings s;
  for (const auto& e : c.value("endpoints", Value::array())) {
    std::string url = e.get<std::string>();
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      diags->Error("state endpoint \"" + url + "\" is no http:// or https:// URL", state.pos);
      return nullptr;
    }
    s.endpoints.push_back(url);
  }
  if (s.endpoints.empty()) {
    diags->Error("the etcd state backend needs at least one endpoint", state.pos);
    return nullptr;
  }
  s.prefix = c.value("prefix", s.prefix);
  s.username = c.value("username", "");
  s.password = c.value("password", "");
  if (!s.password.empty()) {
    for (const auto& url : s.endpoints) {
      if (!SafeForCredentials(url)) {
        diags->Error("state endpoint " + url + " is plain HTTP: the etcd password would cross "
                     "the network in the clear", state.pos, "use https://");
        return nullptr;
      }
    }
  }
  if (c.contains("lock_ttl")) {
    s.lock_ttl = std::chrono::seconds(*ParseDuration(c["lock_ttl"].get<std::string>()));
  }
  if (c.contains("max_request_bytes")) s.max_request_bytes = c["max_request_bytes"].get<size_t>();
  HttpClientOptions options;
  options.ca_file = c.value("ca_file", "");
  options.connect_timeout = std::chrono::seconds(5);
  options.timeout = std::chrono::seconds(30);
  return std::make_unique<EtcdStateBackend>(std::make_shared<CurlHttpClient>(options),
                                            std::move(s), plant);
}

std::unique_ptr<StateBackend> OpenHttp(const ProviderConfig& state, const std::string& plant,
                                       Diagnostics* diags) {
  const Value& c = state.settings;
  HttpBackendSettings s;
  s.address = c.value("address", "");
  s.lock_address = c.value("lock_address", "");
  s.unlock_address = c.value("unlock_address", s.lock_address);
  s.lock_method = c.value("lock_method", s.lock_method);
  s.unlock_method = c.value("unlock_method", s.unlock_method);
  s.update_method = c.value("update_method", s.update_method);
  s.username = c.value("username", Env("TF_HTTP_USERNAME"));
  s.password = c.value("password", Env("TF_HTTP_PASSWORD"));
  for (const std::string* url : {&s.address, &s.lock_address, &s.unlock_address}) {
    if (url->empty()) continue;
    if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
      diags->Error("state address \"" + *url + "\" is no http:// or https:// URL", state.pos);
      return nullptr;
    }
    if (!s.password.empty() && !SafeForCredentials(*url)) {
      diags->Error("state address " + *url + " is plain HTTP: the password would cross the "
                   "network in the clear", state.pos, "use https://");
      return nullptr;
    }
  }
  HttpClientOptions options;
  options.ca_file = c.value("ca_file", "");
  options.connect_timeout = std::chrono::seconds(5);
  options.timeout = std::chrono::seconds(60);
  return std::make_unique<HttpStateBackend>(std::make_shared<CurlHttpClient>(options),
                                            std::move(s), plant);
}

}  // namespace

std::unique_ptr<StateBackend> OpenStateBackend(const std::optional<ProviderConfig>& state,
                                               const std::string& default_path,
                                               const std::string& plant, Diagnostics* diags) {
  if (state && state->provider == "etcd") return OpenEtcd(*state, plant, diags);
  if (state && state->provider == "http") return OpenHttp(*state, plant, diags);
  std::string path = state ? state->settings.value("path", default_path) : default_path;
  return std::make_unique<LocalStateBackend>(path);
}

}  // namespace mfgctl
