# Functions shared by the live system's scripts (/init, kura-console, kura-run). Sourced by
# busybox sh; only busybox applets and the programs build-iso puts in the ISO are used.

LIVE_LOG=/var/log/kura/init.log
# Tests stand in their own kernel command line (kura-menu reads the same variable).
CMDLINE_FILE=${KURA_CMDLINE_FILE:-/proc/cmdline}
INITTAB=${KURA_INITTAB:-/etc/inittab}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# To the log kept in RAM, to the kernel log (so it is also in boot-dmesg.log and on a serial
# console with loglevel high enough) and to the console the operator is looking at.
log() {
  echo "kura: $*" >> "$LIVE_LOG"
  echo "kura: $*" > /dev/kmsg 2>/dev/null
  echo "kura: $*"
}

log_stream() { while IFS= read -r line; do log "$line"; done; }

# The value of NAME=VALUE on the kernel command line, double quotes removed, the last one
# winning as in the kernel; nothing when absent. VALUE may hold spaces inside quotes
# (kura.run="savedisk ...").
kernel_param() {
  awk -v name="$1" '{
    s = $0
    while (length(s) > 0) {
      sub(/^[ \t\n]+/, "", s)
      if (s == "") break
      w = ""; quoted = 0
      while (length(s) > 0) {
        c = substr(s, 1, 1); s = substr(s, 2)
        if (c == "\"") { quoted = !quoted; continue }
        if (!quoted && (c == " " || c == "\t" || c == "\n")) break
        w = w c
      }
      if (index(w, name "=") == 1) { value = substr(w, length(name) + 2); found = 1 }
    }
  } END { if (found) print value }' "$CMDLINE_FILE"
}

# A bare flag (kura.dd) or one with a true value (kura.dd=1).
has_flag() {
  for word in $(cat "$CMDLINE_FILE"); do
    case "$word" in
      "$1"|"$1=1"|"$1=yes"|"$1=on") return 0 ;;
    esac
  done
  return 1
}

# The console the kernel made /dev/console: the last console= parameter, tty1 when none
# names one (tty0 means the foreground virtual console, which is tty1 at boot).
primary_console() {
  con=tty1
  for word in $(cat "$CMDLINE_FILE"); do
    case "$word" in console=*) con=${word#console=}; con=${con%%,*} ;; esac
  done
  [ "$con" = tty0 ] && con=tty1
  echo "$con"
}

# Every serial line named by a console= parameter (ttyS0, ttyS1, ...).
serial_consoles() {
  for word in $(cat "$CMDLINE_FILE"); do
    case "$word" in console=ttyS*) c=${word#console=}; echo "${c%%,*}" ;; esac
  done | sort -u
}

is_network_location() {
  case "$1" in nfs://*|nfs4://*|smb://*) return 0 ;; esac
  return 1
}

# The repository an unattended kura.run command uses: its own --repo, else kura.repo=.
run_repo_of() {
  set -f
  # shellcheck disable=SC2086
  set -- $1
  set +f
  while [ $# -gt 0 ]; do
    case "$1" in
      --repo|-r) echo "$2"; return ;;
      --repo=*) echo "${1#--repo=}"; return ;;
    esac
    shift
  done
  kernel_param kura.repo
}

# What an unattended kura.run="COMMAND" runs: the action after success on the first line
# (poweroff unless COMMAND says `-p poweroff|reboot|shell`, Clonezilla ocs-sr's word), the
# arguments for kura on the second - COMMAND without -p, with --repo REPO after the verb
# when COMMAND names no repository, and --yes for restores, since no one is there to answer.
unattended_plan() {
  after=poweroff
  verb=
  arguments=
  has_repo=
  has_yes=
  repo=$2
  set -f
  # shellcheck disable=SC2086
  set -- $1
  set +f
  while [ $# -gt 0 ]; do
    case "$1" in
      -p)
        after=${2-}
        [ $# -ge 2 ] && shift
        shift
        continue ;;
      --repo|-r|--repo=*) has_repo=1 ;;
      --yes|-y) has_yes=1 ;;
    esac
    if [ -z "$verb" ]; then verb=$1; else arguments="$arguments $1"; fi
    shift
  done
  extra=
  if [ -z "$has_repo" ] && [ -n "$repo" ]; then extra=" --repo $repo"; fi
  case "$verb" in restoredisk|restoreparts) [ -z "$has_yes" ] && extra="$extra --yes" ;; esac
  echo "$after"
  echo "$verb$extra$arguments"
}

# Loads the driver of every device that announces a modalias, again until no new device
# appears: a bus driver (USB host, SCSI HBA) brings devices whose drivers come next round.
# usb-storage announces its disks late, so at least four rounds half a second apart.
coldplug() {
  previous=
  round=0
  while [ $round -lt 16 ]; do
    current=$(find /sys/devices -name modalias -exec cat {} + 2>/dev/null | sort -u)
    if [ "$current" = "$previous" ]; then
      [ $round -ge 4 ] && break
      sleep 0.5
    else
      echo "$current" | xargs modprobe -a -q 2>/dev/null
    fi
    previous=$current
    round=$((round + 1))
  done
  # What no device announces: filesystems kura mounts and the disk/CD class drivers. kura
  # mounts a repository with what /proc/filesystems lists, so exfat and xfs are loaded now; fuse is
  # for ntfs-3g (NTFS repositories: Debian's kernel has no ntfs3). dm-mod and md-mod are the
  # cores lvm2 and mdadm talk to; loading them starts nothing (md as a module never
  # autodetects arrays, and no VG is activated: see /etc/lvm/lvm.conf). The RAID
  # personalities and dm targets are loaded on demand when an array or LV is started.
  modprobe -a -q sd_mod sr_mod isofs vfat nls_utf8 nls_cp437 nls_ascii ext4 exfat xfs fuse loop \
    dm-mod md-mod 2>/dev/null
}

# The WWID of every SCSI/NVMe disk, one "wwid disk" line each.
disk_wwids() {
  for dev in /sys/block/*; do
    name=${dev##*/}
    for f in "$dev/device/wwid" "$dev/wwid"; do
      if [ -r "$f" ]; then
        w=$(cat "$f" 2>/dev/null)
        [ -n "$w" ] && echo "$w $name"
        break
      fi
    done
  done
}

# A LUN seen through two or more paths (FC SAN, dual-port SAS) gets one dm-multipath map,
# so that kura lists and images it once. multipathd also keeps the map working when a path
# fails during a long save.
#
# multipath-tools is written for a system with udev, and this one has none (devtmpfs only).
# What it takes to work without (found by trying it in the live system, multipath -v3):
# - It finds paths by libudev's enumeration, which returns only the block devices udev has
#   "initialized": those with a database entry /run/udev/data/b<major>:<minor>. Without one
#   multipath says "Discovered 0/0 paths". udevd would write that entry; here a minimal one
#   is written for each path of a LUN seen twice: just its initialization time (I:, in
#   microseconds of CLOCK_MONOTONIC, as udevd writes it), no properties.
# - With no udev properties, the WWID comes from sysfs (the SCSI VPD page 0x83):
#   multipath.conf sets uid_attribute "" so that this is the method, not a fallback.
# - libdevmapper would wait for udev to create /dev/mapper/* (udev cookies) and never
#   create them itself: DM_DISABLE_UDEV=1 (exported by /init for everything after it)
#   makes it create and remove the nodes itself.
# - The maps' partitions (kpartx, normally run by a udev rule) are added here, named as
#   Debian's rule names them (mpatha-part1).
# `multipath` makes the maps at once (its output goes to the log); multipathd then
# monitors the paths (it adopts the maps; udev events it would listen to never come, so a
# LUN attached later needs `multipath` run by hand).
start_multipath_if_needed() {
  dups=$(disk_wwids | awk '{print $1}' | sort | uniq -d)
  [ -z "$dups" ] && return 0
  now_us=$(awk '{ printf "%d", $1 * 1000000 }' /proc/uptime)
  mkdir -p /run/udev/data
  for w in $dups; do
    paths=$(disk_wwids | awk -v w="$w" '$1 == w {printf "%s ", $2}')
    log "multipath: $w is seen through $paths"
    for p in $paths; do
      echo "I:$now_us" > "/run/udev/data/b$(cat "/sys/block/$p/dev")"
    done
  done
  modprobe -a -q dm-mod dm-multipath dm-round-robin dm-service-time
  mkdir -p /etc/multipath /run/multipathd
  multipath -v2 2>&1 | log_stream
  for map in $(multipath -l -v1 2>/dev/null); do
    if kpartx -a -p -part "/dev/mapper/$map" 2>&1 | log_stream; then
      log "multipath: /dev/mapper/$map is ready, partitions: $(cd /dev/mapper && ls | grep "^$map-part" | tr '\n' ' ')"
    fi
  done
  multipathd 2>&1 | log_stream
  multipath -ll 2>&1 | log_stream
}

# DHCP on the interfaces, one after the other, until one gets an address.
network_up() {
  for nic in /sys/class/net/*; do
    n=${nic##*/}
    [ "$n" = lo ] && continue
    ip link set "$n" up
  done
  for nic in /sys/class/net/*; do
    n=${nic##*/}
    [ "$n" = lo ] && continue
    if udhcpc -i "$n" -n -q -t 4 -T 2 -s /etc/udhcpc/default.script >/dev/null 2>&1; then
      log "network: $n is $(ip -4 -o addr show dev "$n" | awk '{print $4}') (DHCP)"
      return 0
    fi
    log "network: no DHCP answer on $n"
  done
  log "network: no interface got an address; kura-menu can set one by hand"
  return 1
}

# The consoles: the menu on tty1 and on every serial console, or the unattended run on the
# console the operator booted with; a shell on tty2 and the menu's log on tty3 either way.
write_inittab() {
  {
    echo "::sysinit:/bin/true"
    if [ -n "$1" ]; then
      con=$(primary_console)
      echo "$con::once:/bin/kura-run $con"
    else
      echo "tty1::respawn:/bin/kura-console tty1"
      for s in $(serial_consoles); do echo "$s::respawn:/bin/kura-console $s"; done
    fi
    echo "tty2::askfirst:-/bin/sh"
    echo "tty3::respawn:/bin/kura-log-view"
    echo "::ctrlaltdel:/bin/reboot"
    echo "::shutdown:/bin/kura-shutdown"
  } > "$INITTAB"
}
