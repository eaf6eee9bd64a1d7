# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "qforge"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qforge_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "numerics"]

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
tool_dirs = [config.qforge_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["qforge-opt", "qforge"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
config.substitutions.append(("%qforge_python", config.qforge_python))
config.substitutions.append(("%numerics", os.path.join(config.test_source_root, "numerics")))
