# SPDX-License-Identifier: GPL-3.0-or-later
"""XFS by used blocks: kura's used set and header against partclone.xfs's on the same
filesystems (fresh v5 with files, a fragmented v5 whose free-space btree has two levels, a v4
made from a protofile - the host kernel mounts v5 only), restores checked by `xfs_repair -n`,
by the files (v5, mounted one at a time: a restored XFS keeps its UUID) and by the used blocks
byte for byte; Partclone compatibility both ways; unusual block and sector sizes; a wrapped
log; a dirty log refused (and xfs_repair's refusal under --fsck), imaged under --fs-force;
--fsck running xfs_repair; inconsistent free space refused, copied whole under --fs-force; a
restore that would need shrinking refused before any write; restoredisk --grow growing an XFS
(mounted privately for xfs_growfs)."""
import contextlib
import os
import shlex
import stat

import disk_images as di
import kuratest as kt
from kuratest import (EXIT_OK, EXIT_REFUSED, EXIT_UNSUPPORTED, KuraTestCase, MiB, main, run,
                      run_kura, run_shell)

SIZE = 512 * MiB
BLOCK = 4096


def make_xfs(path, size=SIZE, mkfs_args=()):
    kt.run(["truncate", "-s", str(size), path])
    kt.run(["mkfs.xfs", "-q", "-f", *mkfs_args, path])
    return path


def xfs_repair_clean(path):
    proc = run(["xfs_repair", "-n", path], check=False)
    return proc.returncode == 0, proc.stdout + proc.stderr


def bnobt_levels(path):
    """The bnobt's levels in each AG, as xfs_db reads them."""
    out = run(["xfs_db", "-r", "-c", "sb 0", "-c", "p agcount", path]).stdout
    agcount = int(out.split("=")[1])
    levels = []
    for ag in range(agcount):
        out = run(["xfs_db", "-r", "-c", "agf %d" % ag, "-c", "p levels", path]).stdout
        levels.append(int(out.split("=")[1].split()[0].split(":")[1]))
    return levels


@contextlib.contextmanager
def read_only_loop(backing):
    backing = os.path.realpath(backing)
    dev = run(["losetup", "-r", "-f", "--show", backing]).stdout.strip()
    try:
        yield dev
    finally:
        kt._detach(dev, backing)


def stream_of(pieces, suffix, out):
    run_shell("%s > %s" % (kt.stream_cmd(pieces, suffix), shlex.quote(out)))
    return out


def header_and_used(stream):
    """The 110-byte header, its parsed fields and the used block numbers of a v2 stream."""
    with open(stream, "rb") as f:
        head = f.read(kt.V2_HEADER_SIZE)
        header = kt.read_v2_header(head)
        bitmap = f.read((header["totalblock"] + 7) // 8)
    return head, header, kt.v2_used_blocks(head + bitmap, header)


def same_used_blocks(test, a, b, used):
    """a and b hold the same bytes in every used block (runs read together)."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        i = 0
        while i < len(used):
            j = i
            while j + 1 < len(used) and used[j + 1] == used[j] + 1 and j - i < 255:
                j += 1
            fa.seek(used[i] * BLOCK)
            fb.seek(used[i] * BLOCK)
            n = (j - i + 1) * BLOCK
            test.assertTrue(fa.read(n) == fb.read(n), "used blocks %d-%d differ" % (used[i], used[j]))
            i = j + 1


class Xfs(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("mkfs.xfs", "xfs_repair", "xfs_db", "xfs_io",
                                                    "xfs_growfs", "partclone.xfs", "zstd", "sfdisk")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=1717, big_mib=8, small_files=200)

    # ---------------------------------------------------------------- helpers

    def populate(self, fs, fill):
        """Mount fs (v5) on a loop device of its own, run fill(mountpoint), unmount."""
        dev = self.attach_loop(fs)
        mnt = self.path("mnt-" + os.path.basename(fs))
        with kt.mounted(dev, mnt) as root:
            fill(root)
        return fs

    def tree_of(self, fs):
        """{path: (mode, size, sha256 or link target)} of a v5 XFS, mounted alone from a
        read-only loop device (a read-only mount alone still writes XFS's superblock and log)."""
        with read_only_loop(fs) as dev, kt.mounted(dev, self.path("look"), "ro") as root:
            out = {}
            for d, dirs, files in os.walk(root):
                for name in dirs + files:
                    p = os.path.join(d, name)
                    st = os.lstat(p)
                    content = (os.readlink(p) if stat.S_ISLNK(st.st_mode) else
                               kt.sha256_file(p) if stat.S_ISREG(st.st_mode) else None)
                    out[os.path.relpath(p, root)] = (st.st_mode, st.st_size, content)
            return out

    def v5_with_tree(self, name="src.img"):
        def fill(root):
            run(["cp", "-a", self.tree + "/.", root])
            os.symlink("big", os.path.join(root, "link-to-big"))
            with open(os.path.join(root, "holes.bin"), "wb") as f:  # a sparse file
                f.seek(20 * MiB)
                f.write(b"end of a file with a hole")
        return self.populate(make_xfs(self.path(name)), fill)

    def fragmented_v5(self, name="frag.img"):
        def fill(root):
            d = os.path.join(root, "many")
            os.mkdir(d)
            # 6000 one-block files with every other one deleted leave ~3000 holes: more free
            # extents than one 4 KiB bnobt leaf holds (505), so the tree grows a level.
            for i in range(6000):
                with open(os.path.join(d, "f%d" % i), "wb") as f:
                    f.write(i.to_bytes(4, "little") * 1024)
            with open(os.path.join(root, "big.bin"), "wb") as f:
                f.write(di.random_bytes(7, 24 * MiB))
            os.sync()  # allocate the files' blocks before half of them go (delayed allocation)
            for i in range(0, 6000, 2):
                os.unlink(os.path.join(d, "f%d" % i))
        fs = self.populate(make_xfs(self.path(name)), fill)
        self.assertIn(2, bnobt_levels(fs), "the fixture's bnobt has one level everywhere")
        return fs

    def v4_from_protofile(self, name="v4.img"):
        files = self.path("v4-files")
        os.mkdir(files)
        for n, size in (("a", 300000), ("b", 1 << 20), ("c", 5 << 20)):
            with open(os.path.join(files, n), "wb") as f:
                f.write(os.urandom(size))
        proto = self.path("proto.txt")
        with open(proto, "w") as f:
            f.write("/dev/null\n0 0\nd--755 0 0\n"
                    "a ---644 0 0 %s\nb ---600 0 0 %s\nsub d--750 0 0\nc ---644 0 0 %s\n$\n$\n"
                    % (os.path.join(files, "a"), os.path.join(files, "b"), os.path.join(files, "c")))
        fs = make_xfs(self.path(name), mkfs_args=("-m", "crc=0", "-p", proto))
        out = run(["xfs_db", "-r", "-c", "sb 0", "-c", "p versionnum", fs]).stdout
        self.assertEqual(int(out.split("=")[1], 16) & 0xF, 4, out)
        return fs

    def save(self, src, *opts, compression="zstd"):
        repo = self.new_repo("repo-" + os.path.basename(src))
        before = kt.sha256_file(src)
        self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "-z", compression, *opts,
                                 "img", src), EXIT_OK)
        self.assertEqual(kt.sha256_file(src), before, "saveparts modified its source")
        imgdir = os.path.join(repo, "img")
        part = os.path.basename(src)
        pieces = [os.path.join(imgdir, f) for f in kt.data_files(imgdir, part)]
        self.assertTrue(pieces and all(".xfs-ptcl-img." in p for p in pieces), os.listdir(imgdir))
        return repo, pieces

    def partclone_stream(self, src):
        out = self.path("pc-" + os.path.basename(src))
        run(["partclone.xfs", "-q", "-c", "-s", src, "-O", out, "-L", self.path("pc.log")])
        return out

    def restore(self, repo, size=SIZE):
        target = kt.zeroed_file(self.path("target-%d.img" % len(os.listdir(self.tmp))), size)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none", "img", target),
                        EXIT_OK)
        return target

    def matches_partclone(self, src, pieces, suffix="zst"):
        """kura's stream has partclone.xfs's header fields and bitmap; returns the used blocks."""
        ours = stream_of(pieces, suffix, self.path("ours.stream"))
        head, header, used = header_and_used(ours)
        pc_head, pc_header, pc_used = header_and_used(self.partclone_stream(src))
        # Offsets 36-87: fs tag, device size, total blocks, the fs's used count (68), the
        # bitmap's (76), block size. The version string (16) and checksum options differ.
        self.assertEqual(head[36:88], pc_head[36:88], (header, pc_header))
        self.assertEqual(used, pc_used, "kura and partclone.xfs disagree on %d blocks"
                         % len(set(used) ^ set(pc_used)))
        self.assertEqual(header["usedblocks"], len(used))
        return used

    def assertSameTree(self, src, target, must_hold):
        a, b = self.tree_of(src), self.tree_of(target)
        self.assertIn(must_hold, a)  # the files really are there
        differ = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
        self.assertEqual(differ[:10], [], "%d paths differ" % len(differ))

    def assertRestored(self, src, target, used, must_hold=None):
        """xfs_repair -n clean, the used blocks byte for byte, and (v5) the same files."""
        clean, log = xfs_repair_clean(target)
        self.assertTrue(clean, "xfs_repair -n found problems:\n" + log[-3000:])
        same_used_blocks(self, src, target, used)
        if must_hold:
            self.assertSameTree(src, target, must_hold)

    # ---------------------------------------------------------------- cases

    def test_v5_with_files_roundtrip_and_partclone_compat(self):
        src = self.v5_with_tree()
        repo, pieces = self.save(src, "--split", "1MB")
        used = self.matches_partclone(src, pieces)
        self.assertKura(run_kura("checkimage", "--repo", repo, "img"), EXIT_OK)
        self.assertRestored(src, self.restore(repo), used, "big/random.bin")
        # partclone.xfs restores kura's stream.
        target = kt.zeroed_file(self.path("by-partclone.img"), SIZE)
        proc = kt.partclone_restore(pieces, "zst", target, self.path("restore.log"))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertRestored(src, target, used, "big/random.bin")

    def test_fragmented_v5_two_level_bnobt(self):
        src = self.fragmented_v5()
        repo, pieces = self.save(src)
        used = self.matches_partclone(src, pieces)
        self.assertEqual(len([p for p in self.tree_of(src) if p.startswith("many/")]), 3000)
        self.assertRestored(src, self.restore(repo), used, "many/f5999")

    def test_kura_restores_partclone_xfs_image(self):
        src = self.fragmented_v5()
        repo = self.new_repo()
        imgdir = os.path.join(repo, "img")
        os.mkdir(imgdir)
        with open(os.path.join(imgdir, "parts"), "w") as f:
            f.write("sda1\n")
        stream = self.partclone_stream(src)
        _, _, used = header_and_used(stream)
        kt.compress_file(stream, os.path.join(imgdir, "sda1.xfs-ptcl-img.zst"), "zst")
        self.assertKura(run_kura("checkimage", "--repo", repo, "img"), EXIT_OK)
        self.assertRestored(src, self.restore(repo), used, "big.bin")

    def test_v4_from_protofile(self):
        # v4 cannot be mounted here: the used blocks byte for byte and xfs_repair stand in
        # for the file tree (the QEMU tests mount it).
        src = self.v4_from_protofile()
        repo, pieces = self.save(src, compression="none")
        used = self.matches_partclone(src, pieces, "uncomp")
        self.assertGreater(len(used), 16384 + 1600)  # the log plus 6.3 MB of files
        self.assertRestored(src, self.restore(repo), used)
        target = kt.zeroed_file(self.path("by-partclone.img"), SIZE)
        proc = kt.partclone_restore(pieces, "uncomp", target, self.path("restore.log"))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertRestored(src, target, used)

    def test_block_and_sector_sizes_match_partclone(self):
        # Fresh filesystems are enough here: what differs is where the AG headers, the AGFL
        # and the btree records sit, and how block numbers are counted.
        for args in (("-b", "size=1024"), ("-b", "size=65536"), ("-s", "size=4096"),
                     ("-m", "crc=0", "-b", "size=512"), ("-d", "agcount=7")):
            with self.subTest(mkfs=args):
                src = make_xfs(self.path("geo.img"), mkfs_args=args)
                repo, pieces = self.save(src, compression="none")
                used = self.matches_partclone(src, pieces, "uncomp")
                self.assertGreater(len(used), 0)
                kt.run(["rm", "-rf", repo, src])

    def test_wrapped_log_clean_then_dirty(self):
        # Enough metadata traffic to run the 64 MiB log past its end: its cycle number goes
        # up and the head sits before the tail's old position.
        src = make_xfs(self.path("wrap.img"))
        dev = self.attach_loop(src)
        with kt.mounted(dev, self.path("mnt-wrap")) as root:
            for r in range(7):
                d = os.path.join(root, "r%d" % r)
                os.mkdir(d)
                for i in range(20000):
                    open(os.path.join(d, "f%d" % i), "wb").close()
                os.sync()
                run(["rm", "-rf", d])
                os.sync()
        cycle = run(["xfs_logprint", "-d", src], check=False).stdout
        self.assertRegex(cycle, r"HEADER Cycle [2-9]", "the log never wrapped")
        self.assertIn("<CLEAN>", run(["xfs_logprint", "-t", src], check=False).stdout)
        repo, pieces = self.save(src, compression="none")
        self.matches_partclone(src, pieces, "uncomp")

        with kt.mounted(dev, self.path("mnt-wrap")) as root:
            os.mkdir(os.path.join(root, "after"))
            os.sync()
            run(["xfs_io", "-x", "-c", "shutdown", root])
        self.assertIn("<DIRTY>", run(["xfs_logprint", "-t", src], check=False).stdout)
        rc, out, err = run_kura("saveparts", "--repo", self.new_repo("refused"), "--progress=none", "img", src)
        self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
        self.assertIn(src + ": this XFS was not unmounted cleanly", err)

    def dirty_v5(self):
        src = make_xfs(self.path("dirty.img"))
        dev = self.attach_loop(src)
        with kt.mounted(dev, self.path("mnt-dirty")) as root:
            with open(os.path.join(root, "written"), "wb") as f:
                f.write(os.urandom(3 * MiB))
            run(["sync"])
            os.mkdir(os.path.join(root, "after-sync"))
            # Stop the filesystem dead without flushing the log: a crash, as far as XFS knows.
            run(["xfs_io", "-x", "-c", "shutdown", root])
        self.assertIn("<DIRTY>", run(["xfs_logprint", "-t", src], check=False).stdout)
        return src

    def test_dirty_log_refused_then_forced(self):
        src = self.dirty_v5()
        before = kt.sha256_file(src)
        repo = self.new_repo()
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "img", src)
        self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
        self.assertIn(src + ": this XFS was not unmounted cleanly: its log holds transactions that were never "
                      "replayed", err)
        self.assertIn("Mount it once and unmount it to replay the log", err)
        self.assertIn("pass --fs-force to image it as it is", err)
        self.assertEqual(os.listdir(repo), [], "a refused save left files behind")

        # --fsck: xfs_repair will not touch a dirty log (exit 2) - kura says what will.
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "--fsck", "img", src)
        self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
        self.assertIn("`xfs_repair %s` refused: its log holds changes that were never replayed; mount the "
                      "filesystem once to replay the log" % src, err)
        self.assertIn("(exit 2)", err)
        self.assertEqual(kt.sha256_file(src), before, "the refusals modified the source")

        repo, pieces = self.save(src, "--fs-force")
        used = self.matches_partclone(src, pieces)
        target = self.restore(repo)
        same_used_blocks(self, src, target, used)
        # The restored copy is as dirty as its source: one mount replays the log, then it is clean.
        with kt.loop_device(target) as dev, kt.mounted(dev, self.path("replay")) as root:
            self.assertTrue(os.path.isfile(os.path.join(root, "written")))
        clean, log = xfs_repair_clean(target)
        self.assertTrue(clean, log[-3000:])

    def test_fsck_runs_xfs_repair(self):
        src = self.v5_with_tree("fsck.img")
        repo = self.new_repo()
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "--fsck", "img", src)
        self.assertKura((rc, out, err), EXIT_OK)
        self.assertIn("checking and repairing fsck.img (%s, xfs) with xfs_repair %s" % (src, src), err)
        self.assertIn("fsck.img (%s, xfs): checked and repaired where needed" % src, err)
        pieces = [os.path.join(repo, "img", f) for f in kt.data_files(os.path.join(repo, "img"), "fsck.img")]
        _, _, used = header_and_used(stream_of(pieces, "zst", self.path("fsck.stream")))
        self.assertRestored(src, self.restore(repo), used, "big/random.bin")

    def test_inconsistent_free_space_refused_then_copied_whole(self):
        # v4 has no CRCs, so one number changed is all the damage: AG 1's agf_freeblks one
        # higher than its bnobt holds.
        src = make_xfs(self.path("bad.img"), mkfs_args=("-m", "crc=0"))
        agf1 = 32768 * BLOCK + 512
        with open(src, "r+b") as f:
            f.seek(agf1 + 52)
            freeblks = int.from_bytes(f.read(4), "big")
            f.seek(agf1 + 52)
            f.write((freeblks + 1).to_bytes(4, "big"))
        before = kt.sha256_file(src)
        repo = self.new_repo()
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "img", src)
        self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
        self.assertIn("%s: XFS metadata inconsistent (AG 1 bnobt): its extents hold %d blocks, agf_freeblks says %d. "
                      "Repair it with `xfs_repair %s`" % (src, freeblks, freeblks + 1, src), err)
        self.assertEqual(os.listdir(repo), [])
        self.assertEqual(kt.sha256_file(src), before)
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "--fs-force", "img", src)
        self.assertKura((rc, out, err), EXIT_OK)
        self.assertIn("bad.img: XFS metadata inconsistent (AG 1 bnobt); copied whole (dd) because of --fs-force", err)
        data = kt.data_files(os.path.join(repo, "img"), "bad.img")
        self.assertTrue(data and all(".dd-ptcl-img." in f for f in data), data)
        target = kt.zeroed_file(self.path("target-bad.img"), SIZE)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none", "img", target), EXIT_OK)
        self.assertSameBytes(src, target)

    def test_restore_onto_smaller_target_refused(self):
        src = make_xfs(self.path("src.img"))
        repo, _ = self.save(src)
        target = kt.zeroed_file(self.path("small.img"), SIZE - MiB)
        with open(target, "r+b") as f:
            f.write(b"untouched")
        before = kt.sha256_file(target)
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none", "img", target)
        self.assertKura((rc, out, err), EXIT_REFUSED)
        self.assertIn("%s is too small for partition src.img: it has 535.8 MB (535822336 bytes), the filesystem "
                      "needs 536.9 MB (536870912 bytes); XFS cannot shrink" % target, err)
        self.assertEqual(kt.sha256_file(target), before, "a refused restore wrote to its target")

    def test_restoredisk_grow_grows_xfs(self):
        fs = self.v5_with_tree("p2.img")
        disk = kt.zeroed_file(self.path("disk.img"), MiB + SIZE)
        run(["sfdisk", "-q", disk], input="label: dos\nstart=2048, type=83\n")
        start, size = di.table(disk)[1]
        self.assertEqual(size * di.SECTOR, SIZE)
        di.copy_into(disk, start, fs)
        repo = self.new_repo()
        self.assertKura(run_kura("savedisk", "--repo", repo, "--progress=none", "img", disk), EXIT_OK)
        extra = 128 * MiB
        target = kt.zeroed_file(self.path("grown.img"), MiB + SIZE + extra)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "--verbose", "--grow",
                                "img", target)
        self.assertKura((rc, out, err), EXIT_OK)
        self.assertIn("growing the xfs filesystem on", err)
        start, size = di.table(target)[1]
        self.assertEqual(size * di.SECTOR, SIZE + extra)
        p1 = di.extract(target, start, size, self.path("grown-p1.img"))
        out = run(["xfs_db", "-r", "-c", "sb 0", "-c", "p dblocks", p1]).stdout
        self.assertEqual(int(out.split("=")[1]) * BLOCK, SIZE + extra, "the XFS did not grow to its partition")
        clean, log = xfs_repair_clean(p1)
        self.assertTrue(clean, log[-3000:])
        self.assertSameTree(fs, p1, "big/random.bin")
        self.assertEqual([d for d in os.listdir("/tmp") if d.startswith("kura-xfs-grow.")], [],
                         "the private mount point was left behind")


if __name__ == "__main__":
    main()
