#include "server/live_stream_mask.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {
namespace {

using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;

// The member of `fields` that `path` names; null for an unknown path.
bool* FieldNamed(LiveStreamFields& fields, absl::string_view path) {
  if (path == "stream_url") return &fields.stream_url;
  if (path == "stream_key") return &fields.stream_key;
  if (path == "page_url") return &fields.page_url;
  if (path == "resolution") return &fields.resolution;
  return nullptr;
}

}  // namespace

std::optional<std::string> CheckUpdateMask(const google::protobuf::FieldMask& mask) {
  LiveStreamFields seen;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    if (path == "*") {
      if (mask.paths_size() != 1) return "`*` must be the only path";
      continue;
    }
    // A caller's path is not quoted back: it could be anything.
    bool* field = FieldNamed(seen, path);
    if (field == nullptr) {
      return absl::StrCat("paths[", i,
                          "] is not one of stream_url, stream_key, page_url, resolution or `*`");
    }
    if (*field) return absl::StrCat("paths[", i, "] repeats \"", path, "\"");
    *field = true;
  }
  return std::nullopt;
}

LiveStreamFields FieldsToChange(const UpdateLiveStreamRequest& request) {
  const LiveStream& update = request.live_stream();
  LiveStreamFields fields;
  if (request.update_mask().paths().empty()) {
    fields.stream_url = !update.stream_url().empty();
    fields.stream_key = !update.stream_key().empty();
    fields.page_url = !update.page_url().empty();
    fields.resolution = update.resolution() != LIVE_STREAM_RESOLUTION_UNSPECIFIED;
    return fields;
  }
  for (const std::string& path : request.update_mask().paths()) {
    if (path == "*") return LiveStreamFields{true, true, true, true};
    if (bool* field = FieldNamed(fields, path)) *field = true;
  }
  return fields;
}

bool NeedsCurrentConfiguration(const LiveStreamFields& changed) {
  return !changed.stream_url || !changed.stream_key || !changed.page_url;
}

LiveStream MergeLiveStream(const LiveStream& current, const LiveStream& update,
                           const LiveStreamFields& changed) {
  LiveStream merged;
  merged.set_stream_url(changed.stream_url ? update.stream_url() : current.stream_url());
  merged.set_stream_key(changed.stream_key ? update.stream_key() : current.stream_key());
  merged.set_page_url(changed.page_url ? update.page_url() : current.page_url());
  merged.set_resolution(changed.resolution &&
                                update.resolution() != LIVE_STREAM_RESOLUTION_UNSPECIFIED
                            ? update.resolution()
                            : current.resolution());
  return merged;
}

}  // namespace livestream_gateway
