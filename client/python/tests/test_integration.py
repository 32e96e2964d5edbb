"""The Python client against a real livestream_server backed by the zoom_emulator."""

from __future__ import annotations

import asyncio
import itertools

import grpc
import pytest

import zoom_livestream as zl

KNOWN_WEBINAR = "99289110036"  # exists in the emulator and accepts start
KNOWN_MEETING = "85746065"  # exists, configured and started; its configuration is never changed here
UNKNOWN_WEBINAR = "12345"  # the emulator answers Zoom 400, code 3001
UNKNOWN_BATCH_WEBINAR = "12345678901"
TIMEOUT_S = 10


def seed_live_stream(zoom_id: str) -> zl.LiveStream:
    """The configuration the emulator seeds (tests/zoom_emulator/README.md "Seed fixtures")."""
    return zl.LiveStream(
        stream_url="rtmp://live.emulator.example/live",
        stream_key=f"emulator-stream-key-{zoom_id}",
        page_url=f"https://emulator.example/live/{zoom_id}",
        resolution=zl.LIVE_STREAM_RESOLUTION_720P,
    )


NEW_LIVE_STREAM = zl.LiveStream(
    stream_url="rtmps://ingest.example.com:443/app",
    stream_key="python-client-key-1",
    page_url="https://example.com/watch",
    resolution=zl.LIVE_STREAM_RESOLUTION_1080P,
)


_fresh_webinar_ids = itertools.count(99289120001)


@pytest.fixture()
def fresh_webinar(emulator):
    """A webinar of its own per test (configured with the seed configuration,
    started), so configuration changes cannot leak into other tests."""
    webinar_id = str(next(_fresh_webinar_ids))
    emulator.add_webinar(webinar_id, livestream_configured=True, started=True)
    return webinar_id


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


def test_aio_unknown_webinar_is_not_found_with_zoom_code(server_address):
    async def call():
        async with grpc.aio.insecure_channel(server_address, options=zl.channel_options()) as channel:
            stub = zl.LiveStreamServiceStub(channel)
            request = zl.UpdateStatusRequest(webinar_id=UNKNOWN_WEBINAR, action=zl.LIVE_STREAM_ACTION_START)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await stub.UpdateStatus(request, timeout=TIMEOUT_S)
            return raised.value

    err = zl.from_rpc_error(asyncio.run(call()))
    assert err.code == grpc.StatusCode.NOT_FOUND, err
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


def test_get_live_stream_returns_configuration(stub):
    response = stub.GetLiveStream(zl.GetLiveStreamRequest(meeting_id=KNOWN_MEETING), timeout=TIMEOUT_S)
    assert response.live_stream == seed_live_stream(KNOWN_MEETING)
    assert response.tracking_id != ""


def test_get_live_stream_of_unknown_webinar_is_not_found(stub):
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetLiveStream(zl.GetLiveStreamRequest(webinar_id=UNKNOWN_BATCH_WEBINAR), timeout=TIMEOUT_S)
    err = zl.from_rpc_error(raised.value)
    assert err.code == grpc.StatusCode.NOT_FOUND, err
    assert err.error_reason == zl.error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND, err


def test_update_live_stream_changes_configuration(stub, fresh_webinar):
    response = stub.UpdateLiveStream(
        zl.UpdateLiveStreamRequest(webinar_id=fresh_webinar, live_stream=NEW_LIVE_STREAM), timeout=TIMEOUT_S
    )
    assert response.live_stream == NEW_LIVE_STREAM
    assert response.tracking_id != ""
    got = stub.GetLiveStream(zl.GetLiveStreamRequest(webinar_id=fresh_webinar), timeout=TIMEOUT_S)
    assert got.live_stream == NEW_LIVE_STREAM


def test_update_live_stream_with_partial_mask_keeps_the_other_fields(stub, fresh_webinar):
    request = zl.UpdateLiveStreamRequest(webinar_id=fresh_webinar, live_stream=NEW_LIVE_STREAM)
    request.update_mask.paths.extend(["page_url", "resolution"])
    expected = seed_live_stream(fresh_webinar)
    expected.page_url = NEW_LIVE_STREAM.page_url
    expected.resolution = NEW_LIVE_STREAM.resolution

    response = stub.UpdateLiveStream(request, timeout=TIMEOUT_S)
    assert response.live_stream == expected
    got = stub.GetLiveStream(zl.GetLiveStreamRequest(webinar_id=fresh_webinar), timeout=TIMEOUT_S)
    assert got.live_stream == expected


def test_update_live_stream_validate_only_changes_nothing(stub, fresh_webinar):
    request = zl.UpdateLiveStreamRequest(webinar_id=fresh_webinar, live_stream=NEW_LIVE_STREAM, validate_only=True)
    request.update_mask.paths.append("stream_url")
    expected = seed_live_stream(fresh_webinar)
    expected.stream_url = NEW_LIVE_STREAM.stream_url

    response = stub.UpdateLiveStream(request, timeout=TIMEOUT_S)
    assert response.live_stream == expected
    assert response.tracking_id == ""
    got = stub.GetLiveStream(zl.GetLiveStreamRequest(webinar_id=fresh_webinar), timeout=TIMEOUT_S)
    assert got.live_stream == seed_live_stream(fresh_webinar)


def test_update_live_stream_bad_url_names_field(stub, fresh_webinar):
    live_stream = zl.LiveStream(stream_url="http://not-rtmp.example.com/app")
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateLiveStream(
            zl.UpdateLiveStreamRequest(webinar_id=fresh_webinar, live_stream=live_stream), timeout=TIMEOUT_S
        )
    err = zl.from_rpc_error(raised.value)
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT, err
    assert err.field_violation("live_stream.stream_url") is not None, [v.field for v in err.field_violations]


def start(**target) -> zl.UpdateStatusRequest:
    return zl.UpdateStatusRequest(action=zl.LIVE_STREAM_ACTION_START, **target)


def test_batch_with_failed_item(stub):
    batch = zl.BatchUpdateStatusRequest(
        requests=[
            start(webinar_id=KNOWN_WEBINAR),
            start(webinar_id=UNKNOWN_BATCH_WEBINAR),
            start(meeting_id=KNOWN_MEETING),
            start(meeting_id="abc"),
        ]
    )
    results = stub.BatchUpdateStatus(batch, timeout=TIMEOUT_S).results
    assert [r.WhichOneof("result") for r in results] == ["response", "error", "response", "error"]

    for ok in (results[0], results[2]):
        assert zl.batch_item_error(ok) is None
        assert ok.response.tracking_id != ""

    err = zl.batch_item_error(results[1])
    assert err.code == grpc.StatusCode.NOT_FOUND, err
    assert err.domain == zl.DOMAIN
    assert err.reason == "ZOOM_WEBINAR_NOT_FOUND"
    assert err.error_reason == zl.error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND
    assert err.zoom_code == "3001", err.metadata

    invalid = zl.batch_item_error(results[3])
    assert invalid.code == grpc.StatusCode.INVALID_ARGUMENT, invalid
    assert invalid.field_violation("meeting_id") is not None, [v.field for v in invalid.field_violations]


def test_batch_item_error_reads_as_the_single_call_error(stub):
    # The helper gives a batch item's error the shape of the same call made alone.
    request = start(webinar_id=UNKNOWN_BATCH_WEBINAR)
    with pytest.raises(grpc.RpcError) as raised:
        stub.UpdateStatus(request, timeout=TIMEOUT_S)
    single = zl.from_rpc_error(raised.value)
    results = stub.BatchUpdateStatus(zl.BatchUpdateStatusRequest(requests=[request]), timeout=TIMEOUT_S).results
    item = zl.batch_item_error(results[0])

    assert (item.code, item.message, item.reason) == (single.code, single.message, single.reason)
    without_tracking_id = lambda e: {k: v for k, v in e.metadata.items() if k != "trackingId"}  # noqa: E731
    assert without_tracking_id(item) == without_tracking_id(single)
    assert item.resource_info == single.resource_info
    assert [d.type_url for d in item.status.details] == [d.type_url for d in single.status.details]


def test_example_gets_configuration_without_printing_the_key(server_address, capsys):
    from zoom_livestream import example

    assert example.main(["--call", "get", "--target", server_address, "--meeting-id", KNOWN_MEETING]) == 0
    out = capsys.readouterr().out
    assert "stream_url='rtmp://live.emulator.example/live' stream_key=<redacted>" in out
    assert "resolution=720p" in out
    assert f"emulator-stream-key-{KNOWN_MEETING}" not in out


def test_example_configures_with_a_partial_mask(server_address, fresh_webinar, stub, tmp_path, capsys):
    from zoom_livestream import example

    key_file = tmp_path / "stream.key"
    key_file.write_text("example-secret-key\n")
    argv = ["--call", "configure", "--target", server_address, "--webinar-id", fresh_webinar,
            "--stream-key-file", str(key_file), "--resolution", "1080p"]
    assert example.main(argv) == 0
    out = capsys.readouterr().out
    assert "resolution=1080p" in out and "stream_key=<redacted>" in out, out
    assert "example-secret-key" not in out

    got = stub.GetLiveStream(zl.GetLiveStreamRequest(webinar_id=fresh_webinar), timeout=TIMEOUT_S).live_stream
    assert got.stream_key == "example-secret-key"
    assert got.resolution == zl.LIVE_STREAM_RESOLUTION_1080P
    assert got.page_url == seed_live_stream(fresh_webinar).page_url


def test_example_batch_prints_each_item_in_order(server_address, capsys):
    from zoom_livestream import example

    argv = ["--call", "batch", "--target", server_address, "--action", "start", "--webinar-id", KNOWN_WEBINAR,
            "--webinar-id", UNKNOWN_BATCH_WEBINAR, "--meeting-id", KNOWN_MEETING]
    assert example.main(argv) == 1  # one item failed
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"item 0 webinar_id={KNOWN_WEBINAR}: ok tracking_id="), lines
    assert lines[1].startswith(f"item 1 webinar_id={UNKNOWN_BATCH_WEBINAR}: error: code=NOT_FOUND"), lines
    assert "reason=ZOOM_WEBINAR_NOT_FOUND" in lines[2], lines
    assert any(line.startswith(f"item 2 meeting_id={KNOWN_MEETING}: ok tracking_id=") for line in lines[3:]), lines
