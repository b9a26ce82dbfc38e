#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mfgctl {

/// Where the first byte of `text` that is not part of well-formed UTF-8 is
/// (overlong forms, surrogates and code points past U+10FFFF included), or
/// npos when all of it is. JSON (state, plans, `--json`) holds only UTF-8,
/// so text from outside is checked where it comes in.
size_t FindInvalidUtf8(std::string_view text);

/// "byte 0xff is not UTF-8", for the first invalid `byte` in an error.
std::string NotUtf8(char byte);

}  // namespace mfgctl
