#pragma once

#include <string>
#include <string_view>

namespace mfgctl {

/// `sha256:` followed by the lowercase hex SHA-256 of data.
std::string Sha256Digest(std::string_view data);

/// The lowercase hex SHA-256 of data, without prefix.
std::string Sha256Hex(std::string_view data);

/// True for strings shaped like Sha256Digest's output.
bool IsDigest(std::string_view s);

}  // namespace mfgctl
