#pragma once

#include <string>
#include <string_view>

namespace mfgctl {

/// Quotes one argument for a POSIX shell: the result is a single word that
/// the shell passes on verbatim, whatever it holds (quotes, `$(...)`,
/// backticks, newlines, globs). Empty input gives `''`.
std::string ShellQuote(std::string_view arg);

}  // namespace mfgctl
