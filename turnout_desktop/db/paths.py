"""Telling network locations from local ones, so the SQLite file never lands on a share (docs/reliability.md T9).

SQLite's locking is unreliable on network file systems and corruption follows (sqlite.org FAQ q5);
several offices must share the PostgreSQL server instead. Two layers of detection:

* :func:`is_network_path` classifies the *text* of a path and works the same on every platform:
  UNC names (``\\\\server\\share``), the Win32 long-path UNC form (``\\\\?\\UNC\\server\\share``),
  the device form (``\\\\.\\UNC\\...``), POSIX/Cygwin ``//server/share`` and URL forms such as
  ``smb://``, ``nfs://``, ``cifs://``, ``afp://``, ``webdav://``, ``ftp://`` and ``file://host/...``.
* :func:`is_on_network_filesystem` asks the running system about an existing location: on Windows
  ``GetDriveTypeW`` reports a mapped network drive letter (``Z:``) as ``DRIVE_REMOTE``; on Linux the
  file-system type of the mount holding the path is looked up in ``/proc/mounts`` (nfs, cifs, ...).

A mapped drive letter cannot be recognised from its text alone (``Z:\\turnout.db`` looks exactly like
a local disk), which is why the second layer exists; on other systems (macOS) only the first layer
applies, so a share mounted under ``/Volumes`` is not detected there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_URL_SCHEMES = ("smb", "smb2", "smb3", "cifs", "nfs", "afp", "webdav", "webdavs", "dav", "davs",
                       "ftp", "ftps", "sftp", "ssh", "http", "https")
NETWORK_FILESYSTEM_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "9p", "afs", "ceph", "glusterfs", "lustre", "gpfs",
    "fuse.sshfs", "fuse.glusterfs", "fuse.rclone", "fuse.s3fs", "davfs", "fuse.davfs2", "ncpfs", "coda",
})
_DRIVE_REMOTE = 4  # GetDriveTypeW result for a network (mapped) drive


def is_network_path(path: str) -> bool:
    """True when the text of ``path`` names a network location (UNC name or network URL).

    Args:
        path: A file path or URL as the user typed it (either slash direction).

    Returns:
        True for ``\\\\server\\share\\...``, ``\\\\?\\UNC\\...``, ``//server/share/...``, ``smb://...`` and
        similar; False for local paths, including drive letters (see the module notes on mapped drives).
    """
    text = path.strip()
    if not text:
        return False
    lowered = text.lower()
    scheme, sep, rest = lowered.partition("://")
    if sep and scheme in NETWORK_URL_SCHEMES:
        return True
    if sep and scheme == "file":
        # file:///C:/x, file:///home/x and file://localhost/x are local; file://server/share/x is not.
        host = rest.split("/", 1)[0]
        return host not in ("", "localhost")
    unified = text.replace("/", "\\")
    if unified.lower().startswith(("\\\\?\\unc\\", "\\\\.\\unc\\")):
        return True
    if unified.startswith(("\\\\?\\", "\\\\.\\")):
        return False  # long-path or device form of a local drive: \\?\C:\data
    if unified.startswith("\\\\"):
        server = unified[2:].split("\\", 1)[0]
        return bool(server)  # "\\server\share"; a bare "\\" names nothing
    return False


def is_on_network_filesystem(path: str | os.PathLike[str]) -> bool:
    """True when the operating system reports that ``path`` (or its nearest existing parent) is remote.

    Windows: the drive type of the path's root (mapped drive letters included). Linux: the type of the
    mount that holds the path, from ``/proc/mounts``. Elsewhere: False (not knowable portably).
    """
    location = Path(path)
    if sys.platform == "win32":
        return _windows_drive_is_remote(location)
    if sys.platform.startswith("linux"):
        return _linux_mount_type(location) in NETWORK_FILESYSTEM_TYPES
    return False


def _windows_drive_is_remote(location: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes

    root = location.resolve().anchor
    if not root:
        return False
    return int(ctypes.windll.kernel32.GetDriveTypeW(root)) == _DRIVE_REMOTE  # type: ignore[attr-defined]  # Windows only


def _existing_ancestor(location: Path) -> Path:
    current = location.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current.resolve()


def _linux_mount_type(location: Path, mounts_file: str = "/proc/mounts") -> str | None:
    """File-system type of the longest mount point that contains ``location`` (None if unknown)."""
    try:
        with open(mounts_file, encoding="utf-8") as handle:
            mounts = [line.split()[:3] for line in handle if line.strip()]
    except OSError:
        return None
    target = str(_existing_ancestor(location))
    best_point, best_type = "", None
    for fields in mounts:
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best_point):
            best_point, best_type = point, fields[2]
    return best_type
