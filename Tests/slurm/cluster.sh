#!/usr/bin/env bash
# cluster.sh up|down DIR: a single-node Slurm cluster (munged, slurmctld, slurmd from Debian 12's
# packages, everything on 127.0.0.1) whose config, key, state, logs and pids all live under DIR.
# `up` installs the packages with apt-get when they are missing (root only), starts the daemons
# and waits until the node is idle; it exits 1 with the reason on stderr when it cannot.
# `down` cancels the jobs and stops each daemon it started, by the pid it recorded.
# Clients need SLURM_CONF=DIR/slurm.conf. Ports: FEDSIM_SLURM_PORT and the next one (16817, 16818).
set -euo pipefail
cmd=$1
W=$(cd "$2" && pwd)
PORT=${FEDSIM_SLURM_PORT:-16817}
export SLURM_CONF=$W/slurm.conf
NODE=$(hostname -s)
say() { echo "cluster: $*" >&2; }

# running NAME: the recorded pid still runs the program NAME.
running() { [ -s "$W/$1.pid" ] && [ "$(ps -o comm= -p "$(cat "$W/$1.pid")" 2>/dev/null)" = "$1" ]; }

up() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    [ "$(id -u)" = 0 ] || { say "Slurm is not installed and we are not root to install it"; exit 1; }
    say "installing slurmctld slurmd slurm-client munge with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null ||
      { say "apt-get could not install Slurm"; exit 1; }
  fi
  [ "$(id -u)" = 0 ] || { say "the daemons run as root (SlurmUser=root)"; exit 1; }
  for p in "$PORT" $((PORT + 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then say "port $p is in use (set FEDSIM_SLURM_PORT)"; exit 1; fi
  done
  # munged wants its socket folder reachable by all and its key readable by its owner only.
  chmod 0755 "$W"
  mkdir -p "$W/state" "$W/spool" "$W/log"
  install -d -m 0755 "$W/munge"
  mungekey -c -k "$W/munge.key" 2>/dev/null || dd if=/dev/urandom of="$W/munge.key" bs=1024 count=1 status=none
  chmod 0600 "$W/munge.key"
  # slurmd -C prints this machine's CPUs and memory; promise a little less memory than it sees.
  local hw cpus mem
  hw=$(slurmd -C | head -n 1)
  cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
  mem=$(( $(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw") * 9 / 10 ))
  cat >"$SLURM_CONF" <<EOF
ClusterName=fedsimtest
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$W/munge/socket
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.own.pid
SlurmdPidFile=$W/slurmd.own.pid
SlurmctldLogFile=$W/log/slurmctld.log
SlurmdLogFile=$W/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  start munged -F --key-file="$W/munge.key" --socket="$W/munge/socket" --pid-file="$W/munge/munged.pid" \
    --seed-file="$W/munge/seed" --log-file="$W/log/munged.log"
  for _ in $(seq 100); do [ -S "$W/munge/socket" ] && break; sleep 0.1; done
  [ -S "$W/munge/socket" ] || { say "munged did not start: $(tail -n 3 "$W/log/munged.stdout")"; down; exit 1; }
  start slurmctld -D -f "$SLURM_CONF"
  start slurmd -D -f "$SLURM_CONF"
  for _ in $(seq 300); do
    [ "$(sinfo -h -N -o %T 2>/dev/null | head -n 1)" = idle ] && { say "node $NODE idle ($cpus CPUs)"; return 0; }
    running slurmctld && running slurmd || break
    sleep 0.2
  done
  say "the node did not become idle: $(tail -n 3 "$W/log/slurmctld.stdout" "$W/log/slurmd.stdout" 2>/dev/null | tr '\n' ' ')"
  down
  exit 1
}

# start NAME ARGS...: in its own session, pid recorded in DIR/NAME.pid.
start() {
  local name=$1; shift
  setsid "$name" "$@" </dev/null >"$W/log/$name.stdout" 2>&1 &
  echo $! >"$W/$name.pid"
}

# stop NAME: TERM, up to 10 s, then KILL; only the recorded pid.
stop() {
  running "$1" || { rm -f "$W/$1.pid"; return 0; }
  local pid; pid=$(cat "$W/$1.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do running "$1" || break; sleep 0.1; done
  running "$1" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$W/$1.pid"
}

down() {
  if running slurmctld; then
    scancel --user=root 2>/dev/null || true
    for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  stop slurmd
  stop slurmctld
  stop munged
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down DIR" >&2; exit 64 ;;
esac
