#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace mfgctl {

/// 429, 500, 502, 503, 504: statuses worth another attempt of an
/// idempotent request. Others (501, 4xx) would fail the same way again.
bool IsRetryableStatus(int status);

/// The wait a `Retry-After` value asks for: delay-seconds (`120`) or an
/// HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, relative to `now`; a past
/// date is zero). Nullopt when it is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

/// The backoff before retry `retry` (1 for the first): with
/// d = min(cap, base * 2^(retry-1)), d/2 + unit * d/2 for `unit` in [0, 1],
/// so concurrent clients spread out but never retry at once.
std::chrono::milliseconds Backoff(int retry, std::chrono::milliseconds base,
                                  std::chrono::milliseconds cap, double unit);

}  // namespace mfgctl
