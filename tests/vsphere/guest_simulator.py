"""A simulator of its own for the guest-operation tests, with the VMware Tools double on.

The double (tests/infra/vcsim/guest.go) stands in for VMware Tools: each VM's "guest" is
a private directory on this machine where commands run with /bin/sh. It does NOT model
isolation (commands run as the test user on the real file system), guest users and file
owners, Windows guests (PowerShell/batch), or Tools' own delays and limits. What it does
model is what the actions rely on: per-VM credentials, exit codes and start/end times,
terminate, temporary files, transfers over the simulator's HTTP endpoint, and vSphere's
faults (InvalidGuestLogin, GuestOperationsUnavailable, GuestComponentsOutOfDate).
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
LOGIN = {"User": "root", "Password": "s3cr3t-guest-pw"}
# VMs answering with a fault, and one whose guest accepts another password.
TOOLS_NOT_RUNNING = "DC0_H0_VM11"
TOOLS_TOO_OLD = "DC0_H0_VM10"
OPS_DISABLED = "DC0_C0_RP0_VM11"
OTHER_LOGIN = "DC0_C0_RP0_VM10"


class GuestSimulator:
    """24 VMs (DC0_H0_VM0..11, DC0_C0_RP0_VM0..11); the VMs above are configured to fail."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.guest_root = state_dir / "guests"
        flags = ["-vm", "12", "-guest-root", str(self.guest_root),
                 "-guest-login", f"{LOGIN['User']}:{LOGIN['Password']}",
                 "-guest-vm", f"{TOOLS_NOT_RUNNING}=fault:tools-not-running",
                 "-guest-vm", f"{TOOLS_TOO_OLD}=fault:tools-too-old",
                 "-guest-vm", f"{OPS_DISABLED}=fault:guest-ops-disabled",
                 "-guest-vm", f"{OTHER_LOGIN}=login:admin:another-password"]
        self.guest_root.mkdir(parents=True, exist_ok=True)
        out = self._script("start", *flags)
        url = next(line.split("=", 1)[1] for line in out.splitlines() if line.startswith("VCSIM_URL="))
        parts = urlsplit(url)
        self.address = {"host": parts.hostname, "port": parts.port, "user": parts.username,
                        "password": parts.password, "protocol": parts.scheme}

    def _script(self, *args: str) -> str:
        env = {**os.environ, "STATE_DIR": str(self.state_dir)}
        return subprocess.run(["bash", str(ROOT / "tests/infra/vcsim.sh"), *args], env=env, check=True,
                              capture_output=True, text=True, timeout=600).stdout

    def stop(self) -> None:
        self._script("stop")

    def guest_dir(self, vm_name: str) -> Path:
        """The VM's private directory (its guest's working directory)."""
        path = self.guest_root / vm_name
        path.mkdir(parents=True, exist_ok=True)
        return path
