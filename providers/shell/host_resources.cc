#include "providers/shell/host_resource.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {

const Value& ItemAttributes(const ReadItem& item) {
  return item.desired.is_null() ? item.prior : item.desired;
}

ReadResult ExistenceOf(const FactMap& facts) {
  ReadResult r;
  if (auto e = facts.find("error"); e != facts.end()) {
    r.diagnostics.Error(e->second);
    return r;
  }
  auto exists = facts.find("exists");
  r.exists = exists != facts.end() && exists->second == "1";
  return r;
}

ReadResult PathResult(const FactMap& facts, std::initializer_list<const char*> keys) {
  ReadResult r = ExistenceOf(facts);
  if (!r.exists) return r;
  for (const char* k : keys) {
    auto it = facts.find(k);
    if (it == facts.end()) continue;
    r.attributes[k] = std::string(k) == "mode" ? NormalizeMode(it->second) : it->second;
  }
  return r;
}

std::string BatchPathProbe(const std::vector<std::pair<size_t, const ReadItem*>>& items,
                           bool regular_file) {
  // Tests are shell builtins. The item numbers of the paths that exist go
  // into $ids; then the paths themselves go, NUL-separated, through xargs
  // to one `stat` (and one `sha256sum`) per chunk of arguments — never
  // gathered in "$@", which costs the shell the square of their number.
  std::string script = "ids=''\n";
  const char* test = regular_file ? "-f" : "-d";
  const char* other = regular_file ? "exists and is not a regular file"
                                   : "exists and is not a directory";
  std::string paths;
  for (const auto& [i, item] : items) {
    std::string marker = "echo '@@mfgctl " + std::to_string(i) + "'";
    std::string p = ShellQuote(item->address.name);
    paths += " " + p;
    script += "p=" + p + "; if [ " + test + " \"$p\" ]; then ids=\"$ids " + std::to_string(i) +
              "\"; elif [ -e \"$p\" ] || [ -L \"$p\" ]; then " + marker +
              "; echo exists=0; echo 'error=" + other + "'; else " + marker +
              "; echo exists=0; fi\n";
  }
  // Per chunk: its stat lines, `--`, its sha256sum lines, `==`. A path that
  // vanished (or appeared) in between makes the counts differ: every item
  // then says so rather than take a neighbour's facts.
  std::string hashes = regular_file ? "; echo --; sha256sum -- \"$@\" 2>/dev/null" : "; echo --";
  script += "[ -z \"$ids\" ] || for p in" + paths + "; do [ " + test +
            " \"$p\" ] && printf '%s\\0' \"$p\"; done | "
            "xargs -0 -r sh -c 'stat -c \"%a %U %G\" -- \"$@\" 2>/dev/null" + hashes +
            "; echo ==' sh | "
            "awk -v ids=\"$ids\" -v hashed=" + std::string(regular_file ? "1" : "0") + " '\n"
            "BEGIN { n = split(ids, id, \" \") }\n"
            "$0 == \"--\" { hashing = 1; next }\n"
            "$0 == \"==\" { hashing = 0; next }\n"
            "!hashing { st[++ns] = $0; next }\n"
            "{ h = $1; sub(/^\\\\/, \"\", h); hs[++nh] = h }\n"
            "END { ok = ns == n && (!hashed || nh == n)\n"
            "  for (k = 1; k <= n; k++) { print \"@@mfgctl \" id[k]\n"
            "    if (!ok || split(st[k], f, \" \") != 3) { print \"error=changed while being read; "
            "plan again\"; continue }\n"
            "    print \"exists=1\"; print \"mode=\" f[1]; print \"owner=\" f[2]; "
            "print \"group=\" f[3]\n"
            "    if (hashed) print \"content=sha256:\" hs[k] } }'\n";
  return script;
}

BatchNames NamesOf(const std::vector<std::pair<size_t, const ReadItem*>>& items) {
  BatchNames out;
  for (const auto& [i, item] : items) {
    out.words += " " + ShellQuote(item->address.name);
    out.want += (out.want.empty() ? "" : " ") + std::to_string(i) + " " + item->address.name;
  }
  return out;
}

std::string StatProbe() {
  // No pipeline: every process spawned counts when many hosts share cores.
  return "set -- $(stat -c '%a %U %G' \"$p\"); echo \"mode=$1\"; echo \"owner=$2\"; "
         "echo \"group=$3\"\n";
}

std::string OwnershipCommands(const Value& attrs) {
  std::string out;
  std::string mode = StringAttr(attrs, "mode");
  if (!mode.empty()) out += " && chmod " + ShellQuote(mode) + " \"$t\"";
  std::string owner = StringAttr(attrs, "owner");
  std::string group = StringAttr(attrs, "group");
  if (!owner.empty()) out += " && chown " + ShellQuote(owner) + " \"$t\"";
  if (!group.empty()) out += " && chgrp " + ShellQuote(group) + " \"$t\"";
  return out;
}

}  // namespace mfgctl
