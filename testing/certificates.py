"""A self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI for TLS tests."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path


def make_self_signed(directory: Path) -> tuple[Path, Path]:
    """Write cert.pem and key.pem into `directory` and return their paths.

    The certificate names both `localhost` and the IP `127.0.0.1`, so a client that verifies
    host names (as refund-intake must) accepts it once it trusts the file as its CA. An EC key
    keeps generation to a few milliseconds.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl not found: run scripts/install-test-deps.sh (as root)")
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = [
        openssl, "req", "-x509", "-nodes", "-days", "30",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-keyout", str(key), "-out", str(cert),
        "-subj", "/CN=refund-intake test server",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
        "-addext", "extendedKeyUsage=serverAuth",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openssl could not make a test certificate: {result.stderr.strip()}")
    key.chmod(0o600)
    return cert, key


def client_context(cafile: Path) -> ssl.SSLContext:
    """A verifying client context that trusts only `cafile` (host names are still checked)."""
    return ssl.create_default_context(cafile=str(cafile))
