"""inventory: greenhouse-gas and air-pollutant emission inventories for Chinese provinces and prefectures."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("inventory")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__", "BuildOptions", "build_inventory", "compile_inventory", "load_project"]


def __getattr__(name):
    # Public API, imported lazily so `import inventory` stays light.
    if name in ("build_inventory", "compile_inventory", "BuildOptions"):
        from inventory import build as module

        return getattr(module, name)
    if name == "load_project":
        from inventory.project import load_project

        return load_project
    raise AttributeError(name)
