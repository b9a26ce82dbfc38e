#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mfgctl {

/// `sha256:` followed by the lowercase hex SHA-256 of data.
std::string Sha256Digest(std::string_view data);

/// The lowercase hex SHA-256 of data, without prefix.
std::string Sha256Hex(std::string_view data);

/// Sha256Digest of a file's bytes, read in pieces (bundles hold large
/// files); nullopt when it cannot be read.
std::optional<std::string> Sha256FileDigest(const std::string& path);

/// True for strings shaped like Sha256Digest's output.
bool IsDigest(std::string_view s);

}  // namespace mfgctl
