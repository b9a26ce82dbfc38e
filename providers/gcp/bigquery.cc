#include "providers/gcp/bigquery.h"

#include <cstdlib>
#include <map>
#include <set>

#include "providers/gcp/google_rest.h"
#include "providers/transport/http_json.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {
namespace {

constexpr char kDataset[] = "gcp.bigquery.dataset";
constexpr char kTable[] = "gcp.bigquery.table";

// Durations are canonical as "Ns"; BigQuery's are int64 milliseconds, sent
// and answered as JSON strings.
std::string ToMs(const std::string& duration) {
  return std::to_string(std::stoll(duration) * 1000);
}
// An answer's milliseconds as a duration; what is not a number (an odd
// server) reads as itself, so it shows as a difference.
Value FromMs(const Value& ms) {
  if (ms.is_number_integer()) return std::to_string(ms.get<long long>() / 1000) + "s";
  if (!ms.is_string()) return ms;
  const std::string& text = ms.get_ref<const std::string&>();
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') return ms;
  return std::to_string(n / 1000) + "s";
}

// A JSON object from an answer, whatever it holds (an odd server's answer
// must not throw).
const Value& ObjectOr(const Value& v) {
  static const Value kEmpty = Value::object();
  return v.is_object() ? v : kEmpty;
}

std::pair<std::string, std::string> SplitTable(const std::string& id) {
  size_t dot = id.find('.');
  return {id.substr(0, dot), dot == std::string::npos ? "" : id.substr(dot + 1)};
}

Value DatasetToApi(const Value& a) {
  Value o = Value::object();
  if (a.contains("location")) o["location"] = a["location"];
  if (a.contains("default_table_expiration")) {
    o["defaultTableExpirationMs"] = ToMs(a["default_table_expiration"].get<std::string>());
  }
  if (a.contains("labels")) o["labels"] = a["labels"];
  if (a.contains("description")) o["description"] = a["description"];
  return o;
}

Value DatasetFromApi(const Value& answer, const std::string& project, const std::string& id) {
  const Value& o = ObjectOr(answer);
  Value a = Value::object();
  a["name"] = project + "." + id;
  a["location"] = StringAttr(o, "location");
  if (o.contains("defaultTableExpirationMs")) {
    a["default_table_expiration"] = FromMs(o["defaultTableExpirationMs"]);
  }
  a["labels"] = o.value("labels", Value::object());
  if (o.contains("description")) a["description"] = o["description"];
  return a;
}

// Columns as BigQuery's TableFieldSchema, a RECORD's with its own fields.
Value ColumnsToApi(const Value& columns) {
  Value fields = Value::array();
  for (const auto& f : columns) {
    Value field = {{"name", f["name"]}, {"type", f["type"]}};
    for (const char* k : {"mode", "description"}) {
      if (f.contains(k)) field[k] = f[k];
    }
    if (f.contains("fields")) field["fields"] = ColumnsToApi(f["fields"]);
    if (f.contains("range_element_type")) {
      field["rangeElementType"] = {{"type", f["range_element_type"]}};
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

Value ColumnsFromApi(const Value& fields) {
  Value columns = Value::array();
  if (!fields.is_array()) return columns;
  for (const auto& f : fields) {
    Value column = {{"name", StringAttr(f, "name")}, {"type", StringAttr(f, "type")},
                    {"mode", StringAttr(f, "mode", "NULLABLE")}};
    if (f.contains("description")) column["description"] = f["description"];
    if (f.is_object() && f.contains("fields")) column["fields"] = ColumnsFromApi(f["fields"]);
    if (f.is_object() && f.contains("rangeElementType")) {
      column["range_element_type"] = StringAttr(ObjectOr(f["rangeElementType"]), "type");
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

Value TableToApi(const Value& a) {
  Value o = Value::object();
  if (a.contains("schema")) o["schema"] = {{"fields", ColumnsToApi(a["schema"])}};
  if (a.contains("time_partitioning")) {
    const Value& p = a["time_partitioning"];
    Value tp = {{"type", p["type"]}};
    if (p.contains("field")) tp["field"] = p["field"];
    if (p.contains("expiration")) tp["expirationMs"] = ToMs(p["expiration"].get<std::string>());
    o["timePartitioning"] = std::move(tp);
  }
  // No clustering is sent as none: BigQuery refuses an empty field list.
  if (a.contains("clustering")) {
    o["clustering"] = a["clustering"].empty() ? Value() : Value{{"fields", a["clustering"]}};
  }
  if (a.contains("labels")) o["labels"] = a["labels"];
  if (a.contains("description")) o["description"] = a["description"];
  return o;
}

Value TableFromApi(const Value& answer, const std::string& project, const std::string& id) {
  const Value& o = ObjectOr(answer);
  Value a = Value::object();
  a["name"] = project + "." + id;
  a["schema"] = ColumnsFromApi(ObjectOr(o.value("schema", Value())).value("fields", Value()));
  if (o.contains("timePartitioning")) {
    const Value& tp = ObjectOr(o["timePartitioning"]);
    Value p = {{"type", StringAttr(tp, "type", "DAY")}};
    if (tp.contains("field")) p["field"] = tp["field"];
    if (tp.contains("expirationMs")) p["expiration"] = FromMs(tp["expirationMs"]);
    a["time_partitioning"] = std::move(p);
  }
  if (o.contains("clustering")) {
    a["clustering"] = ObjectOr(o["clustering"]).value("fields", Value::array());
  }
  a["labels"] = o.value("labels", Value::object());
  if (o.contains("description")) a["description"] = o["description"];
  return a;
}

// A column's mode the blueprint leaves out is NULLABLE, as BigQuery says:
// the live schema drops it where the blueprint does, in RECORDs too.
void OmitDefaultColumnModes(const Value& want, Value* have) {
  if (!want.is_array() || !have->is_array()) return;
  for (size_t i = 0; i < have->size() && i < want.size(); ++i) {
    Value& column = (*have)[i];
    if (!want[i].is_object() || !column.is_object()) continue;
    if (!want[i].contains("mode") && column.value("mode", "") == "NULLABLE") column.erase("mode");
    if (want[i].contains("fields") && column.contains("fields")) {
      OmitDefaultColumnModes(want[i]["fields"], &column["fields"]);
    }
  }
}

// A live table as the blueprint writes it where both mean the same: modes
// left out, and `clustering: []` for a table BigQuery answers without one.
void ReadAsWritten(const Value& desired, Value* live) {
  if (!desired.is_object()) return;
  if (desired.contains("schema") && live->contains("schema")) {
    OmitDefaultColumnModes(desired["schema"], &(*live)["schema"]);
  }
  if (desired.contains("clustering") && desired["clustering"].empty() &&
      !live->contains("clustering")) {
    (*live)["clustering"] = Value::array();
  }
}

std::string Mode(const Value& field) { return field.value("mode", "NULLABLE"); }

// What BigQuery patches in place: every column kept in order with its name
// and type, a REQUIRED one at most relaxed to NULLABLE, new ones appended
// and not REQUIRED — at the top and inside every RECORD.
bool SchemaPatchable(const Value& before, const Value& after) {
  if (!before.is_array() || !after.is_array() || after.size() < before.size()) return false;
  for (size_t i = 0; i < before.size(); ++i) {
    const Value& b = before[i];
    const Value& a = after[i];
    if (a.value("name", "") != b.value("name", "") || a.value("type", "") != b.value("type", "")) {
      return false;
    }
    if (Mode(a) != Mode(b) && !(Mode(b) == "REQUIRED" && Mode(a) == "NULLABLE")) return false;
    if ((a.contains("fields") || b.contains("fields")) &&
        !SchemaPatchable(b.value("fields", Value::array()), a.value("fields", Value::array()))) {
      return false;
    }
  }
  for (size_t i = before.size(); i < after.size(); ++i) {
    if (Mode(after[i]) == "REQUIRED") return false;
  }
  return true;
}

const std::vector<std::string> kColumnTypes = {
    "STRING", "BYTES",   "INTEGER",   "INT64", "FLOAT",    "FLOAT64",   "NUMERIC", "BIGNUMERIC",
    "BOOLEAN", "BOOL",   "TIMESTAMP", "DATE",  "TIME",     "DATETIME",  "GEOGRAPHY", "JSON",
    "INTERVAL", "RANGE", "RECORD",    "STRUCT"};

// BigQuery nests RECORDs at most 15 deep.
constexpr int kMaxColumnDepth = 15;

std::vector<AttributeSchema> ColumnAttributes(int depth) {
  std::vector<AttributeSchema> column = {
      {.name = "name", .required = true, .description = "The column's name."},
      {.name = "type", .required = true, .one_of = kColumnTypes,
       .aliases = {{"INT64", "INTEGER"}, {"FLOAT64", "FLOAT"}, {"BOOL", "BOOLEAN"},
                   {"STRUCT", "RECORD"}},
       .description = "Its type; standard SQL names are compared as BigQuery answers "
                      "(FLOAT64 as FLOAT)."},
      {.name = "mode", .one_of = {"NULLABLE", "REQUIRED", "REPEATED"},
       .description = "NULLABLE (the default), REQUIRED or REPEATED."},
      {.name = "description", .description = "Free text."},
      {.name = "range_element_type", .one_of = {"DATE", "DATETIME", "TIMESTAMP"},
       .description = "A RANGE's bounds: DATE, DATETIME or TIMESTAMP."}};
  if (depth < kMaxColumnDepth) {
    column.push_back({.name = "fields", .type = AttrType::kObjectList,
                      .description = "A RECORD's columns, in order (15 levels at most).",
                      .attributes = ColumnAttributes(depth + 1)});
  }
  return column;
}

// A RECORD has columns of its own and nothing else has: BigQuery refuses
// either at create, so the plan does.
void CheckColumns(const Value& columns, const std::string& path, Diagnostics* diags) {
  if (!columns.is_array()) return;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Value& c = columns[i];
    std::string at = path + ElementPath(i);
    bool record = c.value("type", "") == "RECORD";
    if (record && !c.contains("fields")) {
      diags->Error(at + " is a RECORD without fields", {},
                   "list its columns under fields:");
    } else if (!record && c.contains("fields")) {
      diags->Error(at + " has fields but is a " + c.value("type", "") + ", not a RECORD", {},
                   "make its type RECORD, or drop its fields");
    }
    bool range = c.value("type", "") == "RANGE";
    if (range != c.contains("range_element_type")) {
      diags->Error(at + (range ? " is a RANGE without range_element_type"
                               : " has range_element_type but is no RANGE"),
                   {}, "a RANGE, and only a RANGE, names range_element_type: DATE, DATETIME or "
                       "TIMESTAMP");
    }
    if (c.contains("fields")) CheckColumns(c["fields"], at + ".fields", diags);
  }
}

}  // namespace

std::vector<ResourceTypeSchema> BigQuery::Schemas() {
  ResourceTypeSchema dataset;
  dataset.type = kDataset;
  dataset.description = "A BigQuery dataset.";
  dataset.attributes = {
      {.name = "name", .description = "PROJECT.DATASET, as SQL names it. Made at load.",
       .computed = true},
      {.name = "location", .force_new = true,
       // BigQuery takes multi-regions in any case and answers upper case.
       .aliases = {{"eu", "EU"}, {"Eu", "EU"}, {"us", "US"}, {"Us", "US"}},
       .description = "Where its data is kept (EU, US, europe-west3); it cannot move. Unset: "
                      "US."},
      {.name = "default_table_expiration", .duration = true,
       .description = "Tables made in it are deleted this long after they were made."},
      {.name = "labels", .type = AttrType::kStringMap, .description = "Labels on the dataset."},
      {.name = "description", .description = "Free text."},
      {.name = "force_destroy", .type = AttrType::kBool,
       .description = "Deleting the dataset deletes its tables too; without it, deleting a "
                      "dataset that holds tables is refused. Kept in state, never sent."},
      StateAttribute(),
  };
  ResourceTypeSchema table;
  table.type = kTable;
  table.description = "A BigQuery table.";
  table.attributes = {
      {.name = "name", .description = "PROJECT.DATASET.TABLE, as SQL names it. Made at load.",
       .computed = true},
      {.name = "schema", .type = AttrType::kObjectList,
       .description = "The columns, in order.", .attributes = ColumnAttributes(1)},
      {.name = "time_partitioning", .type = AttrType::kObject,
       .description = "Partitions by time: its type and field cannot change once the table "
                      "exists, its expiration can.",
       .attributes = {
           {.name = "type", .required = true, .force_new = true,
            .one_of = {"HOUR", "DAY", "MONTH", "YEAR"},
            .description = "How long one partition spans."},
           {.name = "field", .force_new = true,
            .description = "The TIMESTAMP or DATE column partitioned on; unset: the load time."},
           {.name = "expiration", .duration = true,
            .description = "Partitions are deleted this long after their time."}}},
      {.name = "clustering", .type = AttrType::kStringList,
       .description = "Columns the data is clustered by, at most four."},
      {.name = "labels", .type = AttrType::kStringMap, .description = "Labels on the table."},
      {.name = "description", .description = "Free text."},
      StateAttribute(),
  };
  return {dataset, table};
}

bool BigQuery::Serves(const std::string& type) { return type == kDataset || type == kTable; }

BigQuery::BigQuery(std::shared_ptr<HttpClient> api, std::string project, std::string endpoint)
    : api_(std::move(api)), project_(std::move(project)), endpoint_(std::move(endpoint)) {}

std::string BigQuery::Url(const std::string& path) const {
  return endpoint_ + "/bigquery/v2/projects/" + UrlEncode(project_) + path;
}

bool BigQuery::List(const std::string& url, const char* key, std::vector<Value>* out,
                    std::string* error) {
  std::string sep = url.find('?') == std::string::npos ? "?" : "&";
  return ListPages(*api_, url + sep + "maxResults=1000", key, url, out, error);
}

void BigQuery::Read(const std::vector<std::pair<const ReadItem*, ReadResult*>>& items) {
  if (items.empty()) return;
  std::vector<Value> listed;
  std::string error;
  std::set<std::string> datasets;
  // all=true: hidden datasets (IDs starting with _) too.
  if (List(Url("/datasets?all=true"), "datasets", &listed, &error)) {
    for (const auto& d : listed) {
      datasets.insert(StringAttr(ObjectOr(d).value("datasetReference", Value()), "datasetId"));
    }
  }
  std::map<std::string, std::set<std::string>> tables;  // by dataset, listed once
  std::map<std::string, std::string> table_errors;
  for (const auto& [item, result] : items) {
    if (!error.empty()) {
      result->diagnostics.Error(error);
      continue;
    }
    const std::string& id = item->address.name;
    bool is_table = item->type == kTable;
    auto [dataset, table] = is_table ? SplitTable(id) : std::pair{id, std::string()};
    if (!datasets.count(dataset)) continue;
    std::string path = "/datasets/" + UrlEncode(dataset);
    if (is_table) {
      if (!tables.count(dataset) && !table_errors.count(dataset)) {
        std::vector<Value> in;
        std::string e;
        if (List(Url(path + "/tables"), "tables", &in, &e)) {
          for (const auto& t : in) {
            tables[dataset].insert(StringAttr(ObjectOr(t).value("tableReference", Value()), "tableId"));
          }
        } else {
          table_errors[dataset] = e;
        }
      }
      if (auto f = table_errors.find(dataset); f != table_errors.end()) {
        result->diagnostics.Error(f->second);
        continue;
      }
      if (!tables[dataset].count(table)) continue;
      path += "/tables/" + UrlEncode(table);
    }
    HttpRequest get = JsonRequest("GET", Url(path));
    HttpResponse resp = api_->Send(get);
    if (resp.error.empty() && resp.status == 404) continue;  // listed, not yet readable
    Value o;
    std::string e;
    if (!ParseJsonResponse(get, resp, &o, &e)) {
      result->diagnostics.Error(e);
      continue;
    }
    result->exists = true;
    result->attributes = is_table ? TableFromApi(o, project_, id) : DatasetFromApi(o, project_, id);
    if (is_table) ReadAsWritten(item->desired, &result->attributes);
    // Not the service's: what the state recorded (deleting reads it there).
    if (item->prior.is_object() && item->prior.contains("force_destroy")) {
      result->attributes["force_destroy"] = item->prior["force_destroy"];
    }
  }
}

bool BigQuery::Create(const ApplyRequest& req, Value* made, std::string* error) {
  const std::string& id = req.address.name;
  bool is_table = req.type == kTable;
  auto [dataset, table] = is_table ? SplitTable(id) : std::pair{id, std::string()};
  Value body = is_table ? TableToApi(req.after) : DatasetToApi(req.after);
  std::string collection = is_table ? "/datasets/" + UrlEncode(dataset) + "/tables" : "/datasets";
  if (is_table) {
    body["tableReference"] = {{"projectId", project_}, {"datasetId", dataset}, {"tableId", table}};
  } else {
    body["datasetReference"] = {{"projectId", project_}, {"datasetId", dataset}};
  }
  HttpRequest post = JsonRequest("POST", Url(collection), body);
  post.idempotent = true;  // the name is ours: a second insert is a 409, not a twin
  std::string path = collection + "/" + UrlEncode(is_table ? table : dataset);
  return CreateAndReadBack(*api_, post, Url(path), req.address, made, error);
}

bool BigQuery::Update(const ApplyRequest& req, Value* patched, std::string* error) {
  bool is_table = req.type == kTable;
  // Only what changed; BigQuery's patch replaces the fields it is given,
  // and a label set to null is removed.
  Value changed = Value::object();
  for (const auto& [key, v] : req.after.items()) {
    if (key == "name" || key == "force_destroy" || key == kStateAttribute) continue;
    if (req.before.is_object() && req.before.contains(key) && SameValue(req.before[key], v)) continue;
    changed[key] = v;
  }
  std::string path = "/datasets/";
  if (is_table) {
    auto [dataset, table] = SplitTable(req.address.name);
    path += UrlEncode(dataset) + "/tables/" + UrlEncode(table);
  } else {
    path += UrlEncode(req.address.name);
  }
  Value body = is_table ? TableToApi(changed) : DatasetToApi(changed);
  if (changed.contains("labels") && req.before.is_object() && req.before.contains("labels")) {
    for (const auto& [k, v] : req.before["labels"].items()) {
      if (!changed["labels"].contains(k)) body["labels"][k] = nullptr;
    }
  }
  HttpRequest r = body.empty() ? JsonRequest("GET", Url(path)) : JsonRequest("PATCH", Url(path), body);
  r.idempotent = true;  // the same fields set to the same values
  return SendJson(*api_, r, patched, error);
}

bool BigQuery::Delete(const ApplyRequest& req, std::string* error) {
  bool is_table = req.type == kTable;
  std::string url;
  if (is_table) {
    auto [dataset, table] = SplitTable(req.address.name);
    url = Url("/datasets/" + UrlEncode(dataset) + "/tables/" + UrlEncode(table));
  } else {
    bool force = req.before.is_object() && req.before.value("force_destroy", false);
    url = Url("/datasets/" + UrlEncode(req.address.name)) +
          "?deleteContents=" + (force ? "true" : "false");
  }
  HttpRequest del = JsonRequest("DELETE", url);
  HttpResponse resp = api_->Send(del);
  if (resp.error.empty() && resp.status == 404) return true;  // gone already
  Value unused;
  if (ParseJsonResponse(del, resp, &unused, error)) return true;
  if (!is_table && resp.error.empty() && resp.status == 400 &&
      resp.body.find("still in use") != std::string::npos) {
    *error = "dataset " + req.address.name + " holds tables: it is not deleted; give it "
             "force_destroy: true (and apply) before it leaves the blueprint, or delete the "
             "tables\n  " + *error;
  }
  return false;
}

bool BigQuery::Apply(const ApplyRequest& req, Value* state, std::string* error) {
  if (req.action == Action::kDelete || req.action == Action::kReplace) {
    if (!Delete(req, error)) return false;
    if (req.action == Action::kDelete) return true;
  }
  Value o;
  bool ok = req.action == Action::kUpdate ? Update(req, &o, error) : Create(req, &o, error);
  if (!ok) return false;
  bool is_table = req.type == kTable;
  *state = is_table ? TableFromApi(o, project_, req.address.name)
                    : DatasetFromApi(o, project_, req.address.name);
  if (is_table) ReadAsWritten(req.after, state);
  if (req.after.contains("force_destroy")) (*state)["force_destroy"] = req.after["force_destroy"];
  return true;
}

ModifyPlanResponse BigQuery::ModifyPlan(const ModifyPlanRequest& req) {
  ModifyPlanResponse resp;
  if (req.type != kTable || !req.after) return resp;
  if (req.after->contains("schema")) CheckColumns((*req.after)["schema"], "schema", &resp.diagnostics);
  if (resp.diagnostics.HasErrors() || req.action != Action::kUpdate || !req.before) return resp;
  const Value& before = *req.before;
  const Value& after = *req.after;
  if (!after.contains("schema") || !before.contains("schema") ||
      SameValue(before["schema"], after["schema"])) {
    return resp;
  }
  if (!SchemaPatchable(before["schema"], after["schema"])) {
    resp.requires_replace.push_back("schema");
    resp.notes.push_back("BigQuery only appends columns or relaxes REQUIRED in place: the "
                         "table is made anew, its rows lost");
  }
  return resp;
}

}  // namespace mfgctl
