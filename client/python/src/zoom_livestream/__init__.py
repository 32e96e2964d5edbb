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

        config = stub.GetLiveStream(zl.GetLiveStreamRequest(webinar_id="99289110036"), timeout=10).live_stream
        batch = zl.BatchUpdateStatusRequest(requests=[request, ...])
        for result in stub.BatchUpdateStatus(batch, timeout=30).results:  # in the order of requests
            err = zl.batch_item_error(result)  # None, or a RichError as from_rpc_error gives
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
    LIVE_STREAM_RESOLUTION_720P,
    LIVE_STREAM_RESOLUTION_1080P,
    LIVE_STREAM_RESOLUTION_UNSPECIFIED,
    BatchUpdateStatusRequest,
    BatchUpdateStatusResponse,
    BatchUpdateStatusResult,
    GetLiveStreamRequest,
    GetLiveStreamResponse,
    LiveStream,
    LiveStreamAction,
    LiveStreamResolution,
    LiveStreamSettings,
    UpdateLiveStreamRequest,
    UpdateLiveStreamResponse,
    UpdateStatusRequest,
    UpdateStatusResponse,
)
from zoom.livestream.v1.livestream_service_pb2_grpc import LiveStreamServiceStub

from zoom_livestream.channel import channel_options, create_channel, service_config_json
from zoom_livestream.security import BearerTokenInterceptor, read_bearer_token_file, tls_credentials
from zoom_livestream.errors import (
    DOMAIN,
    RichError,
    bad_request,
    batch_item_error,
    error_info,
    from_rpc_error,
    from_status,
)

__all__ = [
    "BatchUpdateStatusRequest",
    "BatchUpdateStatusResponse",
    "BatchUpdateStatusResult",
    "BearerTokenInterceptor",
    "DOMAIN",
    "ErrorReason",
    "GetLiveStreamRequest",
    "GetLiveStreamResponse",
    "LIVE_STREAM_ACTION_START",
    "LIVE_STREAM_ACTION_STOP",
    "LIVE_STREAM_ACTION_UNSPECIFIED",
    "LIVE_STREAM_RESOLUTION_1080P",
    "LIVE_STREAM_RESOLUTION_720P",
    "LIVE_STREAM_RESOLUTION_UNSPECIFIED",
    "LiveStream",
    "LiveStreamAction",
    "LiveStreamResolution",
    "LiveStreamServiceStub",
    "LiveStreamSettings",
    "RichError",
    "UpdateLiveStreamRequest",
    "UpdateLiveStreamResponse",
    "UpdateStatusRequest",
    "UpdateStatusResponse",
    "bad_request",
    "batch_item_error",
    "channel_options",
    "create_channel",
    "error_info",
    "error_reason_pb2",
    "from_rpc_error",
    "from_status",
    "livestream_service_pb2",
    "livestream_service_pb2_grpc",
    "read_bearer_token_file",
    "service_config_json",
    "tls_credentials",
]
