#pragma once

#include <string>
#include <string_view>

namespace mfgctl {

/// Quotes one argument for a POSIX shell: the result is a single word that
/// the shell passes on verbatim, whatever it holds (quotes, `$(...)`,
/// backticks, newlines, globs). Empty input gives `''`.
std::string ShellQuote(std::string_view arg);

/// A POSIX shell variable name: letters, digits and `_`, not starting with
/// a digit (what `export` takes, and the engines' env files read back).
bool IsShellName(std::string_view name);

}  // namespace mfgctl
