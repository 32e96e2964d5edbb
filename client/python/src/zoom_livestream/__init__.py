"""Python client for zoom.livestream.v1.LiveStreamService.

    import zoom_livestream as zl

    with zl.create_channel("127.0.0.1:50051") as channel:
        stub = zl.LiveStreamServiceStub(channel)
        request = zl.UpdateStatusRequest(webinar_id="99289110036", action=zl.LIVE_STREAM_ACTION_START)
        try:
            print(stub.UpdateStatus(request, timeout=10).tracking_id)
        except grpc.RpcError as e:
            err = zl.from_rpc_error(e)
            print(err.code, err.reason, err.zoom_code, [v.field for v in err.field_violations])
            if err.error_reason == zl.error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND:
                ...

The generated modules are also importable directly as
``zoom.livestream.v1.livestream_service_pb2``, ``..._pb2_grpc`` and
``zoom.livestream.v1.error_reason_pb2`` (the ErrorInfo reasons).
"""

from zoom.livestream.v1 import error_reason_pb2, livestream_service_pb2, livestream_service_pb2_grpc
from zoom.livestream.v1.error_reason_pb2 import ErrorReason
from zoom.livestream.v1.livestream_service_pb2 import (
    LIVE_STREAM_ACTION_START,
    LIVE_STREAM_ACTION_STOP,
    LIVE_STREAM_ACTION_UNSPECIFIED,
    LiveStreamAction,
    LiveStreamSettings,
    UpdateStatusRequest,
    UpdateStatusResponse,
)
from zoom.livestream.v1.livestream_service_pb2_grpc import LiveStreamServiceStub

from zoom_livestream.channel import channel_options, create_channel, service_config_json
from zoom_livestream.security import BearerTokenInterceptor, read_bearer_token_file, tls_credentials
from zoom_livestream.errors import DOMAIN, RichError, bad_request, error_info, from_rpc_error

__all__ = [
    "BearerTokenInterceptor",
    "DOMAIN",
    "ErrorReason",
    "LIVE_STREAM_ACTION_START",
    "LIVE_STREAM_ACTION_STOP",
    "LIVE_STREAM_ACTION_UNSPECIFIED",
    "LiveStreamAction",
    "LiveStreamServiceStub",
    "LiveStreamSettings",
    "RichError",
    "UpdateStatusRequest",
    "UpdateStatusResponse",
    "bad_request",
    "channel_options",
    "create_channel",
    "error_info",
    "error_reason_pb2",
    "from_rpc_error",
    "livestream_service_pb2",
    "livestream_service_pb2_grpc",
    "read_bearer_token_file",
    "service_config_json",
    "tls_credentials",
]
