# SPDX-License-Identifier: GPL-3.0-or-later
"""Debian 12's kernel package, the one the live ISO is built from, for the tests that need
its real module files (driver disks: sym53c8xx and scsi_transport_spi, which the ISO leaves
out). Downloaded once with `apt-get download` into /var/tmp/kura-kernel-cache; its
drivers/scsi tree is extracted once beside the .deb. Shared by
tests/integration/test_driver_disk.py and tests/e2e/test_live_driver_disk.py."""

import glob
import os
import shutil
import subprocess
import tempfile

import kuratest as kt

CACHE = "/var/tmp/kura-kernel-cache"


def kernel_package():
    """The cached linux-image-6.1.0-*-amd64 .deb, downloaded first if there is none."""
    os.makedirs(CACHE, exist_ok=True)
    debs = sorted(glob.glob(os.path.join(CACHE, "linux-image-6.1.0-*-amd64_*.deb")))
    if debs:
        return debs[-1]
    deps = kt.run(["apt-cache", "depends", "linux-image-amd64"]).stdout.split()
    names = [w for w in deps if w.startswith("linux-image-6.")]
    if not names:
        raise AssertionError("apt-cache names no versioned linux-image package:\n" + " ".join(deps))
    # apt-get download writes into the current directory.
    subprocess.run(["apt-get", "download", "-q", names[0]], cwd=CACHE, check=True,
                   stdout=subprocess.DEVNULL, timeout=900)
    debs = sorted(glob.glob(os.path.join(CACHE, "linux-image-6.1.0-*-amd64_*.deb")))
    if not debs:
        raise AssertionError("apt-get download left no .deb in %s" % CACHE)
    return debs[-1]


def scsi_modules():
    """Directory of the package's drivers/scsi tree (extracted once, beside the .deb)."""
    deb = kernel_package()
    done = deb[:-len(".deb")] + ".scsi"
    if not os.path.isdir(done):
        tmp = tempfile.mkdtemp(prefix=".extract-", dir=CACHE)
        kt.run_shell("dpkg-deb --fsys-tarfile %s | tar -x -C %s --wildcards "
                     "'./lib/modules/*/kernel/drivers/scsi/*'" % (deb, tmp))
        try:
            os.rename(tmp, done)
        except OSError:  # another run got there first
            shutil.rmtree(tmp, True)
    found = glob.glob(os.path.join(done, "lib", "modules", "*", "kernel", "drivers", "scsi"))
    if len(found) != 1:
        raise AssertionError("unexpected kernel tree in %s: %s" % (done, found))
    return found[0]


def release_of(scsi_dir):
    """The kernel release (6.1.0-NN-amd64) of a tree scsi_modules() returned."""
    return scsi_dir.split(os.sep)[-4]
