# SPDX-License-Identifier: GPL-3.0-or-later
"""A `dev:` repository on NTFS where the kernel has no ntfs3 (Debian 12's, the live ISO's):
kura mounts it with ntfs-3g over FUSE. ntfs-3g cannot rename with RENAME_NOREPLACE (FUSE
without rename2 answers EINVAL), which once failed every save at its last step, the rename of
the finished image into place."""
from kuratest import (EXIT_OK, EXIT_REFUSED, KuraTestCase, MiB, main, make_ext, make_ntfs, make_tree, run_kura,
                      zeroed_file)


def mounted_devices():
    with open("/proc/self/mounts") as f:
        return [line.split()[0] for line in f]


class NtfsRepository(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("mkntfs", "ntfs-3g")

    def test_save_list_check_restore_on_ntfs(self):
        with open("/proc/filesystems") as f:
            if "ntfs3" in f.read():
                self.skipTest("this kernel mounts NTFS itself (ntfs3); the ntfs-3g way is not taken")
        tree = self.path("tree")
        make_tree(tree, seed=16, big_mib=2, small_files=20)
        source = make_ext(self.path("source.img"), 16 * MiB, ["-t", "ext4"], tree)
        dev = self.attach_loop(make_ntfs(self.path("stick.img"), 64 * MiB, label="KURANTFSIT"))

        rc, out, err = run_kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "onntfs", source)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn("mounting %s with ntfs-3g (FUSE)" % dev, err)
        self.assertNotIn(dev, mounted_devices(), "kura must unmount the NTFS repository at the end")

        # The name is taken now: refused before anything is written, the image left as it is.
        rc, out, err = run_kura("saveparts", "--repo", "dev:LABEL=KURANTFSIT", "--progress=none", "onntfs", source)
        self.assertEqual(rc, EXIT_REFUSED, err)
        self.assertIn("image onntfs already exists", err)

        rc, out, err = run_kura("list-images", "--repo", "dev:LABEL=KURANTFSIT")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertRegex(out, r"(?m)^onntfs +\S+ +\S+ +\S+ +complete +yes")
        self.assertKura(run_kura("checkimage", "--repo", "dev:" + dev, "--progress=none", "onntfs"), EXIT_OK)
        target = zeroed_file(self.path("target.img"), 16 * MiB)
        self.assertKura(run_kura("restoreparts", "--repo", "dev:" + dev, "--yes", "--progress=none", "onntfs",
                                 target), EXIT_OK)
        self.assertSameBytes(source, target)
        self.assertNotIn(dev, mounted_devices())


if __name__ == "__main__":
    main()
