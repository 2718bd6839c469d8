"""pip install --no-build-isolation .  — builds etch's Python bindings with CMake
(Debian's setuptools; no build backend from a package index is needed).

The extension is built in build-python/ by the same CMakeLists.txt as the CLI,
for the Python running pip, and packaged with python/etch/*.py.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(etch VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = ROOT / "build-python"
        jobs = os.environ.get("ETCH_JOBS", str(os.cpu_count() or 2))
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                        f"-DPython3_EXECUTABLE={sys.executable}", "-DETCH_BUILD_PYTHON=ON",
                        "-DETCH_BUILD_TESTS=OFF", "-DETCH_BUILD_BENCH=OFF"], check=True)
        subprocess.run(["cmake", "--build", str(build), "-j", jobs, "--target", "etch_python"], check=True)
        built = next((build / "python" / "etch").glob("_etch*.so"))
        dest = Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, dest)


setup(
    name="etch",
    version=version(),
    description="etch: from a trained network to an NPU program, measured end to end",
    packages=["etch"],
    package_dir={"": "python"},
    package_data={"etch": ["*.pyi", "py.typed"]},
    ext_modules=[Extension("etch._etch", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": "build-python/setuptools"}, "egg_info": {"egg_base": "build-python"}},
    python_requires=">=3.9",
    install_requires=[],  # numpy: Debian's python3-numpy (--system-site-packages)
)
