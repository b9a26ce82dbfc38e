// BigQuery datasets and tables through the gcp provider against a scripted
// service: the request bodies the v2 REST reference documents (Dataset and
// Table resources: datasetReference, defaultTableExpirationMs as an int64
// string, schema.fields, timePartitioning, clustering), a patch of exactly
// what changed with removed labels set to null, deleteContents, the reads a
// plan costs, and which schema changes replace a table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/gcp/gcp_provider.h"
#include "tests/support/fake_http.h"

namespace mfgctl {
namespace {

using ::testing::HasSubstr;

constexpr char kBase[] = "http://127.0.0.1:9050/bigquery/v2/projects/acme-twin";

class BigQueryProviderTest : public ::testing::Test {
 protected:
  BigQueryProviderTest() : http_(std::make_shared<FakeHttpClient>()), gcp_(http_) {
    ConfigureRequest req;
    req.settings = {{"project", "acme-twin"},
                    {"endpoints", {{"bigquery", "http://127.0.0.1:9050"}}}};
    EXPECT_FALSE(gcp_.Configure(req).diagnostics.HasErrors());
  }
  ApplyResponse Apply(Action action, const std::string& kind, const std::string& id, Value before,
                      Value after) {
    ApplyRequest req;
    req.target = &target_;
    req.address = {"cloud", kind, id};
    req.type = "gcp." + kind;
    req.action = action;
    req.before = std::move(before);
    req.after = std::move(after);
    return gcp_.Apply(req);
  }
  static std::string Url(const std::string& rest) { return kBase + rest; }

  Target target_{"cloud", "cloud", Value::object(), {}, {}};
  std::shared_ptr<FakeHttpClient> http_;
  GcpProvider gcp_;
};

TEST_F(BigQueryProviderTest, CreatesSendTheDocumentedResourcesAndWaitUntilTheyReadBack) {
  http_->Script("GET", Url("/datasets/twin"),
                {FakeHttpClient::Json(404, Value::object()),
                 FakeHttpClient::Json(200, {{"location", "EU"}, {"defaultTableExpirationMs", "7776000000"}})});
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Json(200, Value::object()); });
  ApplyResponse resp = Apply(Action::kCreate, "bigquery.dataset", "twin", Value(),
                             {{"name", "acme-twin.twin"}, {"location", "EU"},
                              {"default_table_expiration", "90d"}, {"labels", {{"plant", "s1"}}}});
  ASSERT_FALSE(resp.diagnostics.HasErrors());
  HttpRequest post = http_->Requests()[0];
  EXPECT_EQ(post.method + " " + post.url, "POST " + Url("/datasets"));
  EXPECT_EQ(Value::parse(post.body),
            Value::parse(R"({"location": "EU", "defaultTableExpirationMs": "7776000000",
                             "labels": {"plant": "s1"},
                             "datasetReference": {"projectId": "acme-twin", "datasetId": "twin"}})"));
  EXPECT_TRUE(post.idempotent);
  EXPECT_EQ(http_->Count("GET", Url("/datasets/twin")), 2);  // 404 once, then there
  EXPECT_EQ(resp.state["default_table_expiration"], "7776000s");

  resp = Apply(Action::kCreate, "bigquery.table", "twin.telemetry", Value(),
               {{"name", "acme-twin.twin.telemetry"},
                {"schema", Value::array({{{"name", "ts"}, {"type", "TIMESTAMP"}, {"mode", "REQUIRED"}},
                                         {{"name", "value"}, {"type", "FLOAT64"}}})},
                {"time_partitioning", {{"type", "DAY"}, {"field", "ts"}, {"expiration", "400d"}}},
                {"clustering", Value::array({"value"})}});
  ASSERT_FALSE(resp.diagnostics.HasErrors());
  HttpRequest table = http_->Requests()[3];
  EXPECT_EQ(table.method + " " + table.url, "POST " + Url("/datasets/twin/tables"));
  // The type as Google names it in its answers (FLOAT64 is FLOAT).
  EXPECT_EQ(Value::parse(table.body), Value::parse(R"({
      "schema": {"fields": [{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                            {"name": "value", "type": "FLOAT"}]},
      "timePartitioning": {"type": "DAY", "field": "ts", "expirationMs": "34560000000"},
      "clustering": {"fields": ["value"]},
      "tableReference": {"projectId": "acme-twin", "datasetId": "twin", "tableId": "telemetry"}})"));
}

TEST_F(BigQueryProviderTest, APatchNamesOnlyWhatChangedAndNullsRemovedLabels) {
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Json(200, Value::object()); });
  ApplyResponse resp = Apply(Action::kUpdate, "bigquery.dataset", "twin",
                             {{"location", "EU"}, {"labels", {{"a", "1"}, {"b", "2"}}},
                              {"description", "x"}},
                             {{"location", "EU"}, {"labels", {{"b", "3"}}}, {"description", "x"},
                              {"force_destroy", true}});
  ASSERT_FALSE(resp.diagnostics.HasErrors());
  ASSERT_EQ(http_->Requests().size(), 1u);
  HttpRequest patch = http_->Requests()[0];
  EXPECT_EQ(patch.method + " " + patch.url, "PATCH " + Url("/datasets/twin"));
  EXPECT_EQ(Value::parse(patch.body), Value::parse(R"({"labels": {"b": "3", "a": null}})"));
  EXPECT_EQ(resp.state["force_destroy"], true);
}

TEST_F(BigQueryProviderTest, DeletingADatasetSendsDeleteContentsAsTheStateSays) {
  http_->Script("DELETE", Url("/datasets/twin?deleteContents=false"),
                {FakeHttpClient::Json(400, {{"error", {{"code", 400}, {"message", "Dataset acme-twin:twin is still in use"}}}})});
  ApplyResponse refused = Apply(Action::kDelete, "bigquery.dataset", "twin", {{"location", "EU"}}, Value());
  ASSERT_TRUE(refused.diagnostics.HasErrors());
  EXPECT_THAT(refused.diagnostics.items()[0].summary,
              HasSubstr("dataset twin holds tables: it is not deleted"));
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Reply(204); });
  EXPECT_FALSE(Apply(Action::kDelete, "bigquery.dataset", "twin",
                     {{"location", "EU"}, {"force_destroy", true}}, Value())
                   .diagnostics.HasErrors());
  EXPECT_EQ(http_->Count("DELETE", Url("/datasets/twin?deleteContents=true")), 1);
}

TEST_F(BigQueryProviderTest, AReadListsDatasetsOnceAndTablesOncePerDataset) {
  http_->Script("GET", Url("/datasets?all=true&maxResults=1000"),
                {FakeHttpClient::Json(200, Value::parse(R"({"datasets": [
                    {"id": "acme-twin:twin", "datasetReference": {"projectId": "acme-twin", "datasetId": "twin"}}],
                    "nextPageToken": "p2"})"))});
  http_->Script("GET", Url("/datasets?all=true&maxResults=1000&pageToken=p2"),
                {FakeHttpClient::Json(200, Value::parse(R"({"datasets": []})"))});
  http_->Script("GET", Url("/datasets/twin/tables?maxResults=1000"),
                {FakeHttpClient::Json(200, Value::parse(R"({"tables": [
                    {"tableReference": {"projectId": "acme-twin", "datasetId": "twin", "tableId": "telemetry"}}]})"))});
  http_->Script("GET", Url("/datasets/twin"),
                {FakeHttpClient::Json(200, Value::parse(R"({"location": "EU"})"))});
  http_->Script("GET", Url("/datasets/twin/tables/telemetry"),
                {FakeHttpClient::Json(200, Value::parse(R"({"schema": {"fields": [
                    {"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                    {"name": "sensor", "type": "STRING", "mode": "NULLABLE"}]},
                    "timePartitioning": {"type": "DAY", "field": "ts"}})"))});
  auto item = [](const std::string& kind, const std::string& id, Value desired) {
    return ReadItem{{"cloud", kind, id}, "gcp." + kind, std::move(desired), Value()};
  };
  ReadResponse resp = gcp_.Read(
      {&target_,
       {item("bigquery.dataset", "twin", Value::object()),
        item("bigquery.table", "twin.telemetry",
             Value::parse(R"({"schema": [{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                                          {"name": "sensor", "type": "STRING"}]})")),
        item("bigquery.table", "twin.other", Value::object()),
        item("bigquery.table", "lake.raw", Value::object())}});
  ASSERT_EQ(resp.results.size(), 4u);
  EXPECT_TRUE(resp.results[0].exists);
  EXPECT_EQ(resp.results[0].attributes["name"], "acme-twin.twin");
  ASSERT_TRUE(resp.results[1].exists);
  // A mode the blueprint leaves out reads as left out when it is NULLABLE.
  EXPECT_EQ(resp.results[1].attributes["schema"],
            Value::parse(R"([{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                             {"name": "sensor", "type": "STRING"}])"));
  EXPECT_EQ(resp.results[1].attributes["time_partitioning"], Value::parse(R"({"type": "DAY", "field": "ts"})"));
  EXPECT_FALSE(resp.results[2].exists);
  EXPECT_FALSE(resp.results[3].exists);  // its dataset is not there: nothing asked
  EXPECT_EQ(http_->Requests().size(), 5u);
}

// An odd server's answers (wrong JSON types everywhere) read as
// differences, never as an exception.
TEST_F(BigQueryProviderTest, OddAnswersAreReadWithoutThrowing) {
  http_->Script("GET", Url("/datasets?all=true&maxResults=1000"),
                {FakeHttpClient::Json(200, Value::parse(R"({"datasets": ["x", 3,
                    {"datasetReference": "y"}, {"datasetReference": {"datasetId": "twin"}}]})"))});
  http_->Script("GET", Url("/datasets/twin"),
                {FakeHttpClient::Json(200, Value::parse(R"({"defaultTableExpirationMs": "soon",
                                                            "labels": 7})"))});
  http_->Script("GET", Url("/datasets/twin/tables?maxResults=1000"),
                {FakeHttpClient::Json(200, Value::parse(R"({"tables": [1, {"tableReference": {"tableId": "t"}}]})"))});
  http_->Script("GET", Url("/datasets/twin/tables/t"),
                {FakeHttpClient::Json(200, Value::parse(R"({"schema": "none", "clustering": "z",
                                                            "timePartitioning": [1]})"))});
  ReadResponse resp = gcp_.Read(
      {&target_,
       {ReadItem{{"cloud", "bigquery.dataset", "twin"}, "gcp.bigquery.dataset", Value::object(), Value()},
        ReadItem{{"cloud", "bigquery.table", "twin.t"}, "gcp.bigquery.table", Value::object(), Value()}}});
  ASSERT_TRUE(resp.results[0].exists);
  EXPECT_EQ(resp.results[0].attributes["default_table_expiration"], "soon");
  ASSERT_TRUE(resp.results[1].exists);
  EXPECT_EQ(resp.results[1].attributes["schema"], Value::array());
}

TEST_F(BigQueryProviderTest, OnlyAppendingOrRelaxingColumnsIsAnUpdateInPlace) {
  auto plan = [&](const char* before, const char* after) {
    Value b = {{"schema", Value::parse(before)}}, a = {{"schema", Value::parse(after)}};
    ModifyPlanRequest req;
    req.type = "gcp.bigquery.table";
    req.action = Action::kUpdate;
    req.before = &b;
    req.after = &a;
    return gcp_.ModifyPlan(req).requires_replace;
  };
  const char* base = R"([{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"}])";
  EXPECT_TRUE(plan(base, R"([{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                             {"name": "line", "type": "STRING"}])").empty());
  EXPECT_TRUE(plan(base, R"([{"name": "ts", "type": "TIMESTAMP"}])").empty());
  std::vector<std::string> replace = {"schema"};
  EXPECT_EQ(plan(base, R"([{"name": "ts", "type": "DATE", "mode": "REQUIRED"}])"), replace);
  EXPECT_EQ(plan(base, R"([{"name": "time", "type": "TIMESTAMP", "mode": "REQUIRED"}])"), replace);
  EXPECT_EQ(plan(base, R"([])"), replace);
  EXPECT_EQ(plan(base, R"([{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                           {"name": "line", "type": "STRING", "mode": "REQUIRED"}])"), replace);
  EXPECT_EQ(plan(R"([{"name": "ts", "type": "TIMESTAMP"}])",
                 R"([{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"}])"), replace);
  // Inside a RECORD the same rules hold.
  const char* record = R"([{"name": "m", "type": "RECORD",
                            "fields": [{"name": "unit", "type": "STRING", "mode": "REQUIRED"}]}])";
  EXPECT_TRUE(plan(record, R"([{"name": "m", "type": "RECORD",
                                "fields": [{"name": "unit", "type": "STRING"},
                                           {"name": "scale", "type": "FLOAT"}]}])").empty());
  EXPECT_EQ(plan(record, R"([{"name": "m", "type": "RECORD",
                              "fields": [{"name": "unit", "type": "BYTES", "mode": "REQUIRED"}]}])"),
            replace);
  EXPECT_EQ(plan(record, R"([{"name": "m", "type": "RECORD", "fields": []}])"), replace);
}

TEST_F(BigQueryProviderTest, RecordsCarryTheirColumnsThereAndBack) {
  Value columns = Value::parse(R"([
      {"name": "ts", "type": "TIMESTAMP"},
      {"name": "reading", "type": "RECORD", "mode": "REPEATED",
       "fields": [{"name": "sensor", "type": "STRING", "mode": "REQUIRED"},
                  {"name": "at", "type": "RECORD", "fields": [{"name": "x", "type": "FLOAT"}]}]},
      {"name": "shift", "type": "RANGE", "range_element_type": "TIMESTAMP"}])");
  // BigQuery answers every column with its mode; the plan compares it as
  // written (a left-out mode is NULLABLE), in RECORDs too.
  Value answer = Value::parse(R"({"schema": {"fields": [
      {"name": "ts", "type": "TIMESTAMP", "mode": "NULLABLE"},
      {"name": "reading", "type": "RECORD", "mode": "REPEATED",
       "fields": [{"name": "sensor", "type": "STRING", "mode": "REQUIRED"},
                  {"name": "at", "type": "RECORD", "mode": "NULLABLE",
                   "fields": [{"name": "x", "type": "FLOAT", "mode": "NULLABLE"}]}]},
      {"name": "shift", "type": "RANGE", "mode": "NULLABLE",
       "rangeElementType": {"type": "TIMESTAMP"}}]}})");
  http_->SetHandler([&](const HttpRequest&) { return FakeHttpClient::Json(200, answer); });
  ApplyResponse resp = Apply(Action::kCreate, "bigquery.table", "twin.t", Value(),
                             {{"name", "acme-twin.twin.t"}, {"schema", columns}});
  ASSERT_FALSE(resp.diagnostics.HasErrors());
  EXPECT_EQ(Value::parse(http_->Requests()[0].body)["schema"], Value::parse(R"({"fields": [
      {"name": "ts", "type": "TIMESTAMP"},
      {"name": "reading", "type": "RECORD", "mode": "REPEATED",
       "fields": [{"name": "sensor", "type": "STRING", "mode": "REQUIRED"},
                  {"name": "at", "type": "RECORD", "fields": [{"name": "x", "type": "FLOAT"}]}]},
      {"name": "shift", "type": "RANGE", "rangeElementType": {"type": "TIMESTAMP"}}]})"));
  EXPECT_EQ(resp.state["schema"], columns);
}

TEST_F(BigQueryProviderTest, NoClusteringWrittenAsAnEmptyListReadsBackAsWritten) {
  // BigQuery answers a table without clustering with no clustering at all.
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Json(200, Value::object()); });
  ApplyResponse resp = Apply(Action::kUpdate, "bigquery.table", "twin.t",
                             {{"clustering", Value::array({"sensor"})}},
                             {{"clustering", Value::array()}});
  ASSERT_FALSE(resp.diagnostics.HasErrors());
  EXPECT_EQ(Value::parse(http_->Requests()[0].body), Value::parse(R"({"clustering": null})"));
  EXPECT_EQ(resp.state["clustering"], Value::array());
}

TEST_F(BigQueryProviderTest, ARecordWithoutColumnsOrARangeWithoutBoundsIsNotPlanned) {
  auto errors = [&](const char* schema) {
    Value after = {{"schema", Value::parse(schema)}};
    ModifyPlanRequest req;
    req.type = "gcp.bigquery.table";
    req.action = Action::kCreate;
    req.after = &after;
    ModifyPlanResponse resp = gcp_.ModifyPlan(req);
    std::vector<std::string> out;
    for (const auto& d : resp.diagnostics.items()) out.push_back(d.summary);
    return out;
  };
  EXPECT_THAT(errors(R"([{"name": "m", "type": "RECORD"}])"),
              ::testing::ElementsAre("schema[0] is a RECORD without fields"));
  EXPECT_THAT(errors(R"([{"name": "m", "type": "RECORD", "fields": [
                          {"name": "n", "type": "STRING", "fields": []}]}])"),
              ::testing::ElementsAre("schema[0].fields[0] has fields but is a STRING, not a RECORD"));
  EXPECT_THAT(errors(R"([{"name": "r", "type": "RANGE"}])"),
              ::testing::ElementsAre("schema[0] is a RANGE without range_element_type"));
  EXPECT_THAT(errors(R"([{"name": "r", "type": "DATE", "range_element_type": "DATE"}])"),
              ::testing::ElementsAre("schema[0] has range_element_type but is no RANGE"));
  EXPECT_TRUE(errors(R"([{"name": "r", "type": "RANGE", "range_element_type": "DATE"}])").empty());
}

}  // namespace
}  // namespace mfgctl
