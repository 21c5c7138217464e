"""A throw-away single-node SLURM cluster (munged + slurmctld + slurmd) for the live test.

Everything lives in one temporary folder: slurm.conf, the MUNGE key and socket, SLURM
state and spool, logs and PID files. Nothing under /etc is written or read except what
``apt-get install slurm-wlm munge`` put there (the binaries' default plugin paths).
Client commands and daemons find the cluster through ``SLURM_CONF``; see ``env()``.

Daemons run in the foreground as children of the test (``munged -F``, ``slurmctld -D``,
``slurmd -D``), each with a PID file in ``<root>/pids``. ``stop()`` cancels the
cluster's jobs, then stops the daemons by those PID files only (SIGTERM, then SIGKILL
after a grace period), never by process name. Every process of the cluster (daemons,
slurmstepd, the jobs) carries ``MARKER_VAR=<root>`` in its environment, so
``leftover_processes()`` can prove that nothing survived.

Verified with Debian 12's SLURM 22.05 and MUNGE 0.5.15, as root, without systemd or
cgroups: ``ProctrackType=proctrack/linuxproc``, ``TaskPlugin=task/none``,
``AccountingStorageType=accounting_storage/none`` (hence no ``sacct``/``sacctmgr``; use
``squeue`` for job status).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MARKER_VAR = "SNAKEMAKE_TEST_SLURM_CLUSTER"
SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/sbin")
DAEMONS = ("munged", "slurmctld", "slurmd")  # start order; stopped in reverse


def find_tool(name: str) -> str | None:
    """Path of a SLURM/MUNGE executable, also looking in sbin folders that may not be on PATH."""
    found = shutil.which(name)
    if found:
        return found
    for folder in SBIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _machine_memory_mb() -> int:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("MemTotal missing from /proc/meminfo")


def _hardware_topology() -> str:
    """``Boards=.. SocketsPerBoard=.. CoresPerSocket=.. ThreadsPerCore=..`` as ``slurmd -C`` sees it."""
    try:
        out = subprocess.run([find_tool("slurmd"), "-C"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    fields = dict(item.split("=", 1) for item in out.split() if "=" in item)
    keys = ("Boards", "SocketsPerBoard", "CoresPerSocket", "ThreadsPerCore")
    return " ".join(f"{key}={fields[key]}" for key in keys if key in fields)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes (it only waits to be reaped).
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class SlurmCluster:
    """One node (this machine, ``CPUs`` = all cores) in one default partition ``debug``."""

    partition = "debug"

    def __init__(self, root: Path | None = None, *, cpus: int | None = None, memory_mb: int | None = None):
        for tool in ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "scancel"):
            if find_tool(tool) is None:
                raise RuntimeError(f"{tool} not found; run .ci/slurm_install.sh")
        # munged refuses a socket in a folder that is not world-executable, and a Unix
        # socket path must stay under ~100 bytes: a short folder directly in the temp dir.
        self.root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="slurm-test-"))
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.node = socket.gethostname().split(".")[0]
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.cpus = cpus or len(os.sched_getaffinity(0))
        # Declare the real topology when it matches (else slurmd warns that the node
        # configuration differs from the hardware; config_overrides accepts either).
        topology = _hardware_topology() if cpus is None else ""
        self.topology = topology if topology and self._cpus_of(topology) == self.cpus else ""
        # 90% of the machine; memory is a consumable (CR_Core_Memory) but not enforced
        # (no cgroups), so this only decides which --mem requests the node accepts.
        self.memory_mb = memory_mb or int(_machine_memory_mb() * 0.9)
        self.conf = self.root / "etc" / "slurm.conf"
        self.munge_dir = self.root / "munge"
        self.munge_socket = self.munge_dir / "munge.socket"
        self.munge_key = self.munge_dir / "munge.key"
        self.state_dir = self.root / "state"
        self.spool_dir = self.root / "spool"
        self.log_dir = self.root / "log"
        self.pid_dir = self.root / "pids"
        self.bin_dir = self.root / "bin"
        self._popen: dict[str, subprocess.Popen] = {}
        self.started = False

    @staticmethod
    def _cpus_of(topology: str) -> int:
        fields = dict(item.split("=", 1) for item in topology.split())
        n = 1
        for key in ("Boards", "SocketsPerBoard", "CoresPerSocket", "ThreadsPerCore"):
            n *= int(fields.get(key, 1))
        return n

    # --- configuration -----------------------------------------------------------
    def env(self, base: dict | None = None) -> dict:
        """Environment for every SLURM command, daemon and Snakemake run against this cluster."""
        env = dict(os.environ if base is None else base)
        env["SLURM_CONF"] = str(self.conf)
        env[MARKER_VAR] = str(self.root)
        # The srun shim first (see write_srun_shim), sbin for the daemons.
        path = [str(self.bin_dir), *env.get("PATH", "").split(os.pathsep)]
        path += [d for d in SBIN_DIRS if d not in path]
        env["PATH"] = os.pathsep.join(p for p in path if p)
        return env

    def write_config(self) -> None:
        for folder in (self.conf.parent, self.state_dir, self.spool_dir, self.log_dir, self.pid_dir, self.bin_dir):
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o755)
        (self.conf.parent / "plugstack.conf").write_text("")
        self.ctld_port, self.slurmd_port = _free_port(), _free_port()
        while self.slurmd_port == self.ctld_port:
            self.slurmd_port = _free_port()
        lines = {
            "ClusterName": "snakemaketest",
            "SlurmctldHost": f"{self.node}(127.0.0.1)",
            "SlurmctldPort": self.ctld_port,
            "SlurmdPort": self.slurmd_port,
            # root in CI (slurmd runs jobs as their submitter); tested only as root.
            "SlurmUser": self.user,
            "SlurmdUser": self.user,
            "AuthType": "auth/munge",
            "CredType": "cred/munge",
            "AuthInfo": f"socket={self.munge_socket}",
            "StateSaveLocation": self.state_dir,
            "SlurmdSpoolDir": self.spool_dir / "slurmd.%n",
            "SlurmctldPidFile": self.pid_dir / "slurmctld.daemon.pid",
            "SlurmdPidFile": self.pid_dir / "slurmd.daemon.pid",
            "SlurmctldLogFile": self.log_dir / "slurmctld.log",
            "SlurmdLogFile": self.log_dir / "slurmd.log",
            "SlurmctldDebug": "info",
            "SlurmdDebug": "info",
            "PlugStackConfig": self.conf.parent / "plugstack.conf",
            # No systemd, no cgroups: plain Linux process tracking, no task binding.
            "ProctrackType": "proctrack/linuxproc",
            "TaskPlugin": "task/none",
            "JobAcctGatherType": "jobacct_gather/none",
            "AccountingStorageType": "accounting_storage/none",
            "JobCompType": "jobcomp/none",
            "MpiDefault": "none",
            "SwitchType": "switch/none",
            "SchedulerType": "sched/backfill",
            "SelectType": "select/cons_tres",
            "SelectTypeParameters": "CR_Core_Memory",
            "SlurmdParameters": "config_overrides",
            "ReturnToService": 2,
            # Finished jobs stay visible to `squeue --states=all` for an hour: the plugin's
            # squeue status check relies on it (it needs >= 3 x the first check delay),
            # and the test reads every job's final state from it.
            "MinJobAge": 3600,
            "KillWait": 5,
            "InactiveLimit": 0,
            "SlurmctldTimeout": 30,
            "SlurmdTimeout": 60,
            "MessageTimeout": 20,
            "Waittime": 0,
        }
        text = "".join(f"{key}={value}\n" for key, value in lines.items())
        text += (
            f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} {self.topology} "
            f"RealMemory={self.memory_mb} State=UNKNOWN\n"
            f"PartitionName={self.partition} Nodes={self.node} Default=YES "
            f"MaxTime=INFINITE State=UP\n"
        )
        self.conf.write_text(text)

    def write_srun_shim(self) -> None:
        """``srun`` that restores SLURM_CONF.

        Inside each job, snakemake-executor-plugin-slurm-jobstep starts the rule with
        ``srun`` after removing every ``SLURM_*`` variable but the job's identity, which
        drops SLURM_CONF; a real cluster's srun then reads /etc/slurm/slurm.conf. This
        cluster has no config there, so the shim (first on the jobs' PATH, which sbatch
        exports) puts SLURM_CONF back.
        """
        srun = find_tool("srun")
        shim = self.bin_dir / "srun"
        shim.write_text(f'#!/bin/sh\nSLURM_CONF="{self.conf}"\nexport SLURM_CONF\nexec "{srun}" "$@"\n')
        shim.chmod(0o755)

    def write_munge_key(self) -> None:
        self.munge_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.munge_dir, 0o755)  # munged requires a world-executable socket folder
        if self.munge_key.exists():
            self.munge_key.chmod(0o600)
        self.munge_key.write_bytes(os.urandom(1024))
        self.munge_key.chmod(0o400)

    # --- processes ---------------------------------------------------------------
    def pid_file(self, daemon: str) -> Path:
        return self.pid_dir / f"{daemon}.pid"

    def _spawn(self, daemon: str, args: list[str]) -> None:
        log = open(self.log_dir / f"{daemon}.out", "ab")
        try:
            process = subprocess.Popen(
                [find_tool(daemon), *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env(),
                cwd=self.root,
                start_new_session=True,  # a Ctrl-C in pytest reaches the finalizer, not the daemons
            )
        finally:
            log.close()
        self._popen[daemon] = process
        self.pid_file(daemon).write_text(f"{process.pid}\n")

    def run(self, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
        """A SLURM client command against this cluster."""
        result = subprocess.run(
            [find_tool(args[0]), *args[1:]], capture_output=True, text=True, env=self.env(), timeout=timeout
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}\n{self.logs()}")
        return result

    def _wait(self, what: str, ready, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for daemon, process in self._popen.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{daemon} exited ({process.returncode}) while waiting for {what}\n{self.logs()}")
            try:
                if ready():
                    return
            except (subprocess.SubprocessError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}\n{self.logs()}")

    def node_state(self) -> str:
        out = self.run("sinfo", "--noheader", "--Node", "--format=%T", check=False, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else ""

    def start(self, timeout: float = 60) -> None:
        self.write_config()
        self.write_srun_shim()
        self.write_munge_key()
        self.started = True
        munge = self.munge_dir
        self._spawn(
            "munged",
            [
                "--foreground", "--force", f"--socket={self.munge_socket}", f"--key-file={self.munge_key}",
                f"--pid-file={munge / 'munged.daemon.pid'}", f"--log-file={self.log_dir / 'munged.log'}",
                f"--seed-file={munge / 'munged.seed'}",
            ],
        )
        self._wait("the MUNGE socket", self.munge_socket.exists, timeout)
        self._spawn("slurmctld", ["-D", "-c", "-f", str(self.conf)])  # -c: fresh state
        self._wait("slurmctld", lambda: self.run("scontrol", "ping", check=False, timeout=10).returncode == 0, timeout)
        self._spawn("slurmd", ["-D", "-f", str(self.conf), "-N", self.node])

        def idle() -> bool:
            state = self.node_state()
            if state.startswith(("drain", "invalid", "down", "fail")) and not state.startswith("down*"):
                reason = self.run("sinfo", "--list-reasons", check=False).stdout
                raise RuntimeError(f"node {self.node} is {state}: {reason}\n{self.logs()}")
            return state == "idle"

        self._wait(f"node {self.node} to be idle in sinfo", idle, timeout)

    def cancel_all_jobs(self, timeout: float = 30) -> None:
        """scancel every job of this (private) cluster and wait until the queue is empty."""
        if not self._alive("slurmctld"):
            return
        self.run("scancel", "--full", f"--partition={self.partition}", check=False)

        def empty() -> bool:
            out = self.run("squeue", "--noheader", "--format=%i %T", check=False, timeout=10)
            active = [line for line in out.stdout.splitlines() if line.split()[-1] not in ("COMPLETED", "CANCELLED", "FAILED", "TIMEOUT")]
            return out.returncode == 0 and not active

        try:
            self._wait("running jobs to end", empty, timeout)
        except RuntimeError:
            pass

    def _read_pid(self, daemon: str) -> int | None:
        try:
            return int(self.pid_file(daemon).read_text().strip())
        except (OSError, ValueError):
            return None

    def _alive(self, daemon: str) -> bool:
        pid = self._read_pid(daemon)
        return pid is not None and _pid_alive(pid) and daemon in _cmdline(pid)

    def stop_daemon(self, daemon: str, grace: float = 15) -> None:
        pid = self._read_pid(daemon)
        if pid is None:
            return
        # Guard against PID reuse: only signal the PID if it still runs our daemon binary.
        if _pid_alive(pid) and daemon in _cmdline(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + 5
                while _pid_alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.1)
        process = self._popen.pop(daemon, None)
        if process is not None and process.pid == pid:
            try:
                process.wait(timeout=5)  # reap: no zombie left behind
            except subprocess.TimeoutExpired:
                pass

    def stop(self) -> None:
        """Cancel jobs, then stop slurmd, slurmctld and munged by their PID files."""
        if not self.started:
            return
        try:
            self.cancel_all_jobs()
        finally:
            for daemon in reversed(DAEMONS):
                self.stop_daemon(daemon)

    def daemons_alive(self) -> dict[str, int]:
        """PID-file daemons still running: {name: pid}."""
        alive = {}
        for daemon in DAEMONS:
            pid = self._read_pid(daemon)
            if pid is not None and _pid_alive(pid):
                alive[daemon] = pid
        return alive

    def leftover_processes(self) -> dict[int, str]:
        """Every live process carrying this cluster's marker (daemons, slurmstepd, jobs): {pid: cmdline}."""
        marker = f"{MARKER_VAR}={self.root}".encode()
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            pid = int(entry)
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read().split(b"\0")
            except OSError:
                continue
            if marker in environ and _pid_alive(pid):
                found[pid] = _cmdline(pid)
        return found

    def logs(self, tail: int = 40) -> str:
        parts = []
        for log in sorted(self.log_dir.glob("*")) if self.log_dir.exists() else []:
            lines = log.read_text(errors="replace").splitlines()[-tail:]
            parts.append(f"--- {log} ---\n" + "\n".join(lines))
        return "\n".join(parts)

    def remove(self) -> None:
        """Delete the cluster folder (only once nothing of the cluster runs)."""
        if not self.daemons_alive() and not self.leftover_processes():
            shutil.rmtree(self.root, ignore_errors=True)
