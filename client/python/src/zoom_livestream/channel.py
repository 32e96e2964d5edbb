"""Channels preconfigured with the gateway's recommended service config,
optionally with TLS and a bearer token (see ``zoom_livestream.security``).

The service config (client/service_config.json, packaged as
``zoom_livestream/service_config.json``) retries every LiveStreamService
method on UNAVAILABLE only (AIP-194), with exponential backoff. Deadlines stay
per call: ``stub.UpdateStatus(request, timeout=10)``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Optional, Sequence, Tuple

import grpc

from zoom_livestream.security import BearerTokenInterceptor

_USE_DEFAULT = object()


def service_config_json() -> str:
    """The packaged service config, as JSON text."""
    return resources.files(__package__).joinpath("service_config.json").read_text(encoding="utf-8")


def channel_options(service_config=_USE_DEFAULT) -> list:
    """gRPC channel options that apply ``service_config``.

    ``service_config`` is JSON text, a dict, None (no service config) or, by
    default, the packaged one.
    """
    if service_config is _USE_DEFAULT:
        service_config = service_config_json()
    if service_config is None:
        return []
    if not isinstance(service_config, str):
        service_config = json.dumps(service_config)
    # Use this config rather than one a name resolver might publish, as the
    # other clients of this repository do. grpc.enable_retries is on by default
    # in current grpcio; set it anyway so the policy holds whatever the defaults.
    return [
        ("grpc.service_config", service_config),
        ("grpc.service_config_disable_resolution", 1),
        ("grpc.enable_retries", 1),
    ]


def create_channel(
    target: str,
    *,
    credentials: Optional[grpc.ChannelCredentials] = None,
    service_config=_USE_DEFAULT,
    options: Sequence[Tuple[str, object]] = (),
    bearer_token: Optional[str] = None,
    allow_insecure_bearer_token: bool = False,
) -> grpc.Channel:
    """Opens a channel to the gateway at ``target`` ("host:port").

    Plaintext unless ``credentials`` is given (``zl.tls_credentials(...)``,
    ``grpc.ssl_channel_credentials()``). ``bearer_token`` is sent as
    ``authorization: Bearer <token>`` with every call; on a plaintext channel
    only with ``allow_insecure_bearer_token=True`` (ValueError otherwise),
    since anyone on the path could read it.
    """
    all_options = channel_options(service_config) + list(options)
    if bearer_token is not None and not bearer_token:
        raise ValueError("bearer_token is empty")
    if credentials is None:
        channel = grpc.insecure_channel(target, options=all_options)
        if bearer_token is None:
            return channel
        if not allow_insecure_bearer_token:
            channel.close()
            raise ValueError(
                "a bearer token needs TLS (credentials=...); pass allow_insecure_bearer_token=True "
                "only for a plaintext hop that stays on this host"
            )
        return grpc.intercept_channel(channel, BearerTokenInterceptor(bearer_token))
    if bearer_token is not None:
        # gRPC's access-token call credentials send "authorization: Bearer <token>"
        # and are never sent over an insecure transport.
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(bearer_token)
        )
    return grpc.secure_channel(target, credentials, options=all_options)
