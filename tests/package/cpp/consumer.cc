// A program of a team that depends on the installed C++ package, built
// outside the repository by scripts/test-cpp-package.sh: once by CMake
// (find_package, CMakeLists.txt here) and once by a plain Makefile
// (pkg-config). It asks the gateway at argv[1] to start the live stream of a
// webinar Zoom does not know, and reads the rich error through the library's
// helpers: NOT_FOUND with ErrorInfo reason ZOOM_WEBINAR_NOT_FOUND of the
// gateway's domain. Exit code 0 when it does.

#include <iostream>

#include "client/cpp/livestream_client.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " GATEWAY_TARGET\n";
    return 2;
  }
  livestream_client::LiveStreamClient client(livestream_client::MakeChannel(argv[1]));
  livestream_client::UpdateStatusRequest request;
  request.set_webinar_id("12345678901");
  request.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_START);
  const absl::StatusOr<livestream_client::UpdateStatusResponse> response =
      client.UpdateStatus(request, absl::Seconds(10));
  if (response.ok()) {
    std::cerr << "consumer: UpdateStatus succeeded; expected NOT_FOUND\n";
    return 1;
  }
  const absl::Status& status = response.status();
  std::cout << livestream_client::FormatStatus(status) << "\n";
  const std::optional<google::rpc::ErrorInfo> info = livestream_client::ErrorInfoOf(status);
  if (status.code() != absl::StatusCode::kNotFound ||
      livestream_client::ErrorReasonOf(status) !=
          livestream_client::ErrorReason::ZOOM_WEBINAR_NOT_FOUND ||
      !info.has_value() || info->domain() != livestream_client::kErrorDomain) {
    std::cerr << "consumer: expected NOT_FOUND with reason ZOOM_WEBINAR_NOT_FOUND of domain "
              << livestream_client::kErrorDomain << "\n";
    return 1;
  }
  std::cout << "consumer: read ZOOM_WEBINAR_NOT_FOUND through the package\n";
  return 0;
}
