# SPDX-License-Identifier: GPL-3.0-or-later
"""Real NFS (rpcbind + nfs-ganesha) and SMB (smbd) servers for kura's repository tests.

Each server runs in the foreground with a private configuration in a temporary directory,
is waited for until it answers, and is stopped by its PID - also when the test fails. A
test can kill -9 a server and start it again on the same port mid-transfer.

Servers must listen on loopback only, and rpcbind cannot be told to (it always binds
0.0.0.0:111), so every test module that uses this first calls enter_private_network():
it re-executes the test under `unshare --net --mount --fork`, where lo is the only
interface and /run is private (rpcbind's socket lives there). ctest still sees one process
and its exit code.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time

NFS_PORT = 20490
MOUNT_PORT = 20048
SMB_PORT = 4450
SMB_USER = "kurasmbtest"
_MARK = "KURA_IN_PRIVATE_NETNS"


def enter_private_network():
    """Re-execute this script in a private network and mount namespace (once)."""
    if os.environ.get(_MARK) == "1":
        return
    missing = [t for t in ("unshare", "ip", "rpcbind", "ganesha.nfsd", "smbd", "smbpasswd", "nfs-ls")
               if shutil.which(t) is None]
    if missing:
        sys.exit("tools missing for the network repository tests: " + " ".join(missing))
    env = dict(os.environ, **{_MARK: "1"})
    setup = ("set -e; mount --make-rprivate /; mount -t tmpfs -o mode=0755 kura-run /run; "
             "mkdir -p /run/rpcbind /run/lock; chown _rpc: /run/rpcbind 2>/dev/null || true; "
             # sysfs shows the network namespace of whoever mounted it: a fresh mount makes
             # /sys/class/net list this namespace's interfaces (kura-menu's network step).
             "mount -t sysfs kura-sys /sys; "
             "ip link set lo up; "
             # glibc's AI_ADDRCONFIG ignores 127.0.0.1, and ganesha then cannot resolve its
             # Bind_addr; a second loopback address makes it count.
             "ip addr add 127.0.0.2/8 dev lo; "
             'exec "$@"')
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--net", "--mount", "--fork", "--", "bash", "-c", setup,
                           "bash", sys.executable, *sys.argv], env)


def _wait_until(what, probe, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError("%s exited during start-up (rc %s)" % (what, proc.returncode))
        if probe():
            return
        time.sleep(0.05)
    raise AssertionError("%s did not answer within %.0f s" % (what, timeout))


def _quiet(argv):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=10).returncode == 0


def _stop(proc, sig=signal.SIGTERM, wait=10):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class NfsServer:
    """rpcbind + nfs-ganesha exporting `export_dir` as /export (NFSv3, TCP, 127.0.0.1)."""

    def __init__(self, workdir, export_dir, squash="No_Root_Squash", extra_exports=()):
        self.workdir = workdir
        self.export_dir = export_dir
        self.rpcbind = None
        self.ganesha = None
        os.makedirs(os.path.join(workdir, "recovery"), exist_ok=True)
        exports = [(1, export_dir, "/export", squash)] + list(extra_exports)
        blocks = []
        for export_id, path, pseudo, sq in exports:
            blocks.append("""EXPORT {
    Export_Id = %d; Path = "%s"; Pseudo = "%s"; Access_Type = RW; Squash = %s;
    SecType = sys; Protocols = 3; Transports = TCP; FSAL { Name = VFS; }
}""" % (export_id, path, pseudo, sq))
        self.config = os.path.join(workdir, "ganesha.conf")
        with open(self.config, "w") as f:
            f.write("""NFS_CORE_PARAM {
    Bind_addr = 127.0.0.1; NFS_Port = %d; MNT_Port = %d;
    Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false;
    Protocols = 3; Mount_Path_Pseudo = true;
}
NFSV4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = "%s"; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT_DEFAULTS { Access_Type = None; }
%s
LOG { Default_Log_Level = EVENT; }
""" % (NFS_PORT, MOUNT_PORT, os.path.join(workdir, "recovery"), "\n".join(blocks)))

    def url(self, path="/export", query=True):
        q = "?nfsport=%d&mountport=%d" % (NFS_PORT, MOUNT_PORT) if query else ""
        return "nfs://127.0.0.1%s%s" % (path, q)

    def start(self):
        if self.rpcbind is None or self.rpcbind.poll() is not None:
            self.rpcbind = subprocess.Popen(["rpcbind", "-f"], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _wait_until("rpcbind", lambda: _quiet(["rpcinfo", "-p", "127.0.0.1"]), self.rpcbind)
        self.start_ganesha()
        return self

    def start_ganesha(self):
        log = os.path.join(self.workdir, "ganesha.log")
        self.ganesha = subprocess.Popen(
            ["ganesha.nfsd", "-F", "-f", self.config, "-L", log,
             "-p", os.path.join(self.workdir, "ganesha.pid")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The log says nothing useful if it dies, so the PID is watched too.
        _wait_until("nfs-ganesha", lambda: _quiet(["nfs-ls", self.url()]), self.ganesha)

    def kill_ganesha(self):
        """SIGKILL, as a crash or power loss of the server process would."""
        _stop(self.ganesha, signal.SIGKILL)

    def stop(self):
        _stop(self.ganesha)
        _stop(self.rpcbind)


class SmbServer:
    """smbd serving share [backup] (and [readonly]) on 127.0.0.1:SMB_PORT for SMB_USER."""

    def __init__(self, workdir, share_dir, password, extra_global=""):
        """extra_global: more [global] lines, e.g. "server max protocol = SMB2_10"."""
        self.workdir = workdir
        self.share_dir = share_dir
        self.password = password
        self.smbd = None
        state = os.path.join(workdir, "smbstate")
        os.makedirs(state, exist_ok=True)
        self.readonly_dir = os.path.join(workdir, "readonly-share")
        os.makedirs(self.readonly_dir, exist_ok=True)
        self.config = os.path.join(workdir, "smb.conf")
        with open(self.config, "w") as f:
            f.write("""[global]
    server role = standalone server
    workgroup = WORKGROUP
    interfaces = lo
    bind interfaces only = yes
    smb ports = %(port)d
    disable netbios = yes
    server min protocol = SMB2_10
    map to guest = Never
    passdb backend = tdbsam:%(state)s/passdb.tdb
    private dir = %(state)s
    lock directory = %(state)s
    state directory = %(state)s
    cache directory = %(state)s
    pid directory = %(state)s
    ncalrpc dir = %(state)s/ncalrpc
    log file = %(state)s/log.%%m
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
%(extra)s
[backup]
    path = %(share)s
    read only = no
    valid users = %(user)s
    create mask = 0644
[readonly]
    path = %(ro)s
    read only = yes
    valid users = %(user)s
""" % {"port": SMB_PORT, "state": state, "share": share_dir, "user": SMB_USER,
               "ro": self.readonly_dir, "extra": extra_global})
        try:
            pwd.getpwnam(SMB_USER)
        except KeyError:
            subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", SMB_USER],
                           check=True)
        uid = pwd.getpwnam(SMB_USER)
        os.chown(share_dir, uid.pw_uid, uid.pw_gid)
        # smbd works as that user, who must be able to reach the share through the test's
        # private (mode 0700) temporary directories.
        parent = os.path.dirname(os.path.abspath(share_dir))
        while parent not in ("/", "/var/tmp", "/tmp"):
            os.chmod(parent, os.stat(parent).st_mode | 0o001)
            parent = os.path.dirname(parent)
        subprocess.run(["smbpasswd", "-c", self.config, "-s", "-a", SMB_USER],
                       input=("%s\n%s\n" % (password, password)).encode(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self, share="backup", user=SMB_USER):
        return "smb://%s@127.0.0.1:%d/%s" % (user, SMB_PORT, share)

    def _answers(self):
        # Authenticated listing of the share: no share enumeration, which would start
        # samba-dcerpcd outside smbd's process group.
        return subprocess.run(
            ["smbclient", "-s", self.config, "-p", str(SMB_PORT), "-U", SMB_USER,
             "//127.0.0.1/backup", "-c", "ls"], input=(self.password + "\n").encode(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10,
            env=dict(os.environ, PASSWD=self.password)).returncode == 0

    def start(self):
        # Plain --foreground (never --no-process-group) makes smbd a process group of its
        # own, which it signals as a whole on exit; that group must not be ours. (Starting
        # it in a new session instead makes it exit at once.)
        self.smbd = subprocess.Popen(["smbd", "--foreground", "-s", self.config],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        _wait_until("smbd", self._answers, self.smbd)
        return self

    def kill(self):
        """SIGKILL smbd and the per-connection children in its process group."""
        if self.smbd and self.smbd.poll() is None:
            os.killpg(self.smbd.pid, signal.SIGKILL)
            self.smbd.wait()

    def stop(self):
        if self.smbd and self.smbd.poll() is None:
            pgid = self.smbd.pid
            _stop(self.smbd)
            # Children (smbd-notifyd, connection workers) can outlive the main process.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)


@contextlib.contextmanager
def nfs_server(workdir, export_dir, **kwargs):
    server = NfsServer(workdir, export_dir, **kwargs)
    try:
        yield server.start()
    finally:
        server.stop()


@contextlib.contextmanager
def smb_server(workdir, share_dir, password, extra_global=""):
    server = SmbServer(workdir, share_dir, password, extra_global)
    try:
        yield server.start()
    finally:
        server.stop()
