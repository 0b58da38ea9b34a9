"""Starts `./moat dev` in a temp state dir for the Python suite and stops it with SIGTERM."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _free_base_port(count=6):
    # Below the kernel's ephemeral range (32768+): an outgoing connection can take a port there between the check and the bind.
    for base in range(24000 + (os.getpid() % 100) * 60, 32700, count + 1):
        ok = True
        for port in range(base, base + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free port range")


class DevStack:
    def __init__(self):
        self.state_dir = tempfile.mkdtemp(prefix="moat-py-stack-")
        self.base_port = _free_base_port()
        self.log = open(os.path.join(self.state_dir, "moat-dev.out"), "w")
        self.process = None
        self.profile = None

    def start(self, timeout=180):
        self.process = subprocess.Popen(
            [os.path.join(REPO, "moat"), "dev", "--state-dir", self.state_dir, "--base-port", str(self.base_port)],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO)
        profile = os.path.join(self.state_dir, "profile.json")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("moat dev exited: " + open(self.log.name).read())
            if os.path.exists(profile) and "moat dev is up" in open(self.log.name).read():
                with open(profile) as f:
                    self.profile = json.load(f)
                return self
            time.sleep(0.2)
        raise TimeoutError("moat dev did not come up: " + open(self.log.name).read())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.state_dir, ignore_errors=True)
