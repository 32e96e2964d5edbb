#ifndef LIVESTREAM_CLIENT_SERVICE_CONFIG_H_
#define LIVESTREAM_CLIENT_SERVICE_CONFIG_H_

// The gRPC service config that every client of this repository applies by
// default: client/service_config.json, compiled into the library by both
// builds, so that no file is looked for at run time. It retries every
// LiveStreamService call on UNAVAILABLE only (AIP-194): at most 3 attempts,
// exponential backoff from 0.2s to 2s with jitter, all within the call's
// deadline.

#include "absl/strings/string_view.h"

namespace livestream_client {

// The JSON text of client/service_config.json.
absl::string_view RetryServiceConfigJson();

}  // namespace livestream_client

#endif  // LIVESTREAM_CLIENT_SERVICE_CONFIG_H_
