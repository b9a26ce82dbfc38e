// BigQuery datasets and tables against a FAKE: no BigQuery emulator runs on
// these machines, so these tests talk to tests/cloud/bigquery_fake.py, a
// small in-project stand-in for the datasets and tables REST collections
// that keeps the service's documented habits (legacy type names in answers,
// int64 as strings, a just-made object 404ing once, the schema changes a
// patch may make, deleteContents). The bodies mfgctl sends are also pinned
// against Google's documented shapes in tests/providers/bigquery_test.cc.
#include "tests/e2e/e2e_support.h"
#include "tests/support/script_server.h"

namespace mfgctl::e2e {
namespace {

class BigQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    fake_ = ScriptServer::Start(kBigQueryFake, {}, &error);
    ASSERT_NE(fake_, nullptr) << error;
  }
  std::string Blueprint(const std::string& bigquery, const std::string& more = "") const {
    return "  gcp: { project: acme-twin, endpoints: { bigquery: \"" + fake_->Url("") +
           "\" } }\ncloud:\n  bigquery:\n" + bigquery + more;
  }
  Value Live(const std::string& path) const {
    Result r = RunProgram({"curl", "-s", fake_->Url("/bigquery/v2/projects/acme-twin/" + path)});
    return Value::parse(r.out, nullptr, false);
  }
  std::unique_ptr<ScriptServer> fake_;
};

constexpr char kTwin[] =
    "    datasets:\n"
    "      twin: { location: EU, default_table_expiration: 90d, labels: { plant: s1 } }\n"
    "    tables:\n"
    "      twin.telemetry:\n"
    "        schema: [ { name: ts, type: TIMESTAMP, mode: REQUIRED }, { name: sensor, type: STRING },"
    " { name: value, type: FLOAT64 } ]\n"
    "        time_partitioning: { field: ts, type: DAY }\n"
    "        lifecycle: { protected: true }\n";

TEST_F(BigQueryTest, BuildsADatasetAndATableAGatewayNamesThenPlansNothing) {
  Plant plant("bigquery-build");
  plant.Write(Blueprint(kTwin, Gateway(1, "    files:\n      /srv/e2e-bq.conf: { content: "
                                          "\"table=${cloud:bigquery.table[twin.telemetry].name}\\n\" }\n")));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_LT(apply.out.find("cloud:bigquery.dataset[twin]: Creation complete"),
            apply.out.find("cloud:bigquery.table[twin.telemetry]: Creating..."))
      << apply.out;
  Value dataset = Live("datasets/twin");
  EXPECT_EQ(dataset["location"], "EU") << dataset.dump();
  EXPECT_EQ(dataset["defaultTableExpirationMs"], "7776000000");
  Value table = Live("datasets/twin/tables/telemetry");
  EXPECT_EQ(table["schema"]["fields"][2]["type"], "FLOAT") << table.dump();
  EXPECT_EQ(table["timePartitioning"]["field"], "ts");
  EXPECT_EQ(OnHost(1, "cat /srv/e2e-bq.conf").out, "table=acme-twin.twin.telemetry\n");
  // FLOAT64 reads back as FLOAT, an unwritten mode as NULLABLE: no diff.
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  OnHost(1, "rm -f /srv/e2e-bq.conf");
}

TEST_F(BigQueryTest, ColumnsAreAppendedInPlaceAndAnyOtherSchemaChangeReplaces) {
  Plant plant("bigquery-schema");
  plant.Write(Blueprint(
      "    datasets:\n      twin: {}\n    tables:\n"
      "      twin.raw: { schema: [ { name: ts, type: TIMESTAMP } ], labels: { a: \"1\" } }\n"));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  plant.Write(Blueprint(
      "    datasets:\n      twin: {}\n    tables:\n"
      "      twin.raw: { schema: [ { name: ts, type: TIMESTAMP }, { name: line, type: STRING } ],"
      " labels: { b: \"2\" } }\n"));
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("will be updated in-place"), std::string::npos) << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Value table = Live("datasets/twin/tables/raw");
  EXPECT_EQ(table["schema"]["fields"].size(), 2u) << table.dump();
  // The old label was removed (patched to null), not kept beside the new.
  EXPECT_EQ(table["labels"], Value({{"b", "2"}})) << table.dump();
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  plant.Write(Blueprint("    datasets:\n      twin: {}\n    tables:\n"
                        "      twin.raw: { schema: [ { name: ts, type: DATE } ] }\n"));
  plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("must be replaced"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("BigQuery only appends columns"), std::string::npos) << plan.out;
  apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(Live("datasets/twin/tables/raw")["schema"]["fields"][0]["type"], "DATE");

  // Partitions' expiration is patched; the partitioning field replaces.
  auto partitioned = [](const std::string& spec) {
    return "    datasets:\n      twin: {}\n    tables:\n"
           "      twin.raw: { schema: [ { name: ts, type: DATE }, { name: d, type: DATE } ],"
           " time_partitioning: " + spec + " }\n";
  };
  plant.Write(Blueprint(partitioned("{ type: DAY, field: ts }")));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  plant.Write(Blueprint(partitioned("{ type: DAY, field: ts, expiration: 400d }")));
  plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("will be updated in-place"), std::string::npos) << plan.out;
  apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(Live("datasets/twin/tables/raw")["timePartitioning"]["expirationMs"], "34560000000");
  plant.Write(Blueprint(partitioned("{ type: DAY, field: d, expiration: 400d }")));
  plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("must be replaced"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("field = \"ts\" -> \"d\" # forces replacement"), std::string::npos)
      << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(BigQueryTest, ADatasetWithTablesIsKeptUntilForceDestroyAndLocationReplaces) {
  Plant plant("bigquery-delete");
  plant.Write(Blueprint("    datasets:\n      twin: { location: EU }\n"));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  // A table made outside mfgctl.
  RunProgram({"curl", "-s", "-X", "POST", "-d",
              R"({"tableReference": {"tableId": "adhoc"}})",
              fake_->Url("/bigquery/v2/projects/acme-twin/datasets/twin/tables")});
  plant.Write(Blueprint("    datasets:\n      twin: { location: US }\n"));
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("must be replaced"), std::string::npos) << plan.out;
  Result refused = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("dataset twin holds tables: it is not deleted"), std::string::npos)
      << refused.err;
  EXPECT_EQ(Live("datasets/twin")["location"], "EU");

  plant.Write(Blueprint("    datasets:\n      twin: { location: EU, force_destroy: true }\n"));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  plant.Write(Blueprint("    datasets: {}\n"));
  Result gone = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(gone.exit_code, 0) << gone.out << gone.err;
  EXPECT_EQ(Live("datasets/twin")["error"]["code"], 404);
}

TEST_F(BigQueryTest, AnExistingDatasetIsImportedAndAProtectedTableIsNotDeleted) {
  RunProgram({"curl", "-s", "-X", "POST", "-d",
              R"({"datasetReference": {"datasetId": "twin"}, "location": "EU"})",
              fake_->Url("/bigquery/v2/projects/acme-twin/datasets")});
  // Made a moment ago: the fake, like BigQuery, answers its first read 404.
  Live("datasets/twin");
  Plant plant("bigquery-import");
  plant.Write(Blueprint("    datasets:\n      twin: { location: EU }\n"));
  Result import = plant.Mfgctl({"import", "cloud:bigquery.dataset[twin]", "twin"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // A table made beside mfgctl is imported too, and then planned as declared.
  RunProgram({"curl", "-s", "-X", "POST", "-d",
              R"({"tableReference": {"datasetId": "twin", "tableId": "telemetry"},
                  "schema": {"fields": [{"name": "ts", "type": "TIMESTAMP", "mode": "REQUIRED"},
                                        {"name": "sensor", "type": "STRING"},
                                        {"name": "value", "type": "FLOAT"}]},
                  "timePartitioning": {"type": "DAY", "field": "ts"}})",
              fake_->Url("/bigquery/v2/projects/acme-twin/datasets/twin/tables")});
  Live("datasets/twin/tables/telemetry");
  plant.Write(Blueprint(kTwin));
  import = plant.Mfgctl({"import", "cloud:bigquery.table[twin.telemetry]", "twin.telemetry"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  Result plan = plant.Mfgctl({"plan"});
  for (const char* change : {" will be", " must be"}) {
    EXPECT_EQ(plan.out.find(std::string("cloud:bigquery.table[twin.telemetry]") + change),
              std::string::npos)
        << plan.out;
  }
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  plant.Write(Blueprint("    datasets:\n      twin: { location: EU, default_table_expiration: 90d, "
                        "labels: { plant: s1 } }\n"));
  // Dropped from the blueprint, the protected table stays, with a warning.
  Result kept = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(kept.exit_code, 0) << kept.out << kept.err;
  EXPECT_NE((kept.out + kept.err).find("cloud:bigquery.table[twin.telemetry]"),
            std::string::npos)
      << kept.out << kept.err;
  EXPECT_EQ(Live("datasets/twin/tables/telemetry")["tableReference"]["tableId"], "telemetry");
}

}  // namespace
}  // namespace mfgctl::e2e
