# SPDX-License-Identifier: GPL-3.0-or-later
"""NTFS volumes kura must not image silently: one Windows marked dirty, one hibernated
(or shut down with Fast Startup), one with a damaged boot sector, one cut short, and an
image whose data was damaged. Each is refused with a message naming the cause - and for
Windows' states, the fix in Windows - with nothing left in the repository; --ntfs-force
images the dirty and hibernated ones anyway and says so."""
import os
import tempfile

from kuratest import (EXIT_CORRUPT, EXIT_UNSUPPORTED, KuraTestCase, MiB, data_files, flip_byte, main, make_ntfs,
                      ntfs_mounted, run_kura, sha256_file, zeroed_file)
from ntfs_volumes import VOLUME_IS_DIRTY, set_volume_flags

SIZE = 32 * MiB


class NtfsBadInput(KuraTestCase):
    REQUIRED_TOOLS = ("mkntfs", "ntfs-3g", "ntfsfix")

    def volume(self, name="ntfs.img"):
        path = make_ntfs(self.path(name), SIZE)
        with ntfs_mounted(path, self.path("mnt")) as mnt:
            with open(os.path.join(mnt, "file.txt"), "w") as f:
                f.write("some data\n" * 1000)
        return path

    def assertRefused(self, volume, *expected):
        repo = tempfile.mkdtemp(prefix="refused-repo-", dir=self.tmp)
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "img", volume)
        self.assertEqual(rc, EXIT_UNSUPPORTED, out + err)
        for text in expected:
            self.assertIn(text, err)
        self.assertEqual(os.listdir(repo), [], "nothing may be left in the repository")
        return err

    def assertForced(self, volume, expected_log):
        repo = self.new_repo("forced-repo")
        before = sha256_file(volume)
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "--ntfs-force", "img", volume)
        self.assertEqual(rc, 0, out + err)
        # Read-only means read-only: libntfs-3g must not clear the dirty flag, reset the
        # journal or touch hiberfil.sys, not even when told to image such a volume.
        self.assertEqual(sha256_file(volume), before, "saving must not modify the source volume")
        self.assertIn("--ntfs-force", err)
        self.assertIn(expected_log, err)
        target = zeroed_file(self.path("target.img"), SIZE)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "img", target), 0)

    def test_dirty_volume(self):
        volume = self.volume()
        set_volume_flags(volume, VOLUME_IS_DIRTY)
        self.assertRefused(volume, "marked dirty", "chkdsk /f", "--ntfs-force")
        self.assertForced(volume, "marked dirty")

    def test_hibernated_volume(self):
        volume = self.volume()
        with ntfs_mounted(volume, self.path("mnt")) as mnt:
            # What Windows leaves: hiberfil.sys starting with the "hibr" signature.
            with open(os.path.join(mnt, "hiberfil.sys"), "wb") as f:
                f.write(b"hibr" + bytes(64 * 1024 - 4))
        self.assertRefused(volume, "hibernated", "Fast Startup", "powercfg /h off")
        self.assertForced(volume, "hibernated")

    def test_damaged_boot_sector(self):
        volume = self.volume()
        with open(volume, "r+b") as f:
            f.seek(0x0B)
            f.write(bytes(2))  # bytes per sector = 0
        self.assertRefused(volume, "bytes per sector", "ntfsfix")
        with open(volume, "r+b") as f:
            f.write(bytes(512))  # no boot sector at all
        self.assertRefused(volume, "boot sector is gone", "backup boot sector", "ntfsfix")

    def test_volume_cut_short(self):
        volume = self.volume()
        os.truncate(volume, SIZE - MiB)
        self.assertRefused(volume, "cut short")

    def test_damaged_image(self):
        volume = self.volume()
        repo = self.new_repo()
        self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "--split", "0", "img", volume), 0)
        image = os.path.join(repo, "img")
        data = os.path.join(image, data_files(image, "ntfs.img")[0])
        flip_byte(data, os.path.getsize(data) // 2)
        rc, out, err = run_kura("checkimage", "--repo", repo, "--progress=none", "img")
        self.assertEqual(rc, EXIT_CORRUPT, out + err)
        target = zeroed_file(self.path("target.img"), SIZE)
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "img", target)
        self.assertNotEqual(rc, 0, out + err)
        self.assertIn("ntfs.img", err)


if __name__ == "__main__":
    main()
