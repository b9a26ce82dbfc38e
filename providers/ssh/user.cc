// host.user: a local user account: uid, supplementary groups, shell, home,
// and the exact list of its SSH authorized keys.
#include <algorithm>

#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

std::string Joined(const Value& list, const char* sep) {
  std::string out;
  for (const auto& v : list) out += (out.empty() ? "" : sep) + v.get<std::string>();
  return out;
}

class UserType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.user";
    s.description = "A local user account.";
    s.attributes = {
        {.name = "uid", .type = AttrType::kNumber,
         .description = "User id; unset: the host picks one, which is recorded.",
         .computed = true},
        {.name = "groups", .type = AttrType::kStringList, .unordered = true,
         .description = "Supplementary groups, exactly (the primary group is not listed)."},
        {.name = "shell", .description = "Login shell."},
        {.name = "home",
         .description = "Home directory (created with the account); unset: the host's "
                        "default, which is recorded.",
         .computed = true},
        {.name = "authorized_keys", .type = AttrType::kStringList,
         .description = "The exact lines of ~/.ssh/authorized_keys."},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string name = ShellQuote(item.address.name);
    return "if e=$(getent passwd " + name + "); then echo exists=1\n"
           "  echo \"$e\" | { IFS=: read -r n x uid gid gecos home shell; echo \"uid=$uid\"; "
           "echo \"home=$home\"; echo \"shell=$shell\"; echo \"primary=$(getent group \"$gid\" "
           "| cut -d: -f1)\"; }\n"
           "  echo \"groups=$(id -nG " + name + ")\"\n"
           "  h=$(echo \"$e\" | cut -d: -f6); i=0\n"
           "  if [ -f \"$h/.ssh/authorized_keys\" ]; then echo keys=1; "
           "while IFS= read -r l; do echo \"key$i=$l\"; i=$((i+1)); done "
           "< \"$h/.ssh/authorized_keys\"; fi\n"
           "else echo exists=0; fi\n";
  }

  // All of a host's users in one getent of their accounts, one of the
  // groups, and one awk that also reads their authorized_keys — the facts
  // Probe prints, without a process per user.
  std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& items) const override {
    BatchNames names = NamesOf(items);
    return "{ getent passwd" + names.words + "; echo @@; getent group; } | awk -F: -v want=" +
           ShellQuote(names.want) + " '\n"
           "!sep { if ($0 == \"@@\") sep = 1; else { uid[$1] = $3; gid[$1] = $4; home[$1] = $6; "
           "shell[$1] = $7 }; next }\n"
           "{ gname[$3] = $1; n = split($4, m, \",\"); for (j = 1; j <= n; j++) "
           "member[m[j]] = member[m[j]] \" \" $1 }\n"
           "END { n = split(want, w, \" \"); for (k = 1; k < n; k += 2) { u = w[k+1]\n"
           "  print \"@@mfgctl \" w[k]; if (!(u in uid)) { print \"exists=0\"; continue }\n"
           "  print \"exists=1\"; print \"uid=\" uid[u]; print \"home=\" home[u]; "
           "print \"shell=\" shell[u]; print \"primary=\" gname[gid[u]]\n"
           "  print \"groups=\" gname[gid[u]] member[u]\n"
           "  f = home[u] \"/.ssh/authorized_keys\"; i = 0\n"
           "  if ((getline line < f) > 0) { print \"keys=1\"; do print \"key\" i++ \"=\" line; "
           "while ((getline line < f) > 0); close(f) } } }'\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    ReadResult r = ExistenceOf(facts);
    if (!r.exists) return r;
    if (facts.count("uid")) r.attributes["uid"] = std::stoll(facts.at("uid"));
    for (const char* k : {"home", "shell"}) {
      if (facts.count(k)) r.attributes[k] = facts.at(k);
    }
    // Supplementary groups: all of the user's groups but the primary one.
    std::vector<std::string> groups;
    std::string all = facts.count("groups") ? facts.at("groups") : "";
    std::string primary = facts.count("primary") ? facts.at("primary") : "";
    for (size_t pos = 0; pos < all.size();) {
      size_t end = all.find(' ', pos);
      std::string g = all.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      if (!g.empty() && g != primary) groups.push_back(g);
      if (end == std::string::npos) break;
      pos = end + 1;
    }
    std::sort(groups.begin(), groups.end());
    r.attributes["groups"] = groups;
    Value keys = Value::array();
    for (int i = 0; facts.count("key" + std::to_string(i)); ++i) {
      keys.push_back(facts.at("key" + std::to_string(i)));
    }
    r.attributes["authorized_keys"] = keys;
    return r;
  }

  // New supplementary groups reach a user's processes only when they log
  // in again: sessions already open keep the old ones.
  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) const override {
    ModifyPlanResponse resp;
    if (req.action != Action::kUpdate || !req.after->contains("groups")) return resp;
    if (req.before->value("groups", Value()) != (*req.after)["groups"]) {
      resp.notes.push_back("the new groups take effect at the user's next login");
    }
    return resp;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string name = ShellQuote(req.address.name);
    if (req.action == Action::kDelete) {
      // The home directory stays: it may hold the plant's data.
      step.script = "userdel " + name + "\n";
      return step;
    }
    const Value& a = req.after;
    std::string flags;
    if (a.contains("uid")) flags += " -u " + ShellQuote(std::to_string(a["uid"].get<long long>()));
    if (a.contains("shell")) flags += " -s " + ShellQuote(a["shell"].get<std::string>());
    if (a.contains("groups")) flags += " -G " + ShellQuote(Joined(a["groups"], ","));
    bool create = req.action != Action::kUpdate;
    if (a.contains("home")) {
      flags += " -d " + ShellQuote(a["home"].get<std::string>()) + (create ? "" : " -m");
    }
    step.script = create ? "useradd -m" + flags + " " + name + " || exit 1\n"
                         : (flags.empty() ? "" : "usermod" + flags + " " + name + " || exit 1\n");
    if (a.contains("authorized_keys")) {
      // The exact file, written atomically, owned by the user, 0600 in 0700.
      step.script +=
          "h=$(getent passwd " + name + " | cut -d: -f6) && g=$(id -g " + name + ") && "
          "mkdir -p \"$h/.ssh\" && chown " + name + ":\"$g\" \"$h/.ssh\" && chmod 700 "
          "\"$h/.ssh\" && t=$(mktemp \"$h/.ssh/.mfgctl.XXXXXX\") && cat > \"$t\" && "
          "chmod 600 \"$t\" && chown " + name + ":\"$g\" \"$t\" && "
          "mv -f \"$t\" \"$h/.ssh/authorized_keys\"\n";
      for (const auto& k : a["authorized_keys"]) step.input += k.get<std::string>() + "\n";
    }
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeUserType() { return std::make_unique<UserType>(); }

}  // namespace mfgctl
