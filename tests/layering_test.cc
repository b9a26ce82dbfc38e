// Dependencies point one way; this test reads every include of the
// project's sources and fails on one that points the wrong way:
//   engine     includes no blueprints/, providers/ or cli/, and its folders
//              form no cycle;
//   blueprints includes, of ours, only engine/model/;
//   providers  include, of ours, only engine/provider/, engine/model/ and
//              providers/;
//   backends   include, of ours, only engine/state/, engine/model/ and
//              providers/transport/ (the HTTP client);
//   fleet      includes, of ours, only fleet/, blueprints/ and engine/model/;
// and each third-party library has its one adapter.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace mfgctl {
namespace {

namespace fs = std::filesystem;

struct Include {
  std::string file;  // relative to the source root
  std::string target;
  bool system;       // <...>
};

std::vector<Include> AllIncludes() {
  std::vector<Include> out;
  std::regex include("^#include ([<\"])([^>\"]+)[>\"]");
  fs::path root(MFGCTL_SOURCE_DIR);
  for (const char* top : {"engine", "blueprints", "providers", "backends", "fleet", "cli"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / top)) {
      auto ext = e.path().extension();
      if (ext != ".cc" && ext != ".h") continue;
      std::ifstream in(e.path());
      std::string line;
      std::smatch m;
      while (std::getline(in, line)) {
        if (std::regex_search(line, m, include)) {
          out.push_back({fs::relative(e.path(), root).string(), m[2], m[1] == "<"});
        }
      }
    }
  }
  return out;
}

// `engine/plan/planner.cc` -> `engine/plan`; `cli/x.cc` -> `cli`.
std::string FolderOf(const std::string& path) {
  size_t first = path.find('/');
  std::string top = path.substr(0, first);
  if (top != "engine" && top != "providers") return top;
  size_t second = path.find('/', first + 1);
  return path.substr(0, second);
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST(LayeringTest, IncludesPointOneWay) {
  std::vector<Include> includes = AllIncludes();
  ASSERT_GT(includes.size(), 100u);
  for (const auto& inc : includes) {
    if (inc.system) continue;
    std::string from = FolderOf(inc.file);
    const std::string& to = inc.target;
    if (StartsWith(from, "engine/")) {
      EXPECT_TRUE(StartsWith(to, "engine/")) << inc.file << " includes " << to;
    } else if (from == "blueprints") {
      EXPECT_TRUE(StartsWith(to, "blueprints/") || StartsWith(to, "engine/model/"))
          << inc.file << " includes " << to;
    } else if (StartsWith(from, "providers/")) {
      EXPECT_TRUE(StartsWith(to, "providers/") || StartsWith(to, "engine/provider/") ||
                  StartsWith(to, "engine/model/"))
          << inc.file << " includes " << to;
    } else if (from == "fleet") {
      EXPECT_TRUE(StartsWith(to, "fleet/") || StartsWith(to, "blueprints/") ||
                  StartsWith(to, "engine/model/"))
          << inc.file << " includes " << to;
    } else if (from == "backends") {
      EXPECT_TRUE(StartsWith(to, "backends/") || StartsWith(to, "engine/state/") ||
                  StartsWith(to, "engine/model/") || StartsWith(to, "providers/transport/"))
          << inc.file << " includes " << to;
    }
  }
}

TEST(LayeringTest, EngineFoldersFormNoCycle) {
  std::map<std::string, std::set<std::string>> uses;
  for (const auto& inc : AllIncludes()) {
    std::string from = FolderOf(inc.file);
    if (inc.system || !StartsWith(from, "engine/") || !StartsWith(inc.target, "engine/")) continue;
    std::string to = FolderOf(inc.target);
    if (to != from) uses[from].insert(to);
  }
  // Depth-first search; a folder met again on the current path is a cycle.
  std::vector<std::string> path;
  std::set<std::string> done;
  std::function<void(const std::string&)> visit = [&](const std::string& f) {
    if (done.count(f)) return;
    auto on_path = std::find(path.begin(), path.end(), f);
    if (on_path != path.end()) {
      std::string cycle;
      for (auto it = on_path; it != path.end(); ++it) cycle += *it + " -> ";
      ADD_FAILURE() << "folder cycle: " << cycle << f;
      return;
    }
    path.push_back(f);
    for (const auto& to : uses[f]) visit(to);
    path.pop_back();
    done.insert(f);
  };
  for (const auto& [f, to] : uses) visit(f);
  EXPECT_TRUE(uses.count("engine/plan"));  // the walk saw the engine
}

TEST(LayeringTest, EachLibraryHasItsOneAdapter) {
  // pugixml: each API's XML documents in one file of its provider.
  const std::map<std::string, std::vector<std::string>> adapter = {
      {"yaml-cpp/", {"blueprints/yaml_loader.cc"}},
      {"libssh2", {"providers/transport/ssh_session.cc"}},
      {"curl/", {"providers/transport/http_client.cc"}},
      {"zlib.h", {"backends/gzip.cc"}},
      {"cctz/", {"fleet/windows.cc"}},
      {"pugixml", {"providers/libvirt/libvirt_xml.cc", "providers/s3/s3_xml.cc"}},
      {"CLI/", {"cli/"}},
  };
  for (const auto& inc : AllIncludes()) {
    if (!inc.system) continue;
    for (const auto& [library, where] : adapter) {
      if (!StartsWith(inc.target, library)) continue;
      bool allowed = false;
      for (const auto& w : where) allowed = allowed || StartsWith(inc.file, w);
      EXPECT_TRUE(allowed) << inc.file << " includes <" << inc.target << ">; only "
                           << where.front() << (where.size() > 1 ? " and its like" : "")
                           << " may";
    }
  }
}

}  // namespace
}  // namespace mfgctl
