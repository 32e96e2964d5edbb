"""Channels preconfigured with the gateway's recommended service config.

The service config (client/service_config.json, packaged as
``zoom_livestream/service_config.json``) retries UpdateStatus on UNAVAILABLE
only (AIP-194), with exponential backoff. Deadlines stay per call:
``stub.UpdateStatus(request, timeout=10)``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Optional, Sequence, Tuple

import grpc

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
) -> grpc.Channel:
    """Opens a channel to the gateway at ``target`` ("host:port").

    Plaintext unless ``credentials`` is given (e.g. ``grpc.ssl_channel_credentials()``).
    """
    all_options = channel_options(service_config) + list(options)
    if credentials is None:
        return grpc.insecure_channel(target, options=all_options)
    return grpc.secure_channel(target, credentials, options=all_options)
