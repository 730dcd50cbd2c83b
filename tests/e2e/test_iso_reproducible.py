#!/usr/bin/python3
"""live-iso/build-iso is reproducible: built a second time from the same packages, the same
kura binaries and the same SOURCE_DATE_EPOCH, the ISO is the same, byte for byte. The build
reports its size and time."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import kt  # noqa: E402
from live_guest import TOP, iso_path  # noqa: E402


class Reproducible(kt.KuraTestCase):
    def test_a_second_build_gives_the_same_iso(self):
        first = iso_path()
        second = self.path("again.iso")
        kura_build = os.path.dirname(os.path.abspath(kt.KURA_BIN))
        result = subprocess.run(["bash", os.path.join(TOP, "live-iso", "build-iso"), "--kura-build", kura_build,
                                 "--out", second, "--work", self.path("work")],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200)
        self.assertEqual(result.returncode, 0, result.stdout)
        report = result.stdout.strip().splitlines()[-1]
        print("\n" + report, flush=True)
        self.assertRegex(report, r"build-iso: .*: \d+ bytes \(\d+ MiB\), sha256 [0-9a-f]{16}, built in \d+ s")
        size = int(re.search(r": (\d+) bytes", report).group(1))
        self.assertEqual(size, os.path.getsize(second))
        self.assertEqual(kt.sha256_file(first), kt.sha256_file(second),
                         "two builds of the same inputs differ: %s and %s" % (first, second))


if __name__ == "__main__":
    kt.main()
