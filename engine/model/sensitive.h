#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/value.h"

namespace mfgctl {

/// What every output shows in place of a value derived from a secret.
inline constexpr const char* kRedacted = "(sensitive value)";

/// A fresh random salt (32 hex digits) for one plant's state.
std::string NewSalt();

/// The form a sensitive value is compared and stored in: `hmac-sha256:HEX`,
/// the HMAC keyed by the plant's salt of the value's SHA-256. A plain
/// `sha256:` digest (what a host reports for a file's content) seals to the
/// same text as the value it is the digest of, so a sealed desired value
/// and a sealed live digest compare equal; a sealed value is returned as is.
/// Without the salt, a sealed value cannot be matched against guesses made
/// in advance.
Value Seal(const Value& v, std::string_view salt);

/// `attrs` (an attribute object) with the attributes named in `names`
/// sealed; anything else is returned unchanged.
Value SealNamed(Value attrs, const std::vector<std::string>& names, std::string_view salt);

/// True for strings shaped like Seal's output.
bool IsSealed(std::string_view s);

}  // namespace mfgctl
