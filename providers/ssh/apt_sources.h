#pragma once

// apt sources that mfgctl manages (bundles, repositories): one list file
// each under /etc/apt/sources.list.d, refreshed on its own.

#include <string>

namespace mfgctl {

/// /etc/apt/sources.list.d/mfgctl-KIND-NAME.list, NAME made file-safe.
std::string AptListFile(const std::string& kind, const std::string& name);

/// Shell that refreshes apt's lists of the sources in the list file
/// `list_word` (a shell word: a quoted path or "$var") alone — an air-gapped
/// host has nothing else to fetch. Fails on any error, apt's own on stderr.
std::string AptUpdateOnly(const std::string& list_word);

/// Shell that removes `list` and, when it existed, refreshes apt's lists
/// so that its packages are forgotten (other sources may be unreachable:
/// that is not an error here).
std::string AptRemoveList(const std::string& list);

}  // namespace mfgctl
