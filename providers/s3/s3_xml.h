#pragma once

// Internal to providers/s3: the XML documents of S3's bucket API — the
// bodies mfgctl sends and the answers it reads — as AWS's API reference
// shapes them (namespace http://s3.amazonaws.com/doc/2006-03-01/).

#include <string>
#include <string_view>
#include <vector>

#include "engine/model/value.h"

namespace mfgctl {

/// `<Tagging><TagSet><Tag><Key/><Value/></Tag>...` from a string map.
std::string TaggingXml(const Value& tags);
/// The TagSet of a GetBucketTagging answer as a string map; false when it
/// is not that document.
bool ParseTagging(std::string_view xml, Value* tags);

/// `<VersioningConfiguration><Status>Enabled|Suspended</Status>`.
std::string VersioningXml(bool enabled);
/// True when a GetBucketVersioning answer says Enabled; Suspended and a
/// bucket never versioned (no Status) are false.
bool ParseVersioningEnabled(std::string_view xml);

/// `<LifecycleConfiguration>` from the blueprint's rules: each an object
/// with `prefix`, `expire_days`, `noncurrent_expire_days` and
/// `abort_incomplete_upload_days` (any may be absent), IDs `rule-1`, ...
std::string LifecycleXml(const Value& rules);
/// The rules of a GetBucketLifecycleConfiguration answer, in the
/// blueprint's shape (enabled rules only; IDs dropped).
bool ParseLifecycle(std::string_view xml, Value* rules);

/// The bucket names of a ListBuckets answer, appended; `next_token` is its
/// ContinuationToken, empty on the last page.
bool ParseBucketNames(std::string_view xml, std::vector<std::string>* names,
                      std::string* next_token);

/// One object or object version of a listing.
struct S3ObjectVersion {
  std::string key;
  std::string version_id;  // empty for an unversioned listing
};
/// A ListObjectVersions (Version and DeleteMarker) or ListObjectsV2
/// (Contents) answer: its entries, and the markers of the next page
/// (`next_key`/`next_version`, or `next_token` for V2) when truncated.
struct S3Listing {
  std::vector<S3ObjectVersion> objects;
  bool truncated = false;
  std::string next_key, next_version, next_token;
};
bool ParseListing(std::string_view xml, S3Listing* out);

/// `Code: Message` of an `<Error>` answer; empty when it is none.
std::string ErrorSummary(std::string_view xml);
/// The `<Code>` of an `<Error>` answer.
std::string ErrorCode(std::string_view xml);

}  // namespace mfgctl
