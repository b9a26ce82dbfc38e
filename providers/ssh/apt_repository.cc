// host.apt_repository: an apt source — the plant's own mirror, a vendor's
// repository — with the key that signs it, in its own list file. Packages
// on the host come after it.
#include <sstream>

#include "providers/ssh/apt_sources.h"
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr char kKeyDir[] = "/etc/apt/keyrings";
constexpr char kStampDir[] = "/var/lib/mfgctl/apt";

std::string KeyFile(const std::string& name, bool armored) {
  std::string list = AptListFile("repo", name);
  std::string base = list.substr(list.rfind('/') + 1);
  return std::string(kKeyDir) + "/" + base.substr(0, base.size() - 5) +
         (armored ? ".asc" : ".gpg");
}

std::string StampFile(const std::string& name) {
  std::string list = AptListFile("repo", name);
  return std::string(kStampDir) + list.substr(list.rfind('/')) + ".updated";
}

// The sources line the attributes describe.
std::string SourceLine(const std::string& name, const Value& a) {
  std::string options;
  std::string key = StringAttr(a, "key");
  if (!key.empty()) options += " signed-by=" + KeyFile(name, key.rfind("-----BEGIN", 0) == 0);
  if (a.value("trusted", false)) options += " trusted=yes";
  std::string line = "deb " + (options.empty() ? "" : "[" + options.substr(1) + "] ") +
                     StringAttr(a, "uri") + " " + StringAttr(a, "suite");
  if (a.contains("components")) {
    for (const auto& c : a["components"]) line += " " + c.get<std::string>();
  }
  return line;
}

class AptRepositoryType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.apt_repository";
    s.description = "An apt source (a plant mirror, a vendor repository) and its signing key.";
    s.attributes = {
        {.name = "uri", .required = true,
         .description = "The archive root: http://mirror.plant.example/debian, file:/srv/repo."},
        {.name = "suite", .required = true,
         .description = "The distribution (bookworm), or a directory ending in / for a flat "
                        "repository (./)."},
        {.name = "components", .type = AttrType::kStringList,
         .description = "Components, e.g. [main, contrib]; none for a flat repository."},
        {.name = "key", .digest = true,
         .description = "The public key that signs the repository (armored or binary)."},
        {.name = "key_source", .local_path = true, .file_into = "key",
         .description = "A local file holding the key."},
        {.name = "trusted", .type = AttrType::kBool,
         .description = "Accept the repository unsigned ([trusted=yes])."},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    const std::string& name = item.address.name;
    std::string list = ShellQuote(AptListFile("repo", name));
    std::string script = "l=" + list + "\n"
                         "if [ -f \"$l\" ]; then echo exists=1; "
                         "echo \"line=$(grep -m1 '^deb ' \"$l\")\"\n";
    for (bool armored : {true, false}) {
      std::string key = ShellQuote(KeyFile(name, armored));
      script += "  if [ -f " + key + " ]; then s=$(sha256sum < " + key +
                "); echo \"key=sha256:${s%% *}\"; fi\n";
    }
    return script + "  if [ " + ShellQuote(StampFile(name)) +
           " -nt \"$l\" ]; then echo refreshed=1; fi\n"
           "else echo exists=0; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    ReadResult r = ExistenceOf(facts);
    if (!r.exists) return r;
    // deb [opt=v ...] URI SUITE COMPONENT...
    std::istringstream line(facts.count("line") ? facts.at("line") : "");
    std::string word;
    std::vector<std::string> words;
    bool in_options = false, trusted = false;
    while (line >> word) {
      if (word.front() == '[') in_options = true;
      if (in_options) {
        if (word.find("trusted=yes") != std::string::npos) trusted = true;
        if (word.back() == ']') in_options = false;
        continue;
      }
      words.push_back(word);
    }
    Value& a = r.attributes;
    a["uri"] = words.size() > 1 ? words[1] : "";
    a["suite"] = words.size() > 2 ? words[2] : "";
    a["components"] = words.size() > 3 ? std::vector<std::string>(words.begin() + 3, words.end())
                                       : std::vector<std::string>();
    a["trusted"] = trusted;
    if (auto k = facts.find("key"); k != facts.end()) a["key"] = k->second;
    // A source whose lists were never refreshed offers nothing yet.
    if (!facts.count("refreshed")) a["suite"] = a["suite"].get<std::string>() + " (not refreshed)";
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    const std::string& name = req.address.name;
    std::string list = AptListFile("repo", name);
    std::string stamp = ShellQuote(StampFile(name));
    std::string keys = ShellQuote(KeyFile(name, true)) + " " + ShellQuote(KeyFile(name, false));
    HostStep step;
    if (req.action == Action::kDelete) {
      step.script = "rm -f -- " + keys + " " + stamp + "\n" + AptRemoveList(list);
      return step;
    }
    std::string line = SourceLine(name, req.after);
    std::string key = StringAttr(req.after, "key");
    step.script = "command -v apt-get >/dev/null 2>&1 || { echo 'apt_repository needs apt on "
                  "the host' >&2; exit 1; }\n"
                  "rm -f -- " + keys + " && mkdir -p " + kKeyDir + " " + kStampDir +
                  " || exit 1\n";
    if (!key.empty()) {
      step.script += "cat > " + ShellQuote(KeyFile(name, key.rfind("-----BEGIN", 0) == 0)) +
                     " || exit 1\n";
      step.input = key;
    }
    // The new line goes into sources.list.d only once apt could read the
    // source: a mirror that is not there must not break the host's apt.
    step.script += "t=$(mktemp " + std::string(kStampDir) + "/.list.XXXXXX) && echo " +
                   ShellQuote(line) + " > \"$t\" || exit 1\n" + AptUpdateOnly("\"$t\"") +
                   " || { rm -f \"$t\"; exit 1; }\n"
                   "chmod 644 \"$t\" && mv -f \"$t\" " + ShellQuote(list) + " && touch " + stamp +
                   "\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeAptRepositoryType() {
  return std::make_unique<AptRepositoryType>();
}

}  // namespace mfgctl
