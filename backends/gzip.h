#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mfgctl {

/// gzip (RFC 1952) of `data`, at zlib's default level: how remote state
/// backends keep a state small (state JSON shrinks about tenfold).
std::string Gzip(std::string_view data);

/// Whether `data` starts with gzip's magic bytes.
bool IsGzip(std::string_view data);

/// The bytes `data` (gzip) holds, at most `max_bytes` of them; nullopt and
/// `error` when it is no gzip, is cut short or would grow past `max_bytes`
/// (a hostile or broken value never exhausts memory).
std::optional<std::string> Gunzip(std::string_view data, size_t max_bytes, std::string* error);

}  // namespace mfgctl
