"""A program of a team that installed the client's wheel into its own virtual
environment (scripts/test-python-package.sh runs it outside the repository).

Against the gateway at argv[1] it asks to start the live stream of a webinar
Zoom does not know, once with a synchronous stub and once with grpc.aio, and
reads the rich error through zoom_livestream.from_rpc_error: NOT_FOUND with
ErrorInfo reason ZOOM_WEBINAR_NOT_FOUND of the gateway's domain. Against a
server of its own that sheds the first call it checks that the channel from
create_channel retries UNAVAILABLE by default (the packaged service config)
and not with service_config=None. It also checks the installed distribution's
licence metadata. Exit code 0 when all hold.
"""

import asyncio
import sys
import threading
from concurrent import futures
from importlib import metadata

import grpc

import zoom_livestream as zl

DISTRIBUTION = "zoom-livestream-gateway-client"
UNKNOWN_WEBINAR = "12345678901"


def check_not_found(err: zl.RichError, how: str) -> None:
    print(f"{how}: {err.code.name} reason={err.reason} domain={err.domain} zoomCode={err.zoom_code!r}")
    if err.code != grpc.StatusCode.NOT_FOUND or err.reason != "ZOOM_WEBINAR_NOT_FOUND" or err.domain != zl.DOMAIN:
        sys.exit(f"consumer: {how}: expected NOT_FOUND with reason ZOOM_WEBINAR_NOT_FOUND of domain {zl.DOMAIN}")
    if err.error_reason != zl.error_reason_pb2.ZOOM_WEBINAR_NOT_FOUND:
        sys.exit(f"consumer: {how}: error_reason is {err.error_reason}")


def start_unknown_webinar() -> zl.UpdateStatusRequest:
    return zl.UpdateStatusRequest(webinar_id=UNKNOWN_WEBINAR, action=zl.LIVE_STREAM_ACTION_START)


def call_sync(target: str) -> None:
    with zl.create_channel(target) as channel:
        try:
            zl.LiveStreamServiceStub(channel).UpdateStatus(start_unknown_webinar(), timeout=10)
        except grpc.RpcError as rpc_error:
            check_not_found(zl.from_rpc_error(rpc_error), "sync")
            return
    sys.exit("consumer: sync UpdateStatus succeeded; expected NOT_FOUND")


async def call_aio(target: str) -> None:
    async with grpc.aio.insecure_channel(target, options=zl.channel_options()) as channel:
        try:
            await zl.LiveStreamServiceStub(channel).UpdateStatus(start_unknown_webinar(), timeout=10)
        except grpc.aio.AioRpcError as rpc_error:
            check_not_found(zl.from_rpc_error(rpc_error), "grpc.aio")
            return
    sys.exit("consumer: grpc.aio UpdateStatus succeeded; expected NOT_FOUND")


class SheddingServicer(zl.livestream_service_pb2_grpc.LiveStreamServiceServicer):
    """Answers UNAVAILABLE to the first call and OK to the others."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()

    def UpdateStatus(self, request, context):
        with self._lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            context.abort(grpc.StatusCode.UNAVAILABLE, "shed")
        return zl.UpdateStatusResponse(tracking_id="second attempt")


def attempts(**channel_kwargs) -> tuple:
    """(status code, calls the server saw) of one UpdateStatus to a SheddingServicer."""
    servicer = SheddingServicer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    zl.livestream_service_pb2_grpc.add_LiveStreamServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with zl.create_channel(f"127.0.0.1:{port}", **channel_kwargs) as channel:
            try:
                zl.LiveStreamServiceStub(channel).UpdateStatus(start_unknown_webinar(), timeout=10)
                code = grpc.StatusCode.OK
            except grpc.RpcError as rpc_error:
                code = rpc_error.code()
    finally:
        server.stop(None)
    return code, servicer.calls


def check_retries() -> None:
    by_default = attempts()
    turned_off = attempts(service_config=None)
    print(f"retries: by default {by_default[0].name} after {by_default[1]} calls; "
          f"service_config=None {turned_off[0].name} after {turned_off[1]} call")
    if by_default != (grpc.StatusCode.OK, 2) or turned_off != (grpc.StatusCode.UNAVAILABLE, 1):
        sys.exit("consumer: create_channel must retry UNAVAILABLE by default and not with service_config=None")


def check_licence() -> None:
    meta = metadata.metadata(DISTRIBUTION)
    licence_files = [f for f in metadata.files(DISTRIBUTION) or () if f.name == "LICENSE"]
    print(f"licence: {meta['License-Expression']}, {', '.join(str(f) for f in licence_files)}")
    if meta["License-Expression"] != "Apache-2.0" or meta.get_all("License-File") != ["LICENSE"]:
        sys.exit("consumer: the distribution's metadata does not name the Apache-2.0 licence and its file")
    if len(licence_files) != 1 or "Apache License" not in licence_files[0].read_text(encoding="utf-8"):
        sys.exit("consumer: the wheel does not carry the LICENSE file")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} GATEWAY_TARGET")
    print(f"consumer: {DISTRIBUTION} {metadata.version(DISTRIBUTION)} on Python {sys.version.split()[0]}")
    check_licence()
    check_retries()
    call_sync(sys.argv[1])
    asyncio.run(call_aio(sys.argv[1]))
    print("consumer: read ZOOM_WEBINAR_NOT_FOUND through the package, sync and grpc.aio")


if __name__ == "__main__":
    main()
