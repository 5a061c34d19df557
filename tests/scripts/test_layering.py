#!/usr/bin/env python3
"""scripts/check-layering.py: the tree as it is passes, and breaking any one rule on purpose
(one include line or one Meson line, in a copy of the tree) fails, naming that rule."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "check-layering.py")
COPIED = ["include", "src", "kernel-shim"]


def check(root):
    r = subprocess.run([sys.executable, SCRIPT, root], capture_output=True, text=True, check=False)
    return r.returncode, r.stdout + r.stderr


class Layering(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="layering-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.root = os.path.join(self.tmp, self.id().rsplit(".", 1)[-1])
        for d in COPIED:
            shutil.copytree(os.path.join(ROOT, d), os.path.join(self.root, d))

    def add_line(self, path, line, after=None):
        """Insert `line` after the first line starting with `after` (default: the first include)."""
        full = os.path.join(self.root, path)
        with open(full, encoding="utf-8") as f:
            lines = f.read().split("\n")
        at = next(i for i, l in enumerate(lines) if l.startswith(after or "#include"))
        lines.insert(at + 1, line)
        with open(full, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))

    def expect_broken(self, rule, where):
        rc, out = check(self.root)
        self.assertEqual(rc, 1, f"the check passed a tree that breaks rule {rule}:\n{out}")
        self.assertIn(f"layering: {rule}: {where}", out, f"rule {rule} not named for {where}:\n{out}")

    def test_the_tree_as_it_is_passes(self):
        rc, out = check(ROOT)
        self.assertEqual(rc, 0, out)
        self.assertIn("layering: ok", out)

    def test_lifecycle_core_including_a_kernel_header_fails(self):
        self.add_line("src/lifecycle/lifecycle.c", '#include "nx/abi.h"')
        self.expect_broken("lifecycle", "src/lifecycle/lifecycle.c")

    def test_lifecycle_core_including_a_non_standard_system_header_fails(self):
        self.add_line("include/lc/lifecycle.h", "#include <picotls.h>")
        self.expect_broken("lifecycle", "include/lc/lifecycle.h")

    def test_ipc_helper_including_the_kernel_abi_fails(self):
        self.add_line("src/ipc/route.c", '#include "nx/abi.h"')
        self.expect_broken("ipc", "src/ipc/route.c")

    def test_ipc_helper_including_the_task_runtime_fails(self):
        self.add_line("include/ipc/route.h", '#include "ulib/sys.h"')
        self.expect_broken("ipc", "include/ipc/route.h")

    def test_kernel_including_the_ipc_library_fails(self):
        self.add_line("kernel-shim/ipc.c", '#include "ipc/wire.h"')
        self.expect_broken("kernel", "kernel-shim/ipc.c")

    def test_kernel_including_the_user_manifest_fails(self):
        self.add_line("kernel-shim/main.c", '#include "nx_manifest.h"')
        self.expect_broken("kernel", "kernel-shim/main.c")

    def test_kernel_linking_a_library_of_src_fails(self):
        self.add_line("kernel-shim/meson.build", "  dependencies: [ipc_dep],", after="  link_with: [mem_lib],")
        self.expect_broken("kernel", "kernel-shim/meson.build")

    def test_kernel_building_a_source_of_src_fails(self):
        self.add_line("kernel-shim/meson.build", "  '../src/ipc/wire.c',", after="  'console.c',")
        self.expect_broken("kernel", "kernel-shim/meson.build")

    def test_abi_layer_including_the_ipc_library_fails(self):
        self.add_line("src/abi/notice.c", '#include "ipc/wire.h"')
        self.expect_broken("abi", "src/abi/notice.c")

    def test_crypto_wrapper_including_the_kernel_abi_fails(self):
        self.add_line("src/crypto/sig.c", '#include "nx/abi.h"')
        self.expect_broken("crypto", "src/crypto/sig.c")

    def test_protocol_including_the_task_runtime_fails(self):
        self.add_line("src/proto/appmgr.c", '#include "ulib/sys.h"')
        self.expect_broken("proto", "src/proto/appmgr.c")

    def test_task_runtime_including_the_lifecycle_core_fails(self):
        self.add_line("src/ulib/svc.c", '#include "lc/lifecycle.h"')
        self.expect_broken("ulib", "src/ulib/svc.c")

    def test_service_including_another_services_internals_fails(self):
        self.add_line("src/console/console.c", '#include "../appmgrd/lc_wire.h"')
        self.expect_broken("tasks", "src/console/console.c")

    def test_service_including_a_header_of_another_folder_by_name_fails(self):
        self.add_line("src/execd/execd.c", '#include "st.h"')
        self.expect_broken("tasks", "src/execd/execd.c")

    def test_service_building_another_services_source_fails(self):
        self.add_line("src/meson.build", "  'rngd': files('rngd/rngd.c', 'timed/timed.c'),", after="  'rngd':")
        self.expect_broken("tasks", "src/meson.build")

    def test_client_including_the_lifecycle_core_fails(self):
        self.add_line("src/console/console.c", '#include "lc/lifecycle.h"')
        self.expect_broken("core-users", "src/console/console.c")

    def test_storage_library_including_the_ipc_library_fails(self):
        self.add_line("src/statefs/store.c", '#include "ipc/wire.h"')
        self.expect_broken("statefs", "src/statefs/store.c")

    def test_a_task_other_than_statefsd_including_the_storage_library_fails(self):
        self.add_line("src/appmgrd/appmgrd.c", '#include "statefs/statefs.h"')
        self.expect_broken("core-users", "src/appmgrd/appmgrd.c")

    def test_a_task_other_than_statefsd_linking_the_storage_library_fails(self):
        self.add_line("src/meson.build", "  'console': [sfs_dep],", after="  'appmgrd': [lc_dep],")
        self.expect_broken("core-users", "src/meson.build")

    def test_client_library_including_the_lifecycle_core_fails(self):
        self.add_line("src/client/statefs.c", '#include "lc/lifecycle.h"')
        self.expect_broken("client", "src/client/statefs.c")

    def test_client_linking_the_lifecycle_core_fails(self):
        self.add_line("src/meson.build", "  'selftest': [lc_dep],", after="  'appmgrd': [lc_dep],")
        self.expect_broken("core-users", "src/meson.build")


if __name__ == "__main__":
    unittest.main()
