#pragma once

// Internal to providers/gcp: BigQuery datasets and tables over the v2 REST
// API (bigquery.googleapis.com/bigquery/v2). Unlike Pub/Sub's, BigQuery's
// collections create with POST, patch without a mask, and list without the
// fields a plan compares (a table's schema): a read lists the project's
// datasets once and each dataset's tables once, then gets the declared
// objects that exist.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/provider/provider.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

class BigQuery {
 public:
  static std::vector<ResourceTypeSchema> Schemas();
  /// gcp.bigquery.dataset and gcp.bigquery.table.
  static bool Serves(const std::string& type);

  BigQuery(std::shared_ptr<HttpClient> api, std::string project, std::string endpoint);

  /// Reads BigQuery's items of a ReadRequest into their results.
  void Read(const std::vector<std::pair<const ReadItem*, ReadResult*>>& items);
  /// `req` canonical. The object as it reads back into `state`.
  bool Apply(const ApplyRequest& req, Value* state, std::string* error);
  /// A table's schema change BigQuery cannot make in place (a column
  /// removed, renamed, retyped or made REQUIRED) replaces the table.
  static ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req);

 private:
  std::string Url(const std::string& path) const;
  /// Every item of a paginated list at `url` under `key`.
  bool List(const std::string& url, const char* key, std::vector<Value>* out, std::string* error);
  bool Create(const ApplyRequest& req, Value* made, std::string* error);
  bool Update(const ApplyRequest& req, Value* patched, std::string* error);
  bool Delete(const ApplyRequest& req, std::string* error);

  std::shared_ptr<HttpClient> api_;
  std::string project_;
  std::string endpoint_;
};

}  // namespace mfgctl
