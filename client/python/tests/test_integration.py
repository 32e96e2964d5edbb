"""The Python client against a real livestream_server backed by the zoom_emulator."""

from __future__ import annotations

import grpc
import pytest

import zoom_livestream as zl

KNOWN_WEBINAR = "99289110036"  # exists in the emulator and accepts start
UNKNOWN_WEBINAR = "12345"  # the emulator answers Zoom 400, code 3001
TIMEOUT_S = 10


def test_start_known_webinar_returns_tracking_id(stub):
    response = stub.UpdateStatus(
        zl.UpdateStatusRequest(webinar_id=KNOWN_WEBINAR, action=zl.LIVE_STREAM_ACTION_START), timeout=TIMEOUT_S
    )
    assert response.tracking_id.strip() != ""


def test_unknown_webinar_is_not_found_with_zoom_code(stub):
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateStatus(
            zl.UpdateStatusRequest(webinar_id=UNKNOWN_WEBINAR, action=zl.LIVE_STREAM_ACTION_START), timeout=TIMEOUT_S
        )
    err = zl.from_rpc_error(raised.value)
    assert err.code == grpc.StatusCode.NOT_FOUND, err
    assert err.error_info is not None, err
    assert err.domain == zl.DOMAIN
    assert err.reason == "ZOOM_WEBINAR_NOT_FOUND"
    assert err.zoom_code == "3001", err.metadata


@pytest.mark.parametrize(
    "request_, field",
    [
        pytest.param(
            zl.UpdateStatusRequest(meeting_id="abc", action=zl.LIVE_STREAM_ACTION_START), "meeting_id",
            id="meeting id not a number",
        ),
        pytest.param(
            zl.UpdateStatusRequest(webinar_id=KNOWN_WEBINAR, settings=zl.LiveStreamSettings(display_name="a" * 51)),
            "settings.display_name",
            id="display name of 51 characters",
        ),
    ],
)
def test_validation_error_names_field(stub, request_, field):
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateStatus(request_, timeout=TIMEOUT_S)
    err = zl.from_rpc_error(raised.value)
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT, err
    assert err.bad_request is not None, err
    assert err.field_violation(field) is not None, [v.field for v in err.field_violations]
    assert err.domain == zl.DOMAIN


def test_example_prints_decoded_error(server_address, capsys):
    from zoom_livestream import example

    assert example.main(["--target", server_address, "--webinar-id", UNKNOWN_WEBINAR, "--action", "start"]) == 1
    assert "reason=ZOOM_WEBINAR_NOT_FOUND" in capsys.readouterr().err


def test_channel_rejects_invalid_service_config(server_address):
    # Proves service configs are really parsed (so the packaged one, which the
    # other tests use, is valid): a malformed one fails the call locally.
    with zl.create_channel(server_address, service_config='{"methodConfig": 1}') as channel:
        stub = zl.LiveStreamServiceStub(channel)
        with pytest.raises(grpc.RpcError) as raised:
            stub.UpdateStatus(zl.UpdateStatusRequest(meeting_id="abc"), timeout=TIMEOUT_S)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT, raised.value
    assert "service config" in raised.value.details()
    assert zl.from_rpc_error(raised.value).error_info is None
