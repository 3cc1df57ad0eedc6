"""Native library packaging (everything else is in pyproject.toml).

A wheel that holds libalphapo is a platform wheel (``py3-none-<platform>``, installed to
platlib) instead of ``py3-none-any``. The library comes either from a copy put into the
package by bundle-library.sh, or, when building from a libalphapo checkout, from its
``target/release`` build: ``pip install ./bindings/python`` then gives a package that works
in any environment. ``ALPHAPO_BUNDLE=0`` builds a pure-Python package instead (it then
finds the library through ``$ALPHAPO_LIBRARY``).
"""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

LIBRARY_NAMES = ("libalphapo.so", "libalphapo.dylib", "alphapo.dll")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def package_copy():
    return next((HERE / "alphapo" / n for n in LIBRARY_NAMES if (HERE / "alphapo" / n).is_file()), None)


def checkout_build():
    """The library built in the checkout this package sits in, if any."""
    if os.environ.get("ALPHAPO_BUNDLE") == "0":
        return None
    if not ((REPO / "Cargo.toml").is_file() and (REPO / "include" / "alphapo.h").is_file()):
        return None
    return next(
        (REPO / "target" / "release" / n for n in LIBRARY_NAMES if (REPO / "target" / "release" / n).is_file()),
        None,
    )


class BuildWithLibrary(build_py):
    """Copies the checkout's library into the built package (never into the source tree)."""

    def run(self):
        super().run()
        library = checkout_build()
        if library is not None and package_copy() is None:
            target = Path(self.build_lib) / "alphapo" / library.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library, target)


options = {"cmdclass": {"build_py": BuildWithLibrary}}
if package_copy() is not None or checkout_build() is not None:
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

    options["distclass"] = BinaryDistribution
    options["cmdclass"]["bdist_wheel"] = PlatformWheel

setup(**options)
