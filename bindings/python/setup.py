"""Only for wheels that bundle libalphapo (bundle-library.sh): such a wheel holds a native
library, so it is a platform wheel (``py3-none-<platform>``, installed to platlib) instead
of ``py3-none-any``. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.dist import Distribution

LIBRARY_NAMES = ("libalphapo.so", "libalphapo.dylib", "alphapo.dll")
bundled = any((Path(__file__).resolve().parent / "alphapo" / n).is_file() for n in LIBRARY_NAMES)

options = {}
if bundled:
    try:
        from setuptools.command.bdist_wheel import bdist_wheel
    except ImportError:  # setuptools < 70.1
        from wheel.bdist_wheel import bdist_wheel

    class BinaryDistribution(Distribution):
        def has_ext_modules(self):
            return True  # a native library inside, though not a CPython extension

    class PlatformWheel(bdist_wheel):
        def get_tag(self):
            _, _, platform = super().get_tag()
            return "py3", "none", platform  # loaded with ctypes: any Python 3, any ABI

    options = {"distclass": BinaryDistribution, "cmdclass": {"bdist_wheel": PlatformWheel}}

setup(**options)
