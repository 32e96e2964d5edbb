#ifndef LIVESTREAM_GATEWAY_SERVER_LIVE_STREAM_MASK_H_
#define LIVESTREAM_GATEWAY_SERVER_LIVE_STREAM_MASK_H_

// What an UpdateLiveStreamRequest changes (its AIP-134 update_mask), and the
// configuration sent to Zoom: Zoom's PATCH requires stream_url, stream_key
// and page_url every time, so a change that leaves one out is merged into
// the current configuration, which must be read first.

#include <optional>
#include <string>

#include "google/protobuf/field_mask.pb.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// A set of LiveStream's fields.
struct LiveStreamFields {
  bool stream_url = false;
  bool stream_key = false;
  bool page_url = false;
  bool resolution = false;

  bool Empty() const { return !stream_url && !stream_key && !page_url && !resolution; }
  bool operator==(const LiveStreamFields&) const = default;
};

// nullopt when `mask` is acceptable: empty, `*` alone, or distinct paths
// among `stream_url`, `stream_key`, `page_url` and `resolution`. Else why
// not (the first bad path is quoted).
std::optional<std::string> CheckUpdateMask(const google::protobuf::FieldMask& mask);

// The fields `request` changes, for a mask that passed CheckUpdateMask: the
// ones it names (all four for `*`), or, with no paths, those set in
// `live_stream` (a non-empty string, a specified resolution).
LiveStreamFields FieldsToChange(const zoom::livestream::v1::UpdateLiveStreamRequest& request);

// Whether sending `changed` needs the current configuration first: it
// leaves out one of the three fields Zoom requires.
bool NeedsCurrentConfiguration(const LiveStreamFields& changed);

// What to send: the `changed` fields of `update`, the others of `current`
// (the read configuration; an empty LiveStream when none was needed). A
// changed resolution left unspecified keeps the current one, as Zoom does
// with a PATCH that leaves it out.
zoom::livestream::v1::LiveStream MergeLiveStream(const zoom::livestream::v1::LiveStream& current,
                                                 const zoom::livestream::v1::LiveStream& update,
                                                 const LiveStreamFields& changed);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LIVE_STREAM_MASK_H_
