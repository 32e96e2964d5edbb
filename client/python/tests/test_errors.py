"""Unit tests of zoom_livestream.errors on hand-built calls (no server)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2, wrappers_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

import zoom_livestream as zl
from zoom_livestream import errors


class FakeRpcError(grpc.RpcError, grpc.Call):
    """What a failed unary call raises: an RpcError that is also a Call."""

    def __init__(self, code, details, trailing_metadata=()):
        self._code, self._details, self._trailing = code, details, tuple(trailing_metadata)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailing

    def initial_metadata(self):
        return ()

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


def packed(message) -> any_pb2.Any:
    result = any_pb2.Any()
    result.Pack(message)
    return result


def failed_call(code, message, *details, status_code=None, status_message=None):
    status = status_pb2.Status(
        code=code.value[0] if status_code is None else status_code,
        message=message if status_message is None else status_message,
        details=[packed(d) for d in details],
    )
    return FakeRpcError(code, message, [("grpc-status-details-bin", status.SerializeToString())])


NOT_FOUND_INFO = error_details_pb2.ErrorInfo(
    reason="ZOOM_WEBINAR_NOT_FOUND",
    domain=errors.DOMAIN,
    metadata={"zoomCode": "3001", "httpStatus": "404", "trackingId": "v=2.0;rid=1"},
)
BAD_REQUEST = error_details_pb2.BadRequest(
    field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="meeting_id", description="not a number"),
        error_details_pb2.BadRequest.FieldViolation(field="settings.display_name", description="too long"),
    ]
)
RESOURCE = error_details_pb2.ResourceInfo(resource_type="zoom.us/Webinar", resource_name="webinars/12345")


@pytest.mark.parametrize(
    "call, expected",
    [
        pytest.param(
            FakeRpcError(grpc.StatusCode.UNAVAILABLE, "connection refused"),
            dict(code=grpc.StatusCode.UNAVAILABLE, reason="", zoom_code="", fields=[], status=False),
            id="no trailer",
        ),
        pytest.param(
            failed_call(grpc.StatusCode.NOT_FOUND, "webinar not found", NOT_FOUND_INFO, RESOURCE),
            dict(code=grpc.StatusCode.NOT_FOUND, reason="ZOOM_WEBINAR_NOT_FOUND", zoom_code="3001",
                 fields=[], status=True, resource=RESOURCE),
            id="error info and resource info",
        ),
        pytest.param(
            failed_call(grpc.StatusCode.INVALID_ARGUMENT, "invalid request",
                        error_details_pb2.ErrorInfo(reason="INVALID_REQUEST", domain=errors.DOMAIN), BAD_REQUEST),
            dict(code=grpc.StatusCode.INVALID_ARGUMENT, reason="INVALID_REQUEST", zoom_code="",
                 fields=["meeting_id", "settings.display_name"], status=True),
            id="bad request",
        ),
        pytest.param(
            failed_call(grpc.StatusCode.NOT_FOUND, "webinar not found", NOT_FOUND_INFO,
                        status_message="a different message"),
            dict(code=grpc.StatusCode.NOT_FOUND, reason="ZOOM_WEBINAR_NOT_FOUND", zoom_code="3001",
                 fields=[], status=True),
            id="trailer disagreeing with the call is still decoded",
        ),
        pytest.param(
            FakeRpcError(grpc.StatusCode.INTERNAL, "garbled", [("grpc-status-details-bin", b"\xff\xff\xff")]),
            dict(code=grpc.StatusCode.INTERNAL, reason="", zoom_code="", fields=[], status=False),
            id="undecodable trailer",
        ),
    ],
)
def test_from_rpc_error(call, expected):
    err = zl.from_rpc_error(call)
    assert err.code == expected["code"]
    assert err.message == call.details()
    assert err.reason == expected["reason"]
    assert err.zoom_code == expected["zoom_code"]
    assert [v.field for v in err.field_violations] == expected["fields"]
    assert (err.status is not None) == expected["status"]
    assert err.resource_info == expected.get("resource")


def test_accessors_read_error_info_metadata():
    err = zl.from_rpc_error(failed_call(grpc.StatusCode.NOT_FOUND, "webinar not found", NOT_FOUND_INFO))
    assert err.domain == "zoom-livestream-gateway"
    assert err.http_status == "404"
    assert err.tracking_id == "v=2.0;rid=1"
    assert err.metadata == {"zoomCode": "3001", "httpStatus": "404", "trackingId": "v=2.0;rid=1"}
    assert zl.error_info(failed_call(grpc.StatusCode.NOT_FOUND, "x", NOT_FOUND_INFO)) == NOT_FOUND_INFO
    assert zl.bad_request(failed_call(grpc.StatusCode.NOT_FOUND, "x", NOT_FOUND_INFO)) is None


def test_error_reason_is_the_generated_enum():
    err = zl.from_rpc_error(failed_call(grpc.StatusCode.NOT_FOUND, "webinar not found", NOT_FOUND_INFO))
    assert err.error_reason == zl.error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND
    assert zl.ErrorReason.Name(err.error_reason) == err.reason

    newer = error_details_pb2.ErrorInfo(reason="ZOOM_SOMETHING_NEW", domain=zl.DOMAIN)
    foreign = error_details_pb2.ErrorInfo(reason="ZOOM_WEBINAR_NOT_FOUND", domain="googleapis.com")
    for call in (
        failed_call(grpc.StatusCode.NOT_FOUND, "x", newer),
        failed_call(grpc.StatusCode.NOT_FOUND, "x", foreign),
        FakeRpcError(grpc.StatusCode.UNAVAILABLE, "no details", []),
    ):
        assert zl.from_rpc_error(call).error_reason == zl.error_reason_pb2.ERROR_REASON_UNSPECIFIED


def test_field_violation_lookup():
    err = zl.from_rpc_error(failed_call(grpc.StatusCode.INVALID_ARGUMENT, "bad", BAD_REQUEST))
    assert err.field_violation("settings.display_name").description == "too long"
    assert err.field_violation("webinar_id") is None


def test_repeated_and_foreign_details_go_to_unknown():
    first = error_details_pb2.ErrorInfo(reason="FIRST", domain=errors.DOMAIN)
    second = error_details_pb2.ErrorInfo(reason="SECOND", domain=errors.DOMAIN)
    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2))
    foreign = wrappers_pb2.StringValue(value="not a google.rpc detail")
    err = zl.from_rpc_error(failed_call(grpc.StatusCode.UNAVAILABLE, "busy", first, second, retry, foreign))
    assert err.reason == "FIRST"
    assert err.retry_info.retry_delay.seconds == 2
    assert len(err.unknown) == 2
    assert err.detail(wrappers_pb2.StringValue).value == "not a google.rpc detail"
    assert err.detail(error_details_pb2.QuotaFailure) is None


def test_reads_aio_errors():
    # grpc.aio stubs raise AioRpcError, which is not a grpc.Call.
    status = status_pb2.Status(
        code=code_pb2.NOT_FOUND, message="gone",
        details=[packed(error_details_pb2.ErrorInfo(reason="ZOOM_WEBINAR_NOT_FOUND", domain=zl.DOMAIN))],
    )
    aio_error = grpc.aio.AioRpcError(
        grpc.StatusCode.NOT_FOUND, grpc.aio.Metadata(),
        grpc.aio.Metadata(("grpc-status-details-bin", status.SerializeToString())), details="gone",
    )
    err = zl.from_rpc_error(aio_error)
    assert err.code == grpc.StatusCode.NOT_FOUND
    assert err.message == "gone"
    assert err.reason == "ZOOM_WEBINAR_NOT_FOUND"
    assert err.domain == zl.DOMAIN


def test_rejects_errors_that_are_not_calls():
    with pytest.raises(TypeError):
        zl.from_rpc_error(grpc.RpcError())


def test_status_codes_match_google_rpc_codes():
    # from_call compares the trailer's numeric code with the call's; both
    # enumerations must agree for that check to mean anything.
    assert grpc.StatusCode.NOT_FOUND.value[0] == code_pb2.NOT_FOUND
    assert grpc.StatusCode.INVALID_ARGUMENT.value[0] == code_pb2.INVALID_ARGUMENT


def test_google_rpc_comes_from_googleapis_common_protos():
    files = importlib.metadata.files("zoom-livestream-gateway-client") or []
    assert not [f for f in files if str(f).startswith("google/")], "this package must not ship google/*"
    common = importlib.metadata.distribution("googleapis-common-protos")
    expected = Path(common.locate_file("google/rpc/error_details_pb2.py")).resolve()
    assert Path(error_details_pb2.__file__).resolve() == expected
    generated = {str(f) for f in files}
    assert "zoom/livestream/v1/livestream_service_pb2.py" in generated
    assert "zoom/livestream/v1/livestream_service_pb2_grpc.py" in generated


def test_from_status_reads_as_the_failed_call_with_that_status():
    status = status_pb2.Status(
        code=code_pb2.NOT_FOUND, message="webinar not found", details=[packed(NOT_FOUND_INFO), packed(RESOURCE)]
    )
    from_call = zl.from_rpc_error(failed_call(grpc.StatusCode.NOT_FOUND, "webinar not found", NOT_FOUND_INFO, RESOURCE))
    err = zl.from_status(status)
    assert err == from_call
    assert err.error_reason == zl.error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND
    assert err.resource_info == RESOURCE


@pytest.mark.parametrize(
    "number, code",
    [
        (code_pb2.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT),
        (code_pb2.UNAUTHENTICATED, grpc.StatusCode.UNAUTHENTICATED),
        (code_pb2.DEADLINE_EXCEEDED, grpc.StatusCode.DEADLINE_EXCEEDED),
        (99, grpc.StatusCode.UNKNOWN),
    ],
)
def test_from_status_maps_the_code(number, code):
    assert zl.from_status(status_pb2.Status(code=number)).code == code


def test_batch_item_error():
    failed = zl.BatchUpdateStatusResult(
        error=status_pb2.Status(
            code=code_pb2.INVALID_ARGUMENT, message="invalid request", details=[packed(BAD_REQUEST)]
        )
    )
    err = zl.batch_item_error(failed)
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.message == "invalid request"
    assert [v.field for v in err.field_violations] == ["meeting_id", "settings.display_name"]

    succeeded = zl.BatchUpdateStatusResult(response=zl.UpdateStatusResponse(tracking_id="v=2.0;rid=2"))
    assert zl.batch_item_error(succeeded) is None
    # An empty result (a newer server's oneof member this client lacks) is no error it can read.
    assert zl.batch_item_error(zl.BatchUpdateStatusResult()) is None
