#pragma once

#include <map>
#include <memory>
#include <string>

#include "engine/provider/provider.h"
#include "providers/gcp/bigquery.h"
#include "providers/gcp/gcp_type.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// Google Cloud services over their REST APIs: Pub/Sub topics and
/// subscriptions, BigQuery datasets and tables, on the target `cloud`. A plan reads each collection with
/// one paginated list, not one GET per resource; actions run in parallel,
/// as many at once as the HTTP client lets one endpoint take. Against the
/// Pub/Sub emulator (PUBSUB_EMULATOR_HOST, as Google's clients honour it,
/// or an `http://` endpoint) it sends no credentials.
class GcpProvider : public Provider {
 public:
  /// `http` null: a libcurl client of the provider's own.
  explicit GcpProvider(std::shared_ptr<HttpClient> http = nullptr);
  ~GcpProvider() override;

  std::string Name() const override { return "gcp"; }
  ResourceTypeSchema TargetSchema() const override;
  std::vector<ResourceTypeSchema> Schemas() const override;
  ResourceTypeSchema ConfigSchema() const override;
  ConfigureResponse Configure(const ConfigureRequest& req) override;
  ReadResponse Read(const ReadRequest& req) override;
  ApplyResponse Apply(const ApplyRequest& req) override;
  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) override;
  int MaxActionsPerTarget() const override { return 8; }

 private:
  const GcpType* TypeOf(const std::string& type) const;
  /// Every object of `type`'s collection, by full name.
  bool List(const GcpType& type, std::map<std::string, Value>* out, std::string* error);
  HttpRequest Request(std::string method, const std::string& name, const Value& body = nullptr);
  /// `projects/P/COLLECTION/ID`.
  std::string FullName(const GcpType& type, const std::string& id) const;
  bool Create(const GcpType& type, const ApplyRequest& req, Value* state, std::string* error);
  bool Update(const GcpType& type, const ApplyRequest& req, Value* state, std::string* error);
  bool Delete(const std::string& name, std::string* error);

  std::shared_ptr<HttpClient> http_;  // the transport
  std::shared_ptr<HttpClient> api_;   // http_ signing requests in; from Configure
  std::unique_ptr<BigQuery> bigquery_;  // from Configure
  std::map<std::string, std::unique_ptr<GcpType>> types_;
  std::map<std::string, ResourceTypeSchema> schemas_;  // by type, made once
  // From Configure.
  std::string project_;
  std::string endpoint_;  // scheme://host[:port], no trailing slash
  std::string config_error_;
};

}  // namespace mfgctl
