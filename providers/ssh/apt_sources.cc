#include "providers/ssh/apt_sources.h"

#include "providers/transport/shell_quote.h"

namespace mfgctl {

std::string AptListFile(const std::string& kind, const std::string& name) {
  std::string file = "mfgctl-" + kind + "-";
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    file += plain ? c : '-';
  }
  return "/etc/apt/sources.list.d/" + file + ".list";
}

std::string AptUpdateOnly(const std::string& list_word) {
  return "apt-get update -q --error-on=any -o Dir::Etc::sourcelist=" + list_word +
         " -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null";
}

std::string AptRemoveList(const std::string& list) {
  std::string l = ShellQuote(list);
  return "if [ -f " + l + " ]; then rm -f -- " + l +
         " && { apt-get update -q >/dev/null 2>&1 || true; }; fi\n";
}

}  // namespace mfgctl
