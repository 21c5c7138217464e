#!/usr/bin/env bash
# Install a single-node SLURM (Debian 12: slurm-wlm 22.05) and MUNGE for tests/test_slurm.py.
# Idempotent: does nothing when slurmctld, slurmd, munged and sbatch are already on PATH.
# Only installs packages; no daemon is started or enabled here (the test starts its own,
# with all state in a temporary folder, and stops them by PID file).
set -euo pipefail

have_all() {
    for tool in slurmctld slurmd munged sbatch squeue sinfo scontrol; do
        command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null 2>&1 || return 1
    done
}

if have_all; then
    echo "slurm_install: SLURM and MUNGE already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: forbid the packages' maintainer scripts from starting daemons
# (there is no systemd here; the test runs its own daemons).
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    CREATED_POLICY=1
fi
cleanup() {
    if [ "$CREATED_POLICY" -eq 1 ]; then
        $SUDO rm -f "$POLICY"
    fi
}
trap cleanup EXIT

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null

if have_all; then
    echo "slurm_install: installed $(PATH="$PATH:/usr/sbin" slurmctld -V 2>/dev/null || echo slurm), munge"
else
    echo "slurm_install: SLURM or MUNGE tools missing after apt-get install" >&2
    exit 1
fi
