// The reference pages in docs/ against the schemas the providers declare:
// every attribute documented once with its type, nothing documented that
// the schema lacks, computed attributes said to be recorded.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cli/providers.h"
#include "engine/model/text_file.h"

namespace mfgctl {
namespace {

struct DocRow {
  std::string type;
  std::string meaning;
  int line = 0;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '`')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '`')) s.pop_back();
  return s;
}

// The rows of the first table after the line `heading` (empty: the whole
// text) whose header starts with `header`, by attribute; rows naming an
// attribute twice are kept, to be reported. Cells after the type column are
// the meaning (it may hold `|` inside code).
std::multimap<std::string, DocRow> TableRows(const std::string& text, const std::string& heading,
                                             const std::string& header, int type_column) {
  std::multimap<std::string, DocRow> rows;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  size_t i = 0;
  if (!heading.empty()) {
    while (i < lines.size() && lines[i] != heading) ++i;
  }
  while (i < lines.size() && lines[i].rfind(header, 0) != 0) ++i;
  for (i += 2; i < lines.size() && lines[i].rfind("|", 0) == 0; ++i) {
    std::vector<std::string> cells;
    size_t pos = 1;
    for (int c = 0; c <= type_column; ++c) {
      size_t bar = lines[i].find('|', pos);
      if (bar == std::string::npos) break;
      cells.push_back(Trim(lines[i].substr(pos, bar - pos)));
      pos = bar + 1;
    }
    if (cells.size() <= static_cast<size_t>(type_column)) continue;
    rows.emplace(cells[0], DocRow{cells[type_column], lines[i].substr(pos),
                                  static_cast<int>(i + 1)});
  }
  return rows;
}

// What a page calls an attribute's type: the schema's name, or `path` for
// a local file or directory (a string the blueprint's folder resolves).
bool TypeMatches(const AttributeSchema& a, const std::string& documented) {
  if (a.local_path && documented == "path") return true;
  return documented == AttrTypeName(a.type);
}

// Failures of one table against one schema's attributes.
std::vector<std::string> Compare(const std::string& page,
                                 const std::vector<AttributeSchema>& attributes,
                                 const std::multimap<std::string, DocRow>& rows,
                                 bool check_computed) {
  std::vector<std::string> errors;
  for (const auto& a : attributes) {
    auto [first, last] = rows.equal_range(a.name);
    size_t n = std::distance(first, last);
    if (n != 1) {
      errors.push_back(page + ": attribute `" + a.name + "` has " + std::to_string(n) +
                       " rows, want exactly one");
      continue;
    }
    const DocRow& row = first->second;
    std::string at = page + ":" + std::to_string(row.line) + ": `" + a.name + "`";
    if (!TypeMatches(a, row.type)) {
      errors.push_back(at + " is documented as \"" + row.type + "\", the schema says \"" +
                       std::string(AttrTypeName(a.type)) + "\"");
    }
    if (check_computed && a.computed && row.meaning.find("recorded") == std::string::npos) {
      errors.push_back(at + " is computed: its row should say it is recorded in state");
    }
  }
  for (const auto& [name, row] : rows) {
    bool known = false;
    for (const auto& a : attributes) known = known || a.name == name;
    if (!known) {
      errors.push_back(page + ":" + std::to_string(row.line) + ": documents `" + name +
                       "`, which the schema does not have");
    }
  }
  return errors;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class DocsSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    ASSERT_TRUE(RegisterProviders(&registry_, &connections_, &diags));
  }
  static std::string Doc(const std::string& relative) {
    return std::string(MFGCTL_SOURCE_DIR) + "/docs/" + relative;
  }

  HostConnections connections_;
  ProviderRegistry registry_;
};

TEST_F(DocsSchemaTest, EveryResourceTypeHasAPageWhoseTableMatchesItsSchema) {
  ASSERT_FALSE(registry_.schemas().empty());
  std::vector<std::string> errors;
  for (const auto& [type, schema] : registry_.schemas()) {
    std::string page = "docs/resources/" + type + ".md";
    std::optional<std::string> text = ReadWholeFile(Doc("resources/" + type + ".md"));
    if (!text) {
      errors.push_back(page + ": missing (every resource type has a page)");
      continue;
    }
    auto rows = TableRows(*text, "", "| attribute | type | meaning |", 1);
    if (rows.empty()) errors.push_back(page + ": no `| attribute | type | meaning |` table");
    for (auto& e : Compare(page, schema.attributes, rows, true)) errors.push_back(e);
  }
  EXPECT_TRUE(errors.empty()) << Join(errors);
}

TEST_F(DocsSchemaTest, ProviderSettingsTablesMatchTargetSchemas) {
  std::optional<std::string> text = ReadWholeFile(Doc("blueprints.md"));
  ASSERT_TRUE(text);
  std::vector<std::string> errors;
  int checked = 0;
  for (const auto& name : registry_.ProviderNames()) {
    std::string heading = "### `" + name + "`";
    if (text->find("\n" + heading + "\n") == std::string::npos) continue;
    ++checked;
    // The address is per gateway (its own table); the provider block sets
    // the defaults of everything else.
    std::vector<AttributeSchema> settings;
    for (const auto& a : registry_.ByName(name)->TargetSchema().attributes) {
      if (!a.required) settings.push_back(a);
    }
    auto rows = TableRows(*text, heading, "| key | type |", 1);
    for (auto& e : Compare("docs/blueprints.md " + heading, settings, rows, false)) {
      errors.push_back(e);
    }
  }
  EXPECT_GT(checked, 0) << "no provider has a settings table in docs/blueprints.md";
  EXPECT_TRUE(errors.empty()) << Join(errors);
}

TEST(DocsTableTest, ParsesRowsWithBarsInCodeAndReportsDuplicates) {
  std::string page =
      "# t\n\n| attribute | type | meaning |\n|---|---|---|\n"
      "| `state` | string | `present | absent`. |\n| `a` | bool | x |\n| `a` | bool | y |\n\n"
      "| other | table |\n|---|---|\n| `z` | q |\n";
  auto rows = TableRows(page, "", "| attribute | type | meaning |", 1);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows.find("state")->second.type, "string");
  EXPECT_EQ(rows.find("state")->second.line, 5);
  std::vector<AttributeSchema> attrs = {{.name = "state"},
                                        {.name = "a", .type = AttrType::kBool},
                                        {.name = "n", .type = AttrType::kNumber, .computed = true}};
  EXPECT_EQ(Join(Compare("p.md", attrs, rows, true)),
            "p.md: attribute `a` has 2 rows, want exactly one\n"
            "p.md: attribute `n` has 0 rows, want exactly one\n");
  rows.erase("a");
  rows.emplace("n", DocRow{"string", " the host's |", 9});
  rows.emplace("ghost", DocRow{"bool", "", 10});
  EXPECT_EQ(Join(Compare("p.md", attrs, rows, true)),
            "p.md: attribute `a` has 0 rows, want exactly one\n"
            "p.md:9: `n` is documented as \"string\", the schema says \"number\"\n"
            "p.md:9: `n` is computed: its row should say it is recorded in state\n"
            "p.md:10: documents `ghost`, which the schema does not have\n");
}

}  // namespace
}  // namespace mfgctl
