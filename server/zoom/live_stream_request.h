#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_LIVE_STREAM_REQUEST_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_LIVE_STREAM_REQUEST_H_

// Zoom's live stream configuration endpoints on the wire:
// GET and PATCH {base}/{webinars|meetings}/{id}/livestream, whose body is
// {"stream_url","stream_key","page_url","resolution"} (all strings;
// resolution "720p" or "1080p").

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/zoom/error_mapping.h"
#include "server/zoom/http.h"
#include "server/zoom/zoom_request.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// Zoom's name of `resolution` ("720p", "1080p"); empty for UNSPECIFIED and
// values this server does not know.
absl::string_view ZoomResolutionName(zoom::livestream::v1::LiveStreamResolution resolution);

// `live_stream` as Zoom's PATCH body, keys in the order stream_url,
// stream_key, page_url, resolution (left out when unspecified), each value
// a JSON string written by protobuf's JSON printer.
std::string LiveStreamJson(const zoom::livestream::v1::LiveStream& live_stream);

// GET {base}/{webinars|meetings}/{id}/livestream with Accept and User-Agent.
// `id` must have passed validation. Idempotent (a read).
HttpRequest BuildGetLiveStreamRequest(ZoomTarget target, absl::string_view id,
                                      const ZoomRequestOptions& options);

// PATCH {base}/{webinars|meetings}/{id}/livestream with LiveStreamJson() as
// an application/json body (whatever options.encoding says: Zoom documents
// only JSON here), and Accept, Content-Type and User-Agent. Idempotent: the
// body is the whole configuration, so sending it twice ends where sending
// it once does. No Authorization: the credentials decorator adds it.
HttpRequest BuildUpdateLiveStreamRequest(ZoomTarget target, absl::string_view id,
                                         const zoom::livestream::v1::LiveStream& live_stream,
                                         const ZoomRequestOptions& options);

// The LiveStream in a 2xx answer of the GET, an untrusted body: it must be
// complete, at most kMaxZoomErrorBodyBytes, within the JSON shape budget,
// one JSON object of valid UTF-8. Unknown members are ignored; a known one
// that is null or absent reads as empty; a known one of another type than
// string is an error. A resolution other than "720p" or "1080p" (any case)
// reads as unspecified. Errors are MapInvalidZoomAnswer()'s and never quote
// the body (it holds the stream key).
absl::StatusOr<zoom::livestream::v1::LiveStream> ParseLiveStream(const HttpResponse& response,
                                                                 const ZoomCallContext& context);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_LIVE_STREAM_REQUEST_H_
