"""TLS, mTLS and bearer tokens against the real server (the secure stack of
scripts/test-clients.sh), plus the local checks that need no server."""

from __future__ import annotations

import grpc
import pytest

import zoom_livestream as zl

KNOWN_WEBINAR = "99289110036"
TIMEOUT_S = 10


def _start(channel):
    return zl.LiveStreamServiceStub(channel).UpdateStatus(
        zl.UpdateStatusRequest(webinar_id=KNOWN_WEBINAR, action=zl.LIVE_STREAM_ACTION_START), timeout=TIMEOUT_S
    )


def _code_of(channel):
    with pytest.raises(grpc.RpcError) as raised:
        _start(channel)
    return raised.value


def test_tls_with_allowed_token_succeeds(secure_stack):
    creds = zl.tls_credentials(ca_file=secure_stack.file("ca.crt"))
    with zl.create_channel(secure_stack.tls_target, credentials=creds, bearer_token=secure_stack.token("allowed")) as ch:
        assert _start(ch).tracking_id


def test_tls_without_token_is_unauthenticated(secure_stack):
    creds = zl.tls_credentials(ca_file=secure_stack.file("ca.crt"))
    with zl.create_channel(secure_stack.tls_target, credentials=creds) as ch:
        error = _code_of(ch)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED, error
    assert zl.from_rpc_error(error).reason == "UNAUTHENTICATED"


def test_tls_with_other_token_is_permission_denied(secure_stack):
    creds = zl.tls_credentials(ca_file=secure_stack.file("ca.crt"))
    with zl.create_channel(secure_stack.tls_target, credentials=creds, bearer_token=secure_stack.token("denied")) as ch:
        error = _code_of(ch)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, error
    assert zl.from_rpc_error(error).metadata["principal"] == "denied-app"


def test_tls_with_untrusted_ca_fails_handshake(secure_stack):
    creds = zl.tls_credentials(ca_file=secure_stack.file("other-ca.crt"))
    token = secure_stack.token("allowed")
    with zl.create_channel(secure_stack.tls_target, credentials=creds, bearer_token=token, service_config=None) as ch:
        error = _code_of(ch)
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error
    assert token not in str(error)


def test_mtls_with_client_certificate_succeeds(secure_stack):
    creds = zl.tls_credentials(
        ca_file=secure_stack.file("ca.crt"),
        cert_file=secure_stack.file("client.crt"),
        key_file=secure_stack.file("client.key"),
    )
    with zl.create_channel(secure_stack.mtls_target, credentials=creds) as ch:
        assert _start(ch).tracking_id  # the policy allows the certificate's CN "caller"


def test_mtls_bearer_token_wins_over_certificate(secure_stack):
    creds = zl.tls_credentials(
        ca_file=secure_stack.file("ca.crt"),
        cert_file=secure_stack.file("client.crt"),
        key_file=secure_stack.file("client.key"),
    )
    with zl.create_channel(secure_stack.mtls_target, credentials=creds, bearer_token=secure_stack.token("denied")) as ch:
        error = _code_of(ch)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, error


def test_mtls_without_client_certificate_fails_handshake(secure_stack):
    creds = zl.tls_credentials(ca_file=secure_stack.file("ca.crt"))
    with zl.create_channel(secure_stack.mtls_target, credentials=creds, service_config=None) as ch:
        error = _code_of(ch)
    assert error.code() == grpc.StatusCode.UNAVAILABLE, error


def test_example_with_tls_flags_and_token(secure_stack, capsys):
    from zoom_livestream import example

    args = ["--target", secure_stack.tls_target, "--webinar-id", KNOWN_WEBINAR, "--action", "start",
            "--tls-ca-file", str(secure_stack.file("ca.crt"))]
    assert example.main(args + ["--bearer-token-file", str(secure_stack.file("allowed.token"))]) == 0
    assert example.main(args + ["--bearer-token-file", str(secure_stack.file("denied.token"))]) == 1
    out = capsys.readouterr()
    assert "reason=PERMISSION_DENIED" in out.err
    assert secure_stack.token("denied") not in out.out + out.err


def test_bearer_token_on_plaintext_is_refused():
    with pytest.raises(ValueError, match="needs TLS"):
        zl.create_channel("127.0.0.1:1", bearer_token="secret-token")


def test_bearer_token_on_plaintext_when_allowed_is_sent(secure_stack):
    token = secure_stack.token("allowed")
    with zl.create_channel(secure_stack.plaintext_target, bearer_token=token, allow_insecure_bearer_token=True) as ch:
        assert _start(ch).tracking_id
    with zl.create_channel(secure_stack.plaintext_target) as ch:
        assert _code_of(ch).code() == grpc.StatusCode.UNAUTHENTICATED


def test_interceptor_repr_hides_token():
    assert "secret-token" not in repr(zl.BearerTokenInterceptor("secret-token"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param({"ca_file": "/nonexistent/ca.crt"}, "CA file '/nonexistent/ca.crt'", id="missing CA"),
        pytest.param({"cert_file": "client.crt"}, "go together", id="certificate without key"),
    ],
)
def test_tls_credentials_refuses_bad_files(kwargs, message):
    with pytest.raises(ValueError, match=message):
        zl.tls_credentials(**kwargs)


def test_read_bearer_token_file_refuses_empty(tmp_path):
    (tmp_path / "token").write_text("  \n")
    with pytest.raises(ValueError, match="empty"):
        zl.read_bearer_token_file(tmp_path / "token")
    (tmp_path / "token").write_text("abc\n")
    assert zl.read_bearer_token_file(tmp_path / "token") == "abc"
