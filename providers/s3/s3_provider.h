#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "engine/provider/provider.h"
#include "providers/transport/aws_sigv4.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// S3-compatible object storage (AWS S3, MinIO, Ceph RGW) over its REST
/// API, every request signed with Signature V4: buckets with versioning,
/// tags and lifecycle rules, on the target `cloud`. A plan lists the
/// account's buckets once and reads each declared bucket's settings; a
/// feature the server does not implement (501) reads as unset, and setting
/// it is an error naming the server.
class S3Provider : public Provider {
 public:
  /// `http` null: a libcurl client made at Configure (with its `ca_file`).
  explicit S3Provider(std::shared_ptr<HttpClient> http = nullptr,
                      std::function<std::chrono::system_clock::time_point()> now =
                          std::chrono::system_clock::now);
  ~S3Provider() override;

  std::string Name() const override { return "s3"; }
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ResourceTypeSchema ConfigSchema() const override;
  ConfigureResponse Configure(const ConfigureRequest& req) override;
  ReadResponse Read(const ReadRequest& req) override;
  ApplyResponse Apply(const ApplyRequest& req) override;
  int MaxActionsPerTarget() const override { return 8; }

 private:
  struct Answer;
  /// `endpoint/bucket/rest` (path style) or `scheme://bucket.host/rest`.
  std::string Url(const std::string& bucket, const std::string& rest = "") const;
  /// Signs and sends; the answer with `error` set unless 2xx.
  Answer Send(std::string method, std::string url, std::string body = "");
  /// A bucket's settings; `prior` (its state) gives force_destroy.
  bool ReadBucket(const std::string& bucket, const Value& prior, Value* attrs,
                  std::string* error);
  /// Writes the settings `after` has that differ from `before`.
  bool WriteSettings(const std::string& bucket, const Value& before, const Value& after,
                     std::string* error);
  bool Create(const ApplyRequest& req, std::string* error);
  bool Delete(const std::string& bucket, bool force, std::string* error);
  /// Every bucket the account owns, page by page (ListBuckets).
  bool ListBuckets(std::vector<std::string>* names, std::string* error);

  std::shared_ptr<HttpClient> http_;
  std::function<std::chrono::system_clock::time_point()> now_;
  // From Configure.
  std::string endpoint_;  // scheme://host[:port], no trailing slash
  std::string region_;
  bool path_style_ = true;
  AwsCredentials credentials_;
};

}  // namespace mfgctl
