"""Generates Python stubs for Moat's protos with Debian's protoc, once per process.

The independent client uses nothing of the .NET build: Debian's protoc, grpc_python_plugin,
python3-grpcio and python3-protobuf. The google/rpc protos (for error details) come from the
Google.Api.CommonProtos NuGet package that the .NET build restores (NOTES.md).
"""
import glob
import os
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_OUT = None


def _google_rpc_root():
    home = os.environ.get("NUGET_PACKAGES") or os.path.expanduser("~/.nuget/packages")
    candidates = sorted(glob.glob(os.path.join(home, "google.api.commonprotos", "*", "content", "protos")))
    if not candidates:
        raise RuntimeError("google/rpc protos not found: restore the .NET solution first (Google.Api.CommonProtos)")
    return candidates[-1]


def ensure():
    """Compiles the protos into a temp dir on sys.path and returns it."""
    global _OUT
    if _OUT:
        return _OUT
    out = tempfile.mkdtemp(prefix="moat-py-stubs-")
    protos_root = os.path.join(REPO, "protos")
    health_root = os.path.join(os.path.dirname(__file__), "protos")
    rpc_root = _google_rpc_root()
    moat = [os.path.relpath(p, protos_root) for p in glob.glob(os.path.join(protos_root, "moat", "**", "*.proto"), recursive=True)]
    plugin = "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"
    common = ["/usr/bin/protoc", f"--python_out={out}", f"--grpc_python_out={out}", plugin]
    subprocess.run(common + [f"-I{protos_root}"] + moat, check=True)
    subprocess.run(common + [f"-I{health_root}", "grpc_health/v1/health.proto"], check=True)
    subprocess.run(common + [f"-I{rpc_root}", "google/rpc/status.proto", "google/rpc/error_details.proto"], check=True)
    # No __init__.py files: implicit namespace packages let the generated google/rpc modules sit
    # beside Debian's google.protobuf instead of shadowing it.
    sys.path.insert(0, out)
    _OUT = out
    return out
