"""Calls one LiveStreamService method and prints the outcome.

    python -m zoom_livestream.example --target 127.0.0.1:50051 --webinar-id 99289110036 --action start
    python -m zoom_livestream.example --call get --target 127.0.0.1:50051 --webinar-id 99289110036
    python -m zoom_livestream.example --call configure --target 127.0.0.1:50051 --webinar-id 99289110036 \\
        --page-url https://example.com/live --resolution 1080p
    python -m zoom_livestream.example --call batch --target 127.0.0.1:50051 --action start \\
        --webinar-id 99289110036 --webinar-id 12345678901 --meeting-id 85746065

``--call status`` (the default) is UpdateStatus and prints ``ok tracking_id=...``.
``get`` (GetLiveStream) and ``configure`` (UpdateLiveStream, whose update_mask
names the fields given) print the configuration, the stream key only as
redacted: it is a secret, which is why it is read from ``--stream-key-file``.
``batch`` (BatchUpdateStatus) runs the action on every ``--webinar-id`` and
``--meeting-id`` in the order given and prints one line per item. Exits 0 on
success; prints the decoded error details (ErrorInfo, BadRequest, ...) and exits
1 when the call or any batch item failed; bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence, TextIO

import grpc

import zoom_livestream as zl

_ACTIONS = {
    "start": zl.LIVE_STREAM_ACTION_START,
    "stop": zl.LIVE_STREAM_ACTION_STOP,
    "none": zl.LIVE_STREAM_ACTION_UNSPECIFIED,
}
_RESOLUTIONS = {"720p": zl.LIVE_STREAM_RESOLUTION_720P, "1080p": zl.LIVE_STREAM_RESOLUTION_1080P}
_RESOLUTION_NAMES = {value: name for name, value in _RESOLUTIONS.items()}
_CALLS = ("status", "get", "configure", "batch")


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zoom_livestream.example", description=__doc__.splitlines()[0])
    parser.add_argument("--call", choices=_CALLS, default="status", help="the method to call (default: status)")
    parser.add_argument("--target", default="127.0.0.1:50051", help="gateway address, host:port")
    parser.add_argument("--tls", action="store_true", help="use TLS with the system roots instead of plaintext")
    parser.add_argument("--tls-ca-file", help="PEM CA the gateway's certificate chains to (implies --tls)")
    parser.add_argument("--tls-cert-file", help="PEM client certificate for mTLS (with --tls-key-file)")
    parser.add_argument("--tls-key-file", help="PEM private key of --tls-cert-file")
    parser.add_argument("--bearer-token-file", help="file whose token is sent as 'authorization: Bearer' (needs TLS)")
    # One list in command-line order, so a batch's items keep it.
    parser.add_argument("--webinar-id", dest="targets", action="append", type=lambda v: ("webinar_id", v), metavar="ID",
                        help="Zoom webinar ID (repeatable with --call batch)")
    parser.add_argument("--meeting-id", dest="targets", action="append", type=lambda v: ("meeting_id", v), metavar="ID",
                        help="Zoom meeting ID (repeatable with --call batch)")
    parser.add_argument("--action", choices=sorted(_ACTIONS), default="start", help="status and batch")
    parser.add_argument("--display-name", help="live stream display name to set (status and batch)")
    parser.add_argument("--stream-url", help="configure: rtmp:// or rtmps:// ingest URL")
    parser.add_argument("--stream-key-file", metavar="FILE", help="configure: file holding the stream key")
    parser.add_argument("--page-url", help="configure: http(s) page viewers watch on")
    parser.add_argument("--resolution", choices=sorted(_RESOLUTIONS), help="configure")
    parser.add_argument("--validate-only", action="store_true", help="dry run: validate, send nothing to Zoom")
    parser.add_argument("--request-id", metavar="UUID", help="idempotency key of a status, configure or batch call")
    parser.add_argument("--deadline", type=float, default=10.0, help="deadline of the call, in seconds")
    parser.add_argument("--no-retry", action="store_true", help="do not apply the retry service config")
    args = parser.parse_args(argv)
    targets = args.targets or []
    if not targets or (args.call != "batch" and len(targets) != 1):
        parser.error("give one --webinar-id or --meeting-id (with --call batch: one or more)")
    if args.call == "get" and (args.validate_only or args.request_id):
        parser.error("GetLiveStream takes neither --validate-only nor --request-id")
    configure_fields = (args.stream_url, args.stream_key_file, args.page_url, args.resolution)
    if args.call == "configure" and not any(f is not None for f in configure_fields):
        parser.error("--call configure needs --stream-url, --stream-key-file, --page-url or --resolution")
    return args


def print_error(err: zl.RichError, out: TextIO) -> None:
    print(f"error: code={err.code.name} message={err.message!r}", file=out)
    if err.error_info is not None:
        print(
            f"  reason={err.reason} domain={err.domain} zoomCode={err.zoom_code!r} "
            f"httpStatus={err.http_status!r} trackingId={err.tracking_id!r}",
            file=out,
        )
    for violation in err.field_violations:
        print(f"  bad field {violation.field}: {violation.description}", file=out)
    if err.resource_info is not None:
        print(f"  resource {err.resource_info.resource_type} {err.resource_info.resource_name}", file=out)
    if err.precondition_failure is not None:
        for v in err.precondition_failure.violations:
            print(f"  precondition {v.type} {v.subject}: {v.description}", file=out)
    if err.retry_info is not None:
        print(f"  retry after {err.retry_info.retry_delay.ToTimedelta()}", file=out)


def format_live_stream(live_stream: zl.LiveStream) -> str:
    """The configuration on one line, with the stream key redacted."""
    key = "<redacted>" if live_stream.stream_key else "<empty>"
    resolution = _RESOLUTION_NAMES.get(live_stream.resolution, "unspecified")
    return (
        f"stream_url={live_stream.stream_url!r} stream_key={key} "
        f"page_url={live_stream.page_url!r} resolution={resolution}"
    )


def _status_request(args: argparse.Namespace, target) -> zl.UpdateStatusRequest:
    field, value = target
    request = zl.UpdateStatusRequest(action=_ACTIONS[args.action], **{field: value})
    if args.display_name is not None:
        request.settings.display_name = args.display_name
    return request


def _update_live_stream_request(args: argparse.Namespace) -> zl.UpdateLiveStreamRequest:
    field, value = args.targets[0]
    request = zl.UpdateLiveStreamRequest(
        validate_only=args.validate_only, request_id=args.request_id or "", **{field: value}
    )
    # The mask names exactly the fields given, so the server keeps the others
    # (reading the current configuration first: not atomic).
    if args.stream_url is not None:
        request.live_stream.stream_url = args.stream_url
        request.update_mask.paths.append("stream_url")
    if args.stream_key_file is not None:
        request.live_stream.stream_key = Path(args.stream_key_file).read_text(encoding="utf-8").rstrip("\r\n")
        request.update_mask.paths.append("stream_key")
    if args.page_url is not None:
        request.live_stream.page_url = args.page_url
        request.update_mask.paths.append("page_url")
    if args.resolution is not None:
        request.live_stream.resolution = _RESOLUTIONS[args.resolution]
        request.update_mask.paths.append("resolution")
    return request


def _call(stub: zl.LiveStreamServiceStub, args: argparse.Namespace, request) -> int:
    """Makes the call ``args.call`` names; returns the exit code."""
    if args.call == "status":
        response = stub.UpdateStatus(request, timeout=args.deadline)
        print(f"ok tracking_id={response.tracking_id!r}")
    elif args.call == "get":
        response = stub.GetLiveStream(request, timeout=args.deadline)
        print(f"ok {format_live_stream(response.live_stream)} tracking_id={response.tracking_id!r}")
    elif args.call == "configure":
        response = stub.UpdateLiveStream(request, timeout=args.deadline)
        print(f"ok {format_live_stream(response.live_stream)} tracking_id={response.tracking_id!r}")
    else:
        response = stub.BatchUpdateStatus(request, timeout=args.deadline)
        failed = 0
        for index, (item, result) in enumerate(zip(request.requests, response.results)):
            target = item.WhichOneof("target")
            print(f"item {index} {target}={getattr(item, target)}: ", end="")
            err = zl.batch_item_error(result)
            if err is None:
                print(f"ok tracking_id={result.response.tracking_id!r}")
            else:
                failed += 1
                print_error(err, sys.stdout)
        return 1 if failed else 0
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse(argv)
    try:
        if args.call == "status":
            request = _status_request(args, args.targets[0])
            request.validate_only = args.validate_only
            request.request_id = args.request_id or ""
        elif args.call == "get":
            field, value = args.targets[0]
            request = zl.GetLiveStreamRequest(**{field: value})
        elif args.call == "configure":
            request = _update_live_stream_request(args)
        else:
            request = zl.BatchUpdateStatusRequest(
                requests=[_status_request(args, target) for target in args.targets],
                validate_only=args.validate_only,
                request_id=args.request_id or "",
            )
        credentials = None
        if args.tls or args.tls_ca_file or args.tls_cert_file or args.tls_key_file:
            credentials = zl.tls_credentials(args.tls_ca_file, args.tls_cert_file, args.tls_key_file)
        token = zl.read_bearer_token_file(args.bearer_token_file) if args.bearer_token_file else None
        service_config = None if args.no_retry else zl.service_config_json()
        channel = zl.create_channel(
            args.target, credentials=credentials, service_config=service_config, bearer_token=token
        )
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with channel:
        try:
            return _call(zl.LiveStreamServiceStub(channel), args, request)
        except grpc.RpcError as rpc_error:
            print_error(zl.from_rpc_error(rpc_error), sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
