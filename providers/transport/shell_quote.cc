#include "providers/transport/shell_quote.h"

#include <cctype>

namespace mfgctl {

std::string ShellQuote(std::string_view arg) {
  // Inside single quotes nothing is special but the quote itself, which is
  // closed, escaped and reopened: ' -> '\''
  std::string out;
  out.reserve(arg.size() + 2);
  out.push_back('\'');
  for (char c : arg) {
    if (c == '\'') {
      out.append("'\\''");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

bool IsShellName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace mfgctl
