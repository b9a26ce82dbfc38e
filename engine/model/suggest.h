#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mfgctl {

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a likely typo (at most 2 edits, or a third of the word); else empty.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

/// `; did you mean "x"?` or empty, for appending to an error summary.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mfgctl
