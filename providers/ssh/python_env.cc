// host.python_env: a Python virtual environment at a path with pinned
// requirements, installed from an index or, offline, from a directory of
// wheels on the host (`wheels:` uploads one as a bundle).
//
// Reading runs no Python: installed versions come from the names of the
// venv's `*.dist-info` directories, so a plan costs one glob per venv.
#include <algorithm>
#include <cctype>
#include <map>

#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// PEP 503: case-insensitive, runs of `-_.` are one `-`.
std::string NormalizeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!out.empty() && out.back() != '-') out += '-';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// "paho-mqtt==1.6.1" -> name "paho-mqtt", pinned version "1.6.1"; a
// requirement without `==` has no pin.
struct Requirement {
  std::string name;
  std::string pin;
};
Requirement ParseRequirement(const std::string& text) {
  size_t end = text.find_first_of("=<>!~[; ");
  Requirement r{text.substr(0, end), ""};
  if (end != std::string::npos && text.compare(end, 2, "==") == 0) {
    r.pin = text.substr(end + 2);
    while (!r.pin.empty() && r.pin.back() == ' ') r.pin.pop_back();
  }
  return r;
}

class PythonEnvType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.python_env";
    s.name_attribute = "path";
    s.description = "A Python virtual environment with pinned requirements.";
    s.applies_alone = true;  // pip may take minutes
    s.attributes = {
        {.name = "requirements", .type = AttrType::kStringList, .unordered = true,
         .description = "Requirements, pinned as name==version; the plan shows installed "
                        "versions that differ."},
        {.name = "python", .plan_only = true,
         .description = "Interpreter that creates the venv (default python3)."},
        {.name = "find_links", .plan_only = true,
         .description = "A directory of wheels on the host to install from, offline "
                        "(pip --no-index --find-links)."},
        {.name = "index_url", .plan_only = true,
         .description = "Package index to install from (pip --index-url)."},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    return "v=" + ShellQuote(item.address.name) + "\n"
           "if [ -x \"$v/bin/python\" ]; then echo exists=1\n"
           "  for d in \"$v\"/lib/python3*/site-packages/*.dist-info; do\n"
           "    [ -d \"$d\" ] || continue\n"
           "    n=${d##*/}; n=${n%.dist-info}; echo \"dist.${n%%-*}=${n#*-}\"; done\n"
           "else echo exists=0; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r = ExistenceOf(facts);
    if (!r.exists) return r;
    std::map<std::string, std::string> installed;  // normalized name -> version
    for (const auto& [key, version] : facts) {
      if (key.rfind("dist.", 0) == 0) installed[NormalizeName(key.substr(5))] = version;
    }
    // Each wanted requirement as the venv has it: pinned ones with the
    // installed version, so drift reads `name==old -> name==new`.
    std::vector<std::string> live;
    const Value& want = ItemAttributes(item);
    if (want.contains("requirements") && want["requirements"].is_array()) {
      for (const auto& req : want["requirements"]) {
        Requirement wanted = ParseRequirement(req.get<std::string>());
        auto it = installed.find(NormalizeName(wanted.name));
        if (it == installed.end()) continue;
        live.push_back(wanted.pin.empty() ? req.get<std::string>()
                                          : wanted.name + "==" + it->second);
      }
    }
    std::sort(live.begin(), live.end());  // compared as a set
    r.attributes["requirements"] = live;
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string v = ShellQuote(req.address.name);
    if (req.action == Action::kDelete) {
      step.script = "rm -rf -- " + v + "\n";
      return step;
    }
    std::string python = StringAttr(req.after, "python", "python3");
    // A venv whose interpreter is gone (Python upgraded) is made again.
    step.script = "v=" + v + "\n"
                  "if [ ! -x \"$v/bin/python\" ]; then rm -rf -- \"$v\" && " +
                  ShellQuote(python) + " -m venv \"$v\" || exit 1; fi\n";
    std::string reqs;
    if (req.after.contains("requirements")) {
      for (const auto& r : req.after["requirements"]) {
        reqs += " " + ShellQuote(r.get<std::string>());
      }
    }
    if (reqs.empty()) return step;
    std::string source;
    std::string links = StringAttr(req.after, "find_links");
    std::string index = StringAttr(req.after, "index_url");
    if (!links.empty()) source += " --no-index --find-links " + ShellQuote(links);
    if (!index.empty()) source += " --index-url " + ShellQuote(index);
    step.script += "\"$v/bin/python\" -m pip install -q --disable-pip-version-check --no-input" +
                   source + " --" + reqs + "\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakePythonEnvType() {
  return std::make_unique<PythonEnvType>();
}

}  // namespace mfgctl
