#ifndef LIVESTREAM_GATEWAY_SERVER_LOGGING_PROTOBUF_LOG_H_
#define LIVESTREAM_GATEWAY_SERVER_LOGGING_PROTOBUF_LOG_H_

namespace livestream_gateway {

// Sends protobuf's own log lines (GOOGLE_LOG: for one, a request whose
// string field is not UTF-8, which the service then refuses as
// MALFORMED_REQUEST) to the process's logger, with component=protobuf and
// source=file:line, instead of protobuf's "[libprotobuf ERROR ...]" lines.
// Call before anything is parsed.
void RouteProtobufLogsToLogger();

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LOGGING_PROTOBUF_LOG_H_
