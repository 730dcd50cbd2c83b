# SPDX-License-Identifier: GPL-3.0-or-later
"""Save, check and restore an ext4 through an nfs:// repository (libnfs, NFSv3).

The server is a real nfs-ganesha (with rpcbind) on 127.0.0.1 inside a private network
namespace (see netservers.py). The image kura writes over NFS must land in the export,
pass checkimage both over NFS and as a local directory, and restore byte-identically.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB


class NfsRepository(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.export = os.path.join(cls.ws, "export")
        os.makedirs(os.path.join(cls.export, "images"))
        cls.server = cls.enterClassContext(ns.nfs_server(os.path.join(cls.ws, "nfs"), cls.export))
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=5, big_mib=6, small_files=120)
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), 64 * MiB, ["-t", "ext4"], tree)

    def roundtrip(self, url, image_dir_on_server, save_opts=()):
        self.assertKura(kt.run_kura("saveparts", "--repo", url, "--progress=none", *save_opts,
                                    "img", self.src), 0, "saveparts over NFS failed")
        on_server = os.path.join(image_dir_on_server, "img")
        for meta in kt.IMAGE_META_FILES:
            self.assertTrue(os.path.isfile(os.path.join(on_server, meta)), meta + " not on the server")
        self.assertTrue(kt.data_files(on_server, "src.img"), "no data file on the server")
        self.assertKura(kt.run_kura("checkimage", "--repo", url, "img"), 0, "checkimage over NFS")
        # What landed on the server is an ordinary image directory.
        self.assertKura(kt.run_kura("checkimage", "--repo", image_dir_on_server, "img"), 0,
                        "checkimage of the exported directory")
        target = kt.zeroed_file(self.path("target.img"), 64 * MiB)
        self.assertKura(kt.run_kura("restoreparts", "--repo", url, "--yes", "--progress=none",
                                    "img", target), 0, "restoreparts over NFS failed")
        self.assertSameBytes(self.src, target)

    def test_subdirectory_of_export_with_fixed_ports(self):
        self.roundtrip(self.server.url("/export/images"), os.path.join(self.export, "images"),
                       ["--split", "1MB"])

    def test_port_in_authority_and_portmapper_for_mount(self):
        # nfs://server:port/... is kura's syntax; libnfs 4.0 itself cannot parse it.
        url = "nfs://127.0.0.1:%d/export" % ns.NFS_PORT
        self.roundtrip(url, self.export, ["-z", "gzip"])


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
