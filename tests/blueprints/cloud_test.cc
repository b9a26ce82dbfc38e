// The `cloud:` section: Pub/Sub topics and subscriptions on the target
// `cloud`, with full names made from the project, subscriptions after their
// topics, durations checked where they are written; buckets beside them.
#include "engine/model/unknown.h"
#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

class CloudTest : public BlueprintTest {
 protected:
  static std::string Plant(const std::string& body) {
    return std::string(kHead) + "  gcp: { project: acme-twin }\n" + body;
  }
};

TEST_F(CloudTest, TopicsAndSubscriptionsWithTheirNamesAndOrder) {
  ASSERT_TRUE(Load(Plant("cloud:\n"
                         "  pubsub:\n"
                         "    topics:\n"
                         "      telemetry-line1: { message_retention: 7d, labels: { plant: s1 } }\n"
                         "      telemetry-dead:\n"
                         "    subscriptions:\n"
                         "      twin-ingest:\n"
                         "        topic: telemetry-line1\n"
                         "        expiration: never\n"
                         "        dead_letter: { topic: telemetry-dead, max_delivery_attempts: 5 }\n"
                         "        retry: { minimum_backoff: 10s, maximum_backoff: 10m }\n"
                         "      elsewhere: { topic: projects/other/topics/feed }\n"
                         "gateways:\n"
                         "  gw1:\n"
                         "    address: 10.20.1.10\n"
                         "    files:\n"
                         "      /etc/collector/out.conf:\n"
                         "        content: \"topic=${cloud:pubsub.topic[telemetry-line1].name}\\n\"\n")))
      << Error();
  EXPECT_EQ(config_.targets.at("cloud").provider, "cloud");
  const Resource* topic = Find("cloud:pubsub.topic[telemetry-line1]");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->type, "gcp.pubsub.topic");
  EXPECT_EQ(topic->attributes.dump(),
            R"({"message_retention":"7d","labels":{"plant":"s1"},)"
            R"("name":"projects/acme-twin/topics/telemetry-line1"})");
  // An entry with nothing set is a topic with defaults.
  EXPECT_EQ(Find("cloud:pubsub.topic[telemetry-dead]")->attributes["name"],
            "projects/acme-twin/topics/telemetry-dead");
  const Resource* sub = Find("cloud:pubsub.subscription[twin-ingest]");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->depends_on, (std::vector<std::string>{"cloud:pubsub.topic[telemetry-line1]",
                                                        "cloud:pubsub.topic[telemetry-dead]"}));
  EXPECT_TRUE(Find("cloud:pubsub.subscription[elsewhere]")->depends_on.empty());
  // The name is known at plan time: the gateway's file has it, not a marker.
  const Resource* file = Find("gw1:file[/etc/collector/out.conf]");
  EXPECT_EQ(file->attributes["content"], "topic=projects/acme-twin/topics/telemetry-line1\n");
  EXPECT_EQ(file->depends_on, std::vector<std::string>{"cloud:pubsub.topic[telemetry-line1]"});
}

TEST_F(CloudTest, ErrorsNameWhereAndWhatWasExpected) {
  EXPECT_FALSE(Load(Plant("cloud:\n  pubsub:\n    topics:\n      t1: {}\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:7: error: pubsub ID \"t1\" is not one Google takes\n"
                     "  3 to 255 of letters, digits and - _ . ~ + %, starting with a letter, "
                     "not with \"goog\"");
  EXPECT_FALSE(Load(Plant("cloud:\n  pubsub:\n    topics:\n      tel: { message_retention: 7days }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:33: error: attribute \"message_retention\" must be a "
                     "duration like 7d, 12h, 1h30m or 600s, got \"7days\"");
  EXPECT_FALSE(Load(Plant("cloud:\n  pubsub:\n    subscriptions:\n"
                          "      sub: { topic: tel, expiration: forever }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:38: error: attribute \"expiration\" must be a duration "
                     "like 7d, 12h, 1h30m or 600s, or never, got \"forever\"");
  EXPECT_FALSE(Load(Plant("cloud:\n  pubsub:\n    subscriptions:\n"
                          "      sub: { topic: tel, ack_deadline_seconds: 700 }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:48: error: attribute \"ack_deadline_seconds\" must be a "
                     "whole number from 10 to 600, got 700");
  EXPECT_FALSE(Load(Plant("cloud:\n  pubsub:\n    topics:\n      tel: { name: x }\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:14: error: \"name\" of pubsub tel is made from the "
                     "project and its ID (projects/acme-twin/topics/tel); it cannot be set");
  EXPECT_FALSE(Load(Plant("cloud:\n  pubsub:\n    topic:\n      tel: {}\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:8:5: error: unknown key \"topic\" in \"cloud.pubsub\"; did "
                     "you mean \"topics\"?");
  EXPECT_FALSE(Load(std::string(kHead) + "cloud:\n  pubsub:\n    topics:\n      tel: {}\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:3: error: \"cloud.pubsub\" needs the project it lives "
                     "in: providers: { gcp: { project: ID } }");
  EXPECT_FALSE(Load(Plant("gateways:\n  cloud: { address: 10.0.0.1 }\n"
                          "cloud:\n  pubsub:\n    topics:\n      tel: {}\n")));
  EXPECT_NE(Error().find("host \"cloud\" at DIR/plant.yaml:7:3 takes the name of the cloud's "
                         "services"),
            std::string::npos)
      << Error();
}

TEST_F(CloudTest, DatasetsAndTablesWithTheirNamesAndOrder) {
  ASSERT_TRUE(Load(Plant("cloud:\n"
                         "  bigquery:\n"
                         "    datasets:\n"
                         "      twin: { location: EU, default_table_expiration: 90d }\n"
                         "    tables:\n"
                         "      twin.telemetry:\n"
                         "        schema: [ { name: ts, type: TIMESTAMP, mode: REQUIRED }, { name: sensor, type: STRING }, { name: value, type: FLOAT64 } ]\n"
                         "        time_partitioning: { field: ts, type: DAY }\n"
                         "        lifecycle: { protected: true }\n"
                         "      lake.raw: { schema: [ { name: line, type: STRING } ] }\n")))
      << Error();
  const Resource* dataset = Find("cloud:bigquery.dataset[twin]");
  ASSERT_NE(dataset, nullptr);
  EXPECT_EQ(dataset->type, "gcp.bigquery.dataset");
  EXPECT_EQ(dataset->attributes["name"], "acme-twin.twin");
  const Resource* table = Find("cloud:bigquery.table[twin.telemetry]");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->attributes["name"], "acme-twin.twin.telemetry");
  EXPECT_TRUE(table->is_protected);
  EXPECT_EQ(table->depends_on, std::vector<std::string>{"cloud:bigquery.dataset[twin]"});
  // A dataset outside the blueprint: no dependency.
  EXPECT_TRUE(Find("cloud:bigquery.table[lake.raw]")->depends_on.empty());
}

TEST_F(CloudTest, BigQueryErrorsNameWhereAndWhatWasExpected) {
  EXPECT_FALSE(Load(Plant("cloud:\n  bigquery:\n    tables:\n      telemetry: {}\n")));
  EXPECT_EQ(Error(), "DIR/plant.yaml:9:7: error: bigquery table \"telemetry\" is not one Google "
                     "takes\n  DATASET.TABLE: a dataset ID, a dot, and letters, digits, "
                     "underscores and hyphens");
  EXPECT_FALSE(Load(Plant("cloud:\n  bigquery:\n    datasets:\n      line-1: {}\n")));
  EXPECT_NE(Error().find("bigquery dataset ID \"line-1\" is not one Google takes"),
            std::string::npos);
  EXPECT_FALSE(Load(Plant("cloud:\n  bigquery:\n    tables:\n"
                          "      twin.t: { schema: [ { name: ts, type: TIMESTMP } ] }\n")));
  EXPECT_NE(Error().find("DIR/plant.yaml:9:45: error: attribute \"schema[0].type\" must be STRING or"), std::string::npos) << Error();
  EXPECT_NE(Error().find("did you mean \"TIMESTAMP\"?"), std::string::npos) << Error();
}

TEST_F(CloudTest, BucketsWithTheirRulesAndAProtectedOne) {
  env_["MFGCTL_SECRET_S3_ACCESS_KEY"] = "AKIDPLANT";
  env_["MFGCTL_SECRET_S3_SECRET_KEY"] = "s3cr3t";
  ASSERT_TRUE(Load(std::string(kHead) +
                   "  s3: { endpoint: \"https://minio.plant.example:9000\", region: us-east-1,\n"
                   "        access_key: \"${secret.S3_ACCESS_KEY}\", secret_key: \"${secret.S3_SECRET_KEY}\" }\n"
                   "cloud:\n"
                   "  buckets:\n"
                   "    historian-archive: { versioning: true, lifecycle: [ { expire_days: 365, prefix: raw/ } ],"
                   " tags: { plant: suzhou-1 } }\n"
                   "    twin-models:\n"
                   "      lifecycle: { protected: true }\n"
                   "      lifecycle_rules: [ { noncurrent_expire_days: 30 } ]\n"
                   "gateways:\n"
                   "  gw1:\n"
                   "    address: 10.20.1.10\n"
                   "    files:\n"
                   "      /etc/collector/archive.conf:\n"
                   "        content: \"bucket=${cloud:bucket[historian-archive].name}\\n\"\n"))
      << Error();
  const Resource* bucket = Find("cloud:bucket[historian-archive]");
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->type, "s3.bucket");
  // A list under lifecycle: is S3's lifecycle configuration.
  EXPECT_EQ(bucket->attributes.dump(),
            R"({"versioning":true,"lifecycle_rules":[{"expire_days":365,"prefix":"raw/"}],)"
            R"("tags":{"plant":"suzhou-1"},"name":"historian-archive"})");
  EXPECT_FALSE(bucket->is_protected);
  // A map there is mfgctl's lifecycle block.
  const Resource* models = Find("cloud:bucket[twin-models]");
  ASSERT_NE(models, nullptr);
  EXPECT_TRUE(models->is_protected);
  EXPECT_EQ(models->attributes["lifecycle_rules"][0]["noncurrent_expire_days"], 30);
  EXPECT_EQ(Find("gw1:file[/etc/collector/archive.conf]")->attributes["content"],
            "bucket=historian-archive\n");
}

TEST_F(CloudTest, BucketErrorsNameWhereAndWhatWasExpected) {
  EXPECT_FALSE(Load(std::string(kHead) + "cloud:\n  buckets:\n    Historian_Archive: {}\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:7:5: error: bucket name \"Historian_Archive\" is not one S3 "
                     "takes\n  3 to 63 of lowercase letters, digits, dots and hyphens, starting "
                     "and ending with a letter or digit, not an IP address");
  EXPECT_FALSE(Load(std::string(kHead) + "cloud:\n  buckets:\n    10.1.2.3: {}\n"));
  EXPECT_NE(Error().find("bucket name \"10.1.2.3\" is not one S3 takes"), std::string::npos);
  EXPECT_FALSE(Load(std::string(kHead) + "cloud:\n  buckets:\n    raw-data: { name: x }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:7:17: error: \"name\" of bucket raw-data is made from its "
                     "ID (raw-data); it cannot be set");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "cloud:\n  buckets:\n    raw-data: { lifecycle: [ { expire: 3 } ] }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:7:32: error: unknown key \"expire\" in \"lifecycle_rules[0]\"");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "cloud:\n  buckets:\n    raw-data: { lifecycle: [ { expire_days: 0 } ] }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:7:45: error: attribute \"lifecycle_rules[0].expire_days\" "
                     "must be a whole number of at least 1, got 0");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "cloud:\n  buckets:\n    raw-data: { lifecycle: [ { expire_days: 1.5 } ] }\n"));
  EXPECT_NE(Error().find("\"lifecycle_rules[0].expire_days\" must be a number"), std::string::npos)
      << Error();
  EXPECT_FALSE(Load(std::string(kHead) + "cloud:\n  bucket:\n    raw-data: {}\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:3: error: unknown key \"bucket\" in \"cloud\"; did you "
                     "mean \"buckets\"?");
}

}  // namespace
}  // namespace mfgctl
