"""framing: media-framing and stance classification for news."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("framing")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
