#include "backends/gzip.h"

#include <zlib.h>

namespace mfgctl {
namespace {

// zlib's windowBits for a gzip wrapper rather than a zlib one.
constexpr int kGzipWindow = 15 + 16;

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);  // the bound fits the whole output in one call
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

std::optional<std::string> Gunzip(std::string_view data, size_t max_bytes, std::string* error) {
  if (!IsGzip(data)) {
    *error = "not gzip data";
    return std::nullopt;
  }
  z_stream z{};
  if (inflateInit2(&z, kGzipWindow) != Z_OK) {
    *error = "zlib could not start";
    return std::nullopt;
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&z);
      *error = "it holds more than " + std::to_string(max_bytes) + " bytes";
      return std::nullopt;
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      rc = Z_BUF_ERROR;  // input ended before the stream did
      break;
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    *error = rc == Z_BUF_ERROR ? "the gzip data is cut short" : "the gzip data is corrupt";
    return std::nullopt;
  }
  return out;
}

}  // namespace mfgctl
