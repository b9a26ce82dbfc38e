#pragma once

#include <string>
#include <vector>

namespace mfgctl {

/// Scrubs the given secrets from everything the process writes to stdout
/// and stderr from now on, whoever writes it: plans, diagnostics, a host's
/// error output quoted in one. Each secret, and its JSON-escaped form, is
/// replaced by `(sensitive value)`. Output is held back until a line ends
/// or the stream is flushed, so a secret is only missed if it spans lines;
/// secrets with line breaks are therefore scrubbed line by line too.
/// Secrets shorter than kMinScrubbedLength are left (they would garble
/// ordinary text); structured output never carries them anyway.
void ScrubFromOutput(const std::vector<std::string>& secrets);

inline constexpr size_t kMinScrubbedLength = 4;

/// `text` scrubbed as standard output is: of every secret given to
/// ScrubFromOutput so far. For what mfgctl writes elsewhere that a person
/// reads (report files, results recorded in a state).
std::string ScrubbedLikeOutput(std::string text);

/// `text` with every occurrence of each of `secrets` replaced, longest
/// first. The pure part of ScrubFromOutput.
std::string Scrubbed(std::string text, const std::vector<std::string>& secrets);

}  // namespace mfgctl
