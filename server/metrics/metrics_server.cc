#include "server/metrics/metrics_server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/host_port.h"
#include "server/metrics/exposition.h"

namespace livestream_gateway::metrics {
namespace {

// Prometheus scrapes over one connection at a time; a few more leave room
// for a person with curl, and the cap keeps a flood from costing threads or
// memory (the server is single-threaded).
constexpr unsigned int kMaxConnections = 16;
constexpr unsigned int kConnectionTimeoutSeconds = 10;
constexpr absl::string_view kPlainText = "text/plain; charset=utf-8";

MHD_Result Respond(MHD_Connection* connection, unsigned int status, const std::string& body,
                   absl::string_view content_type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                          std::string(content_type).c_str());
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
    MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  }
  const MHD_Result result = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return result;
}

// MHD_AccessHandlerCallback. Answers on the first call: no request to this
// server has a body worth reading.
MHD_Result Handle(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* /*upload_data*/,
                  size_t* /*upload_data_size*/, void** /*request_state*/) {
  const auto* render = static_cast<const std::function<std::string()>*>(cls);
  if (std::strcmp(url, "/metrics") != 0) {
    return Respond(connection, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n", kPlainText);
  }
  if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
    return Respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n", kPlainText);
  }
  return Respond(connection, MHD_HTTP_OK, (*render)(), kExpositionContentType);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& listen, std::function<std::string()> render) {
  absl::StatusOr<HostPort> address = SplitHostPort(listen);
  if (!address.ok()) return address.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = absl::StrCat(address->port);
  if (int rc = getaddrinfo(address->host.c_str(), port_text.c_str(), &hints, &found); rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve ", address->host, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<MetricsServer> server(new MetricsServer(std::move(render)));
  unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;
  if (found->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  server->daemon_ = MHD_start_daemon(
      flags, static_cast<uint16_t>(address->port), nullptr, nullptr, &Handle,
      const_cast<std::function<std::string()>*>(&server->render_), MHD_OPTION_SOCK_ADDR,
      found->ai_addr, MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, MHD_OPTION_CONNECTION_TIMEOUT,
      kConnectionTimeoutSeconds, MHD_OPTION_END);
  freeaddrinfo(found);
  if (server->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen, " for metrics"));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info == nullptr ? 0 : info->port;
  if (server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot learn the metrics port of ", listen));
  }
  return server;
}

MetricsServer::~MetricsServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

}  // namespace livestream_gateway::metrics
