"""Calls LiveStreamService.UpdateStatus once and prints the outcome.

    python -m zoom_livestream.example --target 127.0.0.1:50051 --webinar-id 99289110036 --action start

Prints ``ok tracking_id=...`` and exits 0, or prints the decoded error details
(ErrorInfo, BadRequest, ...) and exits 1; bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence, TextIO

import grpc

import zoom_livestream as zl

_ACTIONS = {
    "start": zl.LIVE_STREAM_ACTION_START,
    "stop": zl.LIVE_STREAM_ACTION_STOP,
    "none": zl.LIVE_STREAM_ACTION_UNSPECIFIED,
}


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m zoom_livestream.example", description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="gateway address, host:port")
    parser.add_argument("--tls", action="store_true", help="use TLS with the system roots instead of plaintext")
    parser.add_argument("--tls-ca-file", help="PEM CA the gateway's certificate chains to (implies --tls)")
    parser.add_argument("--tls-cert-file", help="PEM client certificate for mTLS (with --tls-key-file)")
    parser.add_argument("--tls-key-file", help="PEM private key of --tls-cert-file")
    parser.add_argument("--bearer-token-file", help="file whose token is sent as 'authorization: Bearer' (needs TLS)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--webinar-id", help="Zoom webinar ID")
    target.add_argument("--meeting-id", help="Zoom meeting ID")
    parser.add_argument("--action", choices=sorted(_ACTIONS), default="start")
    parser.add_argument("--display-name", help="live stream display name to set")
    parser.add_argument("--deadline", type=float, default=10.0, help="deadline of the call, in seconds")
    parser.add_argument("--no-retry", action="store_true", help="do not apply the retry service config")
    return parser.parse_args(argv)


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


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse(argv)
    request = zl.UpdateStatusRequest(action=_ACTIONS[args.action])
    if args.webinar_id is not None:
        request.webinar_id = args.webinar_id
    else:
        request.meeting_id = args.meeting_id
    if args.display_name is not None:
        request.settings.display_name = args.display_name

    try:
        credentials = None
        if args.tls or args.tls_ca_file or args.tls_cert_file or args.tls_key_file:
            credentials = zl.tls_credentials(args.tls_ca_file, args.tls_cert_file, args.tls_key_file)
        token = zl.read_bearer_token_file(args.bearer_token_file) if args.bearer_token_file else None
        service_config = None if args.no_retry else zl.service_config_json()
        channel = zl.create_channel(
            args.target, credentials=credentials, service_config=service_config, bearer_token=token
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with channel:
        stub = zl.LiveStreamServiceStub(channel)
        try:
            response = stub.UpdateStatus(request, timeout=args.deadline)
        except grpc.RpcError as rpc_error:
            print_error(zl.from_rpc_error(rpc_error), sys.stderr)
            return 1
    print(f"ok tracking_id={response.tracking_id!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
