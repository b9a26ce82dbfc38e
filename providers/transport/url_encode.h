#pragma once

#include <string>
#include <string_view>

namespace mfgctl {

/// `text` percent-encoded for a URL: every byte but the unreserved
/// characters (A-Z a-z 0-9 - . _ ~) and those in `keep` (`/` in a path)
/// becomes %XX, upper-case hex — as RFC 3986 and AWS Signature V4 want.
std::string UrlEncode(std::string_view text, std::string_view keep = "");

}  // namespace mfgctl
