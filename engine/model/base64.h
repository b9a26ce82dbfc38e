#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mfgctl {

/// RFC 4648 base64 of `data`; `pad`: with trailing `=` to a multiple of 4
/// (known_hosts keys), else without (SSH fingerprints).
std::string Base64(std::string_view data, bool pad = true);

/// RFC 4648 §5 base64url of `data`, unpadded: what a JWT's parts are.
std::string Base64Url(std::string_view data);

/// The bytes of RFC 4648 base64 `text` (padding optional); nullopt when it
/// holds anything else.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace mfgctl
