#include "providers/s3/s3_provider.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include "engine/model/base64.h"
#include "engine/model/env.h"
#include "providers/s3/s3_xml.h"
#include "providers/transport/http_redaction.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {
namespace {

constexpr char kBucketType[] = "s3.bucket";

// Content-MD5 of a body: AWS requires it on tagging and lifecycle writes.
std::string ContentMd5(const std::string& body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_md5(), nullptr);
  return Base64(std::string_view(reinterpret_cast<char*>(md), len));
}

// The subresources a bucket's settings live in, each read and written whole.
struct Subresource {
  const char* attribute;
  const char* query;  // ?tagging
  const char* what;   // for errors: "bucket tagging"
};
constexpr Subresource kVersioning{"versioning", "versioning", "bucket versioning"};
constexpr Subresource kTags{"tags", "tagging", "bucket tagging"};
constexpr Subresource kLifecycle{"lifecycle_rules", "lifecycle", "lifecycle configuration"};

bool Empty(const Value& v) {
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) ||
         ((v.is_object() || v.is_array()) && v.empty());
}

}  // namespace

struct S3Provider::Answer {
  HttpResponse response;
  std::string error;  // set unless 2xx: "PUT URL: HTTP 409 Code: Message"
  std::string code;   // the <Error><Code>, when the server sent one
  bool ok() const { return error.empty(); }
};

S3Provider::S3Provider(std::shared_ptr<HttpClient> http,
                       std::function<std::chrono::system_clock::time_point()> now)
    : http_(std::move(http)), now_(std::move(now)) {}

S3Provider::~S3Provider() = default;

ResourceTypeSchema S3Provider::TargetSchema() const {
  ResourceTypeSchema s;
  s.type = "s3";
  s.description = "S3-compatible buckets are on the target `cloud`, written under "
                  "`cloud: { buckets: ... }`.";
  return s;
}

std::vector<ResourceTypeSchema> S3Provider::Schemas() const {
  ResourceTypeSchema s;
  s.type = kBucketType;
  s.description = "An S3-compatible bucket.";
  s.attributes = {
      {.name = "name", .force_new = true,
       .description = "The bucket's name: its ID under buckets:, made at load, not written.",
       .computed = true},
      {.name = "versioning", .type = AttrType::kBool,
       .description = "Keep every version of every object. Turning it off suspends it (S3 "
                      "cannot unversion a bucket): versions made so far stay."},
      {.name = "tags", .type = AttrType::kStringMap, .description = "Tags on the bucket."},
      {.name = "lifecycle_rules", .type = AttrType::kObjectList,
       .description = "Lifecycle rules, in order (written `lifecycle: [ ... ]` under buckets:).",
       .attributes = {
           {.name = "prefix", .description = "Objects whose keys start with it; unset: all."},
           {.name = "expire_days", .type = AttrType::kNumber, .min = 1,
            .description = "Objects are deleted (a delete marker, when versioned) this many "
                           "days after they were made."},
           {.name = "noncurrent_expire_days", .type = AttrType::kNumber, .min = 1,
            .description = "Versions no longer current are deleted after this many days."},
           {.name = "abort_incomplete_upload_days", .type = AttrType::kNumber, .min = 1,
            .description = "Multipart uploads not finished after this many days are "
                           "aborted."}}},
      {.name = "force_destroy", .type = AttrType::kBool,
       .description = "Deleting the bucket deletes its objects (every version) first; "
                      "without it, deleting a bucket that holds objects is refused. Kept in "
                      "state, never sent to the server."},
      StateAttribute(),
  };
  return {s};
}

ResourceTypeSchema S3Provider::ConfigSchema() const {
  ResourceTypeSchema s;
  s.type = "s3";
  s.attributes = {
      {.name = "endpoint",
       .description = "The S3 API's URL (MinIO, Ceph RGW: https://minio.plant.example:9000). "
                      "Default: the environment's AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else "
                      "AWS's https://s3.REGION.amazonaws.com."},
      {.name = "region",
       .description = "The region requests are signed for and buckets made in. Default: the "
                      "environment's AWS_REGION or AWS_DEFAULT_REGION, else us-east-1."},
      {.name = "access_key", .sensitive = true,
       .description = "The access key ID. Default: the environment's AWS_ACCESS_KEY_ID."},
      {.name = "secret_key", .sensitive = true,
       .description = "The secret access key. Default: the environment's "
                      "AWS_SECRET_ACCESS_KEY. Write it as a ${secret...}."},
      {.name = "session_token", .sensitive = true,
       .description = "For temporary credentials. Default: the environment's "
                      "AWS_SESSION_TOKEN."},
      {.name = "path_style", .type = AttrType::kBool,
       .description = "Address buckets as ENDPOINT/BUCKET (true) or BUCKET.HOST (false). "
                      "Default: true with an endpoint given, false for AWS's."},
      {.name = "ca_file", .local_path = true,
       .description = "A PEM file of the certificate authorities to verify the endpoint "
                      "against (a plant's private CA). Default: the system's."},
  };
  return s;
}

ConfigureResponse S3Provider::Configure(const ConfigureRequest& req) {
  ConfigureResponse resp;
  const Value& s = req.settings;
  region_ = StringAttr(s, "region", Env("AWS_REGION"));
  if (region_.empty()) region_ = Env("AWS_DEFAULT_REGION");
  if (region_.empty()) region_ = "us-east-1";
  std::string endpoint = StringAttr(s, "endpoint", Env("AWS_ENDPOINT_URL_S3"));
  if (endpoint.empty()) endpoint = Env("AWS_ENDPOINT_URL");
  bool aws = endpoint.empty();
  if (aws) endpoint = "https://s3." + region_ + ".amazonaws.com";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  endpoint_ = endpoint;
  path_style_ = s.contains("path_style") && s["path_style"].is_boolean()
                    ? s["path_style"].get<bool>()
                    : !aws;
  credentials_ = {StringAttr(s, "access_key", Env("AWS_ACCESS_KEY_ID")),
                  StringAttr(s, "secret_key", Env("AWS_SECRET_ACCESS_KEY")),
                  StringAttr(s, "session_token", Env("AWS_SESSION_TOKEN"))};
  if (!http_) {
    HttpClientOptions options;
    options.ca_file = StringAttr(s, "ca_file");
    http_ = std::make_shared<CurlHttpClient>(options);
  }
  if (endpoint_.rfind("http://", 0) != 0 && endpoint_.rfind("https://", 0) != 0) {
    resp.diagnostics.Error("s3: endpoint " + endpoint_ + " is not an http(s):// URL");
  } else if (!SafeForCredentials(endpoint_)) {
    resp.diagnostics.Error("s3: endpoint " + endpoint_ + " is plain HTTP: signed requests "
                           "would cross the network in the clear",
                           {}, "use https:// (ca_file: trusts a private CA)");
  } else if (credentials_.access_key.empty() || credentials_.secret_key.empty()) {
    resp.diagnostics.Error("s3: no credentials for " + endpoint_, {},
                           "set providers.s3.access_key and secret_key (as ${secret...}), or "
                           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  return resp;
}

std::string S3Provider::Url(const std::string& bucket, const std::string& rest) const {
  // A dotted name as a host would not match the endpoint's wildcard
  // certificate (*.s3.amazonaws.com covers one label): such a bucket is
  // addressed by path over HTTPS, as AWS's SDKs do.
  bool dotted_tls = bucket.find('.') != std::string::npos && endpoint_.starts_with("https://");
  if (path_style_ || dotted_tls) return endpoint_ + "/" + bucket + rest;
  size_t host = endpoint_.find("://") + 3;
  return endpoint_.substr(0, host) + bucket + "." + endpoint_.substr(host) +
         (rest.empty() || rest[0] == '?' ? "/" + rest : rest);
}

S3Provider::Answer S3Provider::Send(std::string method, std::string url, std::string body) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  if (!body.empty()) {
    r.headers.Set("Content-Type", "application/xml");
    r.headers.Set("Content-MD5", ContentMd5(body));
    r.body = std::move(body);
  }
  SignAwsV4(&r, credentials_, region_, "s3", now_());
  Answer a;
  a.response = http_->Send(r);
  if (!a.response.error.empty()) {
    a.error = a.response.error;
  } else if (a.response.status < 200 || a.response.status > 299) {
    a.code = ErrorCode(a.response.body);
    std::string summary = ErrorSummary(a.response.body);
    a.error = HttpRedactor(r).Subject() + ": HTTP " + std::to_string(a.response.status) +
              (summary.empty() ? "" : " " + summary);
  }
  return a;
}

bool S3Provider::ReadBucket(const std::string& bucket, const Value& prior, Value* attrs,
                            std::string* error) {
  (*attrs)["name"] = bucket;
  for (const Subresource* sub : {&kVersioning, &kTags, &kLifecycle}) {
    Answer a = Send("GET", Url(bucket, std::string("?") + sub->query));
    const std::string& body = a.response.body;
    Value v;
    if (a.ok()) {
      bool parsed = true;
      if (sub == &kVersioning) {
        v = ParseVersioningEnabled(body);
      } else if (sub == &kTags) {
        parsed = ParseTagging(body, &v);
      } else {
        parsed = ParseLifecycle(body, &v);
      }
      if (!parsed) {
        *error = "reading the " + std::string(sub->what) + " of bucket " + bucket +
                 ": the answer is not the XML S3 sends";
        return false;
      }
    } else if (a.code == "NoSuchTagSet" || a.code == "NoSuchLifecycleConfiguration" ||
               a.response.status == 501) {
      // None set, or a server without the feature (s3rver: tagging,
      // lifecycle): unset either way; writing one says which.
      v = sub == &kTags ? Value::object() : Value::array();
    } else {
      *error = a.error;
      return false;
    }
    (*attrs)[sub->attribute] = std::move(v);
  }
  // Not the server's: what the state recorded, so that a change to it is
  // planned (and recorded, as deleting reads it from the state).
  if (prior.is_object() && prior.contains("force_destroy")) {
    (*attrs)["force_destroy"] = prior["force_destroy"];
  }
  return true;
}

ReadResponse S3Provider::Read(const ReadRequest& req) {
  ReadResponse resp;
  resp.results.resize(req.items.size());
  std::vector<std::string> names;
  std::string error;
  ListBuckets(&names, &error);
  std::set<std::string> have(names.begin(), names.end());
  for (size_t i = 0; i < req.items.size(); ++i) {
    const ReadItem& item = req.items[i];
    ReadResult& result = resp.results[i];
    if (item.type != kBucketType) {
      result.diagnostics.Error("the s3 provider has no resource type \"" + item.type + "\"");
    } else if (!error.empty()) {
      result.diagnostics.Error(error);
    } else if (have.count(item.address.name)) {
      std::string e;
      result.exists = ReadBucket(item.address.name, item.prior, &result.attributes, &e);
      if (!result.exists) result.diagnostics.Error(e);
    }
  }
  return resp;
}

bool S3Provider::WriteSettings(const std::string& bucket, const Value& before, const Value& after,
                           std::string* error) {
  for (const Subresource* sub : {&kVersioning, &kTags, &kLifecycle}) {
    if (!after.contains(sub->attribute)) continue;  // not the blueprint's to say
    Value want = after[sub->attribute];
    Value had = before.is_object() ? before.value(sub->attribute, Value()) : Value();
    if (want == had || (Empty(want) && Empty(had))) continue;
    Answer a;
    std::string url = Url(bucket, std::string("?") + sub->query);
    if (sub == &kVersioning) {
      a = Send("PUT", url, VersioningXml(want.is_boolean() && want.get<bool>()));
    } else if (Empty(want)) {
      a = Send("DELETE", url);
    } else {
      a = Send("PUT", url, sub == &kTags ? TaggingXml(want) : LifecycleXml(want));
    }
    if (!a.ok()) {
      // A server that ignores the subresource takes the PUT for a bucket
      // create (s3rver: 409 BucketAlreadyExists).
      bool unsupported = a.response.status == 501 || a.code == "BucketAlreadyExists";
      *error = unsupported
                   ? "the S3 server at " + endpoint_ + " does not implement " + sub->what +
                         " (" + a.error + "): bucket " + bucket + " cannot have " +
                         sub->attribute
                   : a.error;
      return false;
    }
  }
  return true;
}

bool S3Provider::Create(const ApplyRequest& req, std::string* error) {
  const std::string& bucket = req.address.name;
  std::string body;
  if (region_ != "us-east-1") {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
           "<LocationConstraint>" + region_ + "</LocationConstraint></CreateBucketConfiguration>";
  }
  Answer put = Send("PUT", Url(bucket), body);
  if (!put.ok()) {
    // Ours only when S3 says so, or (servers that answer BucketAlreadyExists
    // to their owner too) when our own account lists it: never another
    // account's bucket that took the name between our attempts.
    bool ours = put.response.attempts > 1 && put.code == "BucketAlreadyOwnedByYou";
    if (put.response.attempts > 1 && put.code == "BucketAlreadyExists") {
      std::vector<std::string> names;
      std::string unused;
      ours = ListBuckets(&names, &unused) &&
             std::find(names.begin(), names.end(), bucket) != names.end();
    }
    if (!ours) {
      *error = put.error;
      if (put.response.status == 409) {
        *error += "\n  it exists already: `mfgctl import " + req.address.ToString() + " " +
                  bucket + "` adopts it (when it is yours)";
      }
      return false;
    }
    // An earlier attempt of ours made it before the answer was lost.
  }
  // S3 is eventually consistent: dependents start once the bucket answers.
  auto wait = std::chrono::milliseconds(100);
  for (int attempt = 0;; ++attempt) {
    Answer head = Send("HEAD", Url(bucket));
    if (head.ok()) break;
    if (head.response.status != 404 || attempt >= 10) {
      *error = head.error;
      return false;
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(2000));
  }
  return WriteSettings(bucket, Value::object(), req.after, error);
}

bool S3Provider::ListBuckets(std::vector<std::string>* names, std::string* error) {
  std::string token;
  std::set<std::string> seen;
  for (;;) {
    Answer list = Send("GET", endpoint_ + "/" +
                                  (token.empty() ? "" : "?continuation-token=" + UrlEncode(token)));
    if (!list.ok()) {
      *error = list.error;
      return false;
    }
    if (!ParseBucketNames(list.response.body, names, &token)) {
      *error = "listing the buckets of " + endpoint_ + ": the answer is not ListAllMyBucketsResult";
      return false;
    }
    if (token.empty()) return true;
    if (!seen.insert(token).second) {
      *error = "listing the buckets of " + endpoint_ + " returned the same page twice";
      return false;
    }
  }
}

bool S3Provider::Delete(const std::string& bucket, bool force, std::string* error) {
  // Every version of every object, page by page; a server without versions
  // (405 or 501 to ?versions) lists its objects with ListObjectsV2.
  bool versions = true;
  std::string key_marker, version_marker, token;
  std::set<std::string> seen;  // the pages asked for: a server that loops is an error
  for (;;) {
    std::string query = versions ? "?versions&max-keys=1000" : "?list-type=2&max-keys=1000";
    if (!key_marker.empty()) query += "&key-marker=" + UrlEncode(key_marker);
    if (!version_marker.empty()) query += "&version-id-marker=" + UrlEncode(version_marker);
    if (!token.empty()) query += "&continuation-token=" + UrlEncode(token);
    Answer list = Send("GET", Url(bucket, query));
    if (!list.ok()) {
      if (list.code == "NoSuchBucket") return true;  // gone already
      if (versions && (list.response.status == 405 || list.response.status == 501)) {
        versions = false;
        continue;
      }
      *error = list.error;
      return false;
    }
    S3Listing page;
    if (!ParseListing(list.response.body, &page)) {
      *error = "listing the objects of bucket " + bucket + ": the answer is not a listing";
      return false;
    }
    if (!page.objects.empty() && !force) {
      *error = "bucket " + bucket + " holds objects (" + page.objects.front().key +
               (page.objects.size() > 1 ? " and more" : "") +
               "): it is not deleted; empty it, or give it force_destroy: true (and apply) "
               "before it leaves the blueprint";
      return false;
    }
    for (const auto& o : page.objects) {
      std::string url = Url(bucket, "/" + UrlEncode(o.key, "/"));
      if (!o.version_id.empty()) url += "?versionId=" + UrlEncode(o.version_id);
      Answer del = Send("DELETE", url);
      if (!del.ok() && del.response.status != 404) {
        *error = del.error;
        return false;
      }
    }
    if (!page.truncated || (page.next_key.empty() && page.next_token.empty())) break;
    if (!seen.insert(page.next_key + '\n' + page.next_version + '\n' + page.next_token).second) {
      *error = "listing the objects of bucket " + bucket + " returned the same page twice";
      return false;
    }
    key_marker = page.next_key;
    version_marker = page.next_version;
    token = page.next_token;
  }
  Answer del = Send("DELETE", Url(bucket));
  if (del.ok() || del.code == "NoSuchBucket") return true;
  *error = del.error;
  return false;
}

ApplyResponse S3Provider::Apply(const ApplyRequest& req) {
  ApplyResponse resp;
  if (req.type != kBucketType) {
    resp.diagnostics.Error("the s3 provider has no resource type \"" + req.type + "\"");
    return resp;
  }
  std::string error;
  bool ok = true;
  if (req.action == Action::kDelete || req.action == Action::kReplace) {
    bool force = req.before.is_object() && req.before.value("force_destroy", false);
    ok = Delete(req.address.name, force, &error);
  }
  if (ok && (req.action == Action::kCreate || req.action == Action::kReplace)) {
    ok = Create(req, &error);
  } else if (ok && req.action == Action::kUpdate) {
    ok = WriteSettings(req.address.name, req.before, req.after, &error);
  }
  if (!ok) {
    resp.diagnostics.Error(error);
  } else if (req.action != Action::kDelete) {
    resp.state = req.after;
    resp.state["name"] = req.address.name;
  }
  return resp;
}

}  // namespace mfgctl
