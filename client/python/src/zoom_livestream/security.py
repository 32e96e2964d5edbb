"""TLS channel credentials and bearer tokens for the gateway.

    creds = zl.tls_credentials(ca_file="ca.crt", cert_file="client.crt", key_file="client.key")
    with zl.create_channel("gateway:50051", credentials=creds,
                           bearer_token=zl.read_bearer_token_file("token")) as channel:
        ...

The token travels as ``authorization: Bearer <token>`` metadata on every
call, through gRPC's access-token call credentials, which gRPC sends only
over TLS. ``create_channel`` refuses a token on a plaintext channel unless
``allow_insecure_bearer_token=True`` (for a sidecar on loopback that
terminates TLS); the token is then added by an interceptor.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Optional, Union

import grpc

PathLike = Union[str, Path]


def _read(path: Optional[PathLike], what: str) -> Optional[bytes]:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {what} {str(path)!r}: {error.strerror}") from None


def tls_credentials(
    ca_file: Optional[PathLike] = None,
    cert_file: Optional[PathLike] = None,
    key_file: Optional[PathLike] = None,
) -> grpc.ChannelCredentials:
    """TLS credentials: trust ``ca_file`` (PEM; None: gRPC's default roots) and,
    for mTLS, present ``cert_file`` with its ``key_file``.

    Reads the files at once; an unreadable one raises ValueError naming it.
    """
    if (cert_file is None) != (key_file is None):
        raise ValueError("cert_file and key_file go together (mTLS)")
    return grpc.ssl_channel_credentials(
        root_certificates=_read(ca_file, "CA file"),
        private_key=_read(key_file, "key file"),
        certificate_chain=_read(cert_file, "certificate file"),
    )


def read_bearer_token_file(path: PathLike) -> str:
    """The token in ``path``, without surrounding whitespace; ValueError if unreadable or empty."""
    token = _read(path, "bearer token file").decode("utf-8").strip()
    if not token:
        raise ValueError(f"bearer token file {str(path)!r} is empty")
    return token


class _ClientCallDetails(
    collections.namedtuple(
        "_ClientCallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


class BearerTokenInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Adds ``authorization: Bearer <token>`` to every unary call, whatever the
    channel's security: use it only where plaintext is safe (loopback)."""

    def __init__(self, token: str):
        self._metadata = ("authorization", f"Bearer {token}")

    def __repr__(self) -> str:  # never show the token
        return "BearerTokenInterceptor(<redacted>)"

    def intercept_unary_unary(self, continuation, client_call_details, request):
        details = _ClientCallDetails(
            client_call_details.method,
            client_call_details.timeout,
            list(client_call_details.metadata or ()) + [self._metadata],
            client_call_details.credentials,
            client_call_details.wait_for_ready,
            client_call_details.compression,
        )
        return continuation(details, request)
