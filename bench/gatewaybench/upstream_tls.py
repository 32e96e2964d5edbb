"""The HTTPS upstream's certificates, made at run time with the openssl CLI.

A throwaway CA and a server certificate it signed for 127.0.0.1, in the
run's work directory (deleted with it): no key is ever committed. nginx
serves the server certificate; the gateway (--zoom_ca_file) and the Go
reference (its --zoom_ca_file) trust the CA only, as a client of Zoom trusts
a public CA rather than Zoom's own certificate. ECDSA P-256 keys: quick to
make, and the handshake cost does not matter on kept-alive connections.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .processes import run_bounded

KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
SERVER_EXTENSIONS = ("basicConstraints=critical,CA:FALSE\n"
                     "keyUsage=critical,digitalSignature\n"
                     "extendedKeyUsage=serverAuth\n"
                     "subjectAltName=IP:127.0.0.1,DNS:localhost\n")


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    ca: Path  # what clients trust
    cert: Path  # nginx's certificate, signed by the CA
    key: Path  # its key

    @classmethod
    def under(cls, d: Path) -> "TlsFiles":
        return cls(ca=d / "ca.pem", cert=d / "server.pem", key=d / "server.key")


def commands(files: TlsFiles) -> list[list[str]]:
    """The openssl commands that make `files` (valid for two days)."""
    d = files.ca.parent
    return [
        ["openssl", "req", "-x509", *KEY, "-keyout", str(d / "ca.key"), "-out", str(files.ca),
         "-days", "2", "-subj", "/CN=gatewaybench test CA"],
        ["openssl", "req", *KEY, "-keyout", str(files.key), "-out", str(d / "server.csr"),
         "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", str(d / "server.csr"), "-CA", str(files.ca), "-CAkey",
         str(d / "ca.key"), "-CAcreateserial", "-out", str(files.cert), "-days", "2",
         "-extfile", str(d / "server.ext")],
    ]


def make(d: Path, log: Path) -> TlsFiles | None:
    """Makes the CA and the server certificate under `d`; None (openssl's
    output in `log`) if openssl failed."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "server.ext").write_text(SERVER_EXTENSIONS)
    files = TlsFiles.under(d)
    for cmd in commands(files):
        rc, _ = run_bounded(cmd, 60, out=log, err=log)
        if rc != 0:
            return None
    return files
