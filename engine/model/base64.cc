#include "engine/model/base64.h"

namespace mfgctl {
namespace {

std::string Encode(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(data[i]); };
  for (size_t i = 0; i < data.size(); i += 3) {
    const size_t left = data.size() - i;
    unsigned v = byte(i) << 16 | (left > 1 ? byte(i + 1) << 8 : 0) | (left > 2 ? byte(i + 2) : 0);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (left > 1) out += alphabet[(v >> 6) & 63];
    if (left > 2) out += alphabet[v & 63];
  }
  while (pad && out.size() % 4 != 0) out += '=';
  return out;
}

}  // namespace

std::string Base64(std::string_view data, bool pad) {
  return Encode(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", pad);
}

std::string Base64Url(std::string_view data) {
  return Encode(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

}  // namespace mfgctl
