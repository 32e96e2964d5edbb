"""Reads the google.rpc error details that LiveStreamService attaches to errors.

Every non-OK status carries, in the ``grpc-status-details-bin`` trailer, a
``google.rpc.Status`` with exactly one ``google.rpc.ErrorInfo`` (domain
``zoom-livestream-gateway``) and, where they help, a ``BadRequest``,
``ResourceInfo``, ``PreconditionFailure``, ``RetryInfo``, ``QuotaFailure`` or
``Help``. Branch on ``ErrorInfo.reason`` and the BadRequest field names rather
than on message text::

    try:
        stub.UpdateStatus(request, timeout=10)
    except grpc.RpcError as rpc_error:
        err = from_rpc_error(rpc_error)
        if err.error_reason == error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND:
            ...
        print(err.zoom_code, err.tracking_id, [v.field for v in err.field_violations])

A failed item of BatchUpdateStatus carries the same ``google.rpc.Status`` as
data; ``batch_item_error(result)`` (or ``from_status``) gives the same
RichError a single UpdateStatus failing with it would.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Optional, Sequence, Tuple, Type, TypeVar

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError, Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from zoom.livestream.v1 import error_reason_pb2, livestream_service_pb2

DOMAIN = "zoom-livestream-gateway"
"""ErrorInfo.domain of every error the gateway returns."""

METADATA_ZOOM_CODE = "zoomCode"
METADATA_HTTP_STATUS = "httpStatus"
METADATA_TRACKING_ID = "trackingId"

_DETAILS_KEY = "grpc-status-details-bin"

# Detail types sorted into RichError fields, by field name.
_DETAIL_FIELDS = {
    "error_info": error_details_pb2.ErrorInfo,
    "bad_request": error_details_pb2.BadRequest,
    "resource_info": error_details_pb2.ResourceInfo,
    "precondition_failure": error_details_pb2.PreconditionFailure,
    "retry_info": error_details_pb2.RetryInfo,
    "quota_failure": error_details_pb2.QuotaFailure,
    "help": error_details_pb2.Help,
    "localized_message": error_details_pb2.LocalizedMessage,
    "request_info": error_details_pb2.RequestInfo,
    "debug_info": error_details_pb2.DebugInfo,
}

M = TypeVar("M", bound=Message)


@dataclasses.dataclass(frozen=True)
class RichError:
    """A gRPC error with its google.rpc details sorted by type.

    A detail the server did not send is None. AIP-193 allows each type at most
    once; should one repeat, the first wins and the rest go to ``unknown``
    with any type this class does not sort.
    """

    code: grpc.StatusCode
    message: str
    status: Optional[status_pb2.Status] = None
    error_info: Optional[error_details_pb2.ErrorInfo] = None
    bad_request: Optional[error_details_pb2.BadRequest] = None
    resource_info: Optional[error_details_pb2.ResourceInfo] = None
    precondition_failure: Optional[error_details_pb2.PreconditionFailure] = None
    retry_info: Optional[error_details_pb2.RetryInfo] = None
    quota_failure: Optional[error_details_pb2.QuotaFailure] = None
    help: Optional[error_details_pb2.Help] = None
    localized_message: Optional[error_details_pb2.LocalizedMessage] = None
    request_info: Optional[error_details_pb2.RequestInfo] = None
    debug_info: Optional[error_details_pb2.DebugInfo] = None
    unknown: Tuple[any_pb2.Any, ...] = ()

    @property
    def reason(self) -> str:
        """ErrorInfo.reason, e.g. ``ZOOM_WEBINAR_NOT_FOUND``; "" without ErrorInfo."""
        return self.error_info.reason if self.error_info else ""

    @property
    def error_reason(self) -> "error_reason_pb2.ErrorReason.ValueType":
        """The reason as the generated enum, e.g. ``error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND``.

        ``ERROR_REASON_UNSPECIFIED`` without ErrorInfo, for another domain, or
        for a reason this client does not know (a newer server).
        """
        if self.domain != DOMAIN:
            return error_reason_pb2.ERROR_REASON_UNSPECIFIED
        try:
            return error_reason_pb2.ErrorReason.Value(self.reason)
        except ValueError:
            return error_reason_pb2.ERROR_REASON_UNSPECIFIED

    @property
    def domain(self) -> str:
        return self.error_info.domain if self.error_info else ""

    @property
    def metadata(self) -> dict:
        """ErrorInfo.metadata as a plain dict (empty without ErrorInfo)."""
        return dict(self.error_info.metadata) if self.error_info else {}

    @property
    def zoom_code(self) -> str:
        """Zoom's error code, e.g. "3001", when Zoom answered; else ""."""
        return self.metadata.get(METADATA_ZOOM_CODE, "")

    @property
    def http_status(self) -> str:
        """Zoom's HTTP status, e.g. "404", when Zoom answered; else ""."""
        return self.metadata.get(METADATA_HTTP_STATUS, "")

    @property
    def tracking_id(self) -> str:
        """Zoom's x-zm-trackingid, to quote to Zoom support; else ""."""
        return self.metadata.get(METADATA_TRACKING_ID, "")

    @property
    def field_violations(self) -> Sequence[error_details_pb2.BadRequest.FieldViolation]:
        return list(self.bad_request.field_violations) if self.bad_request else []

    def field_violation(self, field: str) -> Optional[error_details_pb2.BadRequest.FieldViolation]:
        """The violation for ``field`` (e.g. "meeting_id", "settings.display_name"), or None."""
        return next((v for v in self.field_violations if v.field == field), None)

    def detail(self, message_type: Type[M]) -> Optional[M]:
        """The first detail of ``message_type`` (any type, sorted or not), or None."""
        if self.status is None:
            return None
        return unpack_detail(self.status.details, message_type)


def unpack_detail(details: Iterable[any_pb2.Any], message_type: Type[M]) -> Optional[M]:
    """Unpacks the first Any of ``message_type`` in ``details``, or returns None."""
    for packed in details:
        if packed.Is(message_type.DESCRIPTOR):
            message = message_type()
            if packed.Unpack(message):
                return message
    return None


def _status_from_trailer(call: grpc.Call) -> Optional[status_pb2.Status]:
    for key, value in call.trailing_metadata() or ():
        if key == _DETAILS_KEY:
            try:
                return status_pb2.Status.FromString(value)
            except DecodeError:
                return None
    return None


def rich_status(call: grpc.Call) -> Optional[status_pb2.Status]:
    """The google.rpc.Status of a failed call, or None when it carries none.

    Uses grpcio-status's ``rpc_status.from_call``. That raises ValueError when
    the trailer's code or message disagree with the call's; the details are
    still worth having then, so the trailer is decoded directly instead. A
    trailer that is not a google.rpc.Status counts as none.
    """
    try:
        return rpc_status.from_call(call)
    except DecodeError:
        return None
    except ValueError:
        return _status_from_trailer(call)


def _rich_error(code: grpc.StatusCode, message: str, status: Optional[status_pb2.Status]) -> RichError:
    fields = {}
    unknown = []
    for packed in status.details if status is not None else ():
        for name, message_type in _DETAIL_FIELDS.items():
            if packed.Is(message_type.DESCRIPTOR):
                detail = message_type()
                if name not in fields and packed.Unpack(detail):
                    fields[name] = detail
                else:
                    unknown.append(packed)
                break
        else:
            unknown.append(packed)
    return RichError(code=code, message=message, status=status, unknown=tuple(unknown), **fields)


def from_rpc_error(error: grpc.RpcError) -> RichError:
    """Sorts the details of a failed call (a grpc.RpcError raised by a stub).

    Takes what a synchronous stub raises (a grpc.Call) and what a grpc.aio
    stub raises (grpc.aio.AioRpcError, which has the same accessors but is not
    a grpc.Call). Errors without details (e.g. UNAVAILABLE from the channel
    itself) give a RichError with every detail None. Raises TypeError for an
    RpcError that is not a completed call (e.g. one raised before the RPC
    started).
    """
    if not isinstance(error, (grpc.Call, grpc.aio.AioRpcError)):
        raise TypeError(f"expected a grpc.RpcError that is a grpc.Call or grpc.aio.AioRpcError, "
                        f"got {type(error).__name__}")
    return _rich_error(error.code(), error.details() or "", rich_status(error))


# google.rpc.Code numbers are gRPC's status codes (grpc.StatusCode.X.value[0]).
_STATUS_CODES = {code.value[0]: code for code in grpc.StatusCode}


def from_status(status: status_pb2.Status) -> RichError:
    """Sorts the details of a google.rpc.Status received as data, such as the
    error of a BatchUpdateStatus item.

    The result is what ``from_rpc_error`` gives for a call that failed with
    this status: ``code`` is the grpc.StatusCode of the same number (UNKNOWN
    for a number gRPC does not define).
    """
    return _rich_error(_STATUS_CODES.get(status.code, grpc.StatusCode.UNKNOWN), status.message, status)


def batch_item_error(result: livestream_service_pb2.BatchUpdateStatusResult) -> Optional[RichError]:
    """The error of one BatchUpdateStatus item, or None when it succeeded
    (then ``result.response`` holds its UpdateStatusResponse).

        for result in stub.BatchUpdateStatus(batch, timeout=30).results:  # in the order of batch.requests
            err = batch_item_error(result)
            if err is not None and err.error_reason == error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND:
                ...
    """
    if result.WhichOneof("result") != "error":
        return None
    return from_status(result.error)


def error_info(error: grpc.RpcError) -> Optional[error_details_pb2.ErrorInfo]:
    """Shortcut for ``from_rpc_error(error).error_info``."""
    return from_rpc_error(error).error_info


def bad_request(error: grpc.RpcError) -> Optional[error_details_pb2.BadRequest]:
    """Shortcut for ``from_rpc_error(error).bad_request``."""
    return from_rpc_error(error).bad_request
