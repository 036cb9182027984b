#!/bin/bash
# What one ansible-playbook run and one module process cost in the sandbox (TCG), under the settings the fleet
# VM tests can choose (docs/fleet.md "What a playbook run costs in the sandbox"). Plays of `command: true`
# tasks (ansible_connection=local, gather_facts: false). Prints "RESULT key seconds rc=N" lines. Run:
#   mkdir -p /tmp/bench-ansible && node bin/jts-storage.js sandbox --drive 1GiB \
#     --timeout 1500 --out-dir /tmp/bench-ansible -- bash $PWD/scripts/bench-ansible-guest.sh /tmp/bench-ansible
set -u
OUT=$1
r() { echo "RESULT $1 $2"; }
export HOME=/tmp/ansible-home ANSIBLE_LOCAL_TEMP=/tmp/ansible-home/tmp ANSIBLE_REMOTE_TEMP=/tmp/ansible-home/tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_GATHERING=explicit
export ANSIBLE_INVENTORY_ENABLED=yaml ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_DEPRECATION_WARNINGS=0
mkdir -p $ANSIBLE_LOCAL_TEMP
cat > $OUT/inv.yml <<'INV'
all:
  vars: { ansible_connection: local }
  hosts: { h1: {}, h2: {} }
INV
play() { # N tasks
  echo "- hosts: all"; echo "  gather_facts: false"; echo "  tasks:"
  echo "    - { name: t0, ansible.builtin.debug: { msg: start } }"
  for i in $(seq 1 $1); do echo "    - { name: t$i, ansible.builtin.command: { argv: ['true'] }, changed_when: false }"; done
}
play 0 > $OUT/p0.yml; play 5 > $OUT/p5.yml
run() { # key env... -- args
  local key=$1; shift; local envs=(); while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  local t0=$(date +%s.%N)
  env "${envs[@]}" ansible-playbook -i $OUT/inv.yml "$@" > $OUT/$key.txt 2>&1; local rc=$?
  r $key "$(echo "$(date +%s.%N) - $t0" | bc) rc=$rc"
}
uptime
run startup_debug_only ANSIBLE_PIPELINING=1 -- $OUT/p0.yml --limit h1
run five_nopipe ANSIBLE_PIPELINING=0 -- $OUT/p5.yml --limit h1
run five_pipe ANSIBLE_PIPELINING=1 -- $OUT/p5.yml --limit h1
run five_pipe_stored ANSIBLE_PIPELINING=1 ANSIBLE_MODULE_COMPRESSION=ZIP_STORED -- $OUT/p5.yml --limit h1
run five_pipe_stored_2hosts_forks1 ANSIBLE_PIPELINING=1 ANSIBLE_MODULE_COMPRESSION=ZIP_STORED ANSIBLE_FORKS=1 -- $OUT/p5.yml
run five_pipe_stored_2hosts_forks5 ANSIBLE_PIPELINING=1 ANSIBLE_MODULE_COMPRESSION=ZIP_STORED ANSIBLE_FORKS=5 -- $OUT/p5.yml
run five_pipe_stored_2hosts_free ANSIBLE_PIPELINING=1 ANSIBLE_MODULE_COMPRESSION=ZIP_STORED ANSIBLE_STRATEGY=free -- $OUT/p5.yml
run five_pipe_stored_profile ANSIBLE_PIPELINING=1 ANSIBLE_MODULE_COMPRESSION=ZIP_STORED ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks -- $OUT/p5.yml --limit h1
grep -E '^t[0-9]' $OUT/five_pipe_stored_profile.txt | head -20
uptime
