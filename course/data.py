"""The IDX reader and ``load_mnist``: offline first, checksummed, never half-loaded.

Introduced for the MNIST capstone. ``load_mnist`` looks for the four canonical files, in
this order, and takes the first folder that has a file:

1. the ``data_dir`` argument, when given;
2. the folder named by ``$COURSE_DATA_DIR``;
3. the user cache (``$COURSE_CACHE_DIR``, else the platform's cache folder);
4. the read-only mirror ``shared/data/mnist`` beside the repository, when present.

Only when none has it does it download, into the user cache, from the public mirrors
(with a progress bar). Every file is checked: gzip intact, IDX magic number, record
count, and the SHA-256 of its decompressed bytes. A problem raises ``DataError`` naming
the file and what is wrong; a failed download leaves no partial file behind.

Command line (``make data``)::

    python -m course.data --seed-from ../shared/data/mnist
"""

import argparse
import gzip
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pooch

# name: (record count, SHA-256 of the decompressed IDX bytes, number of dimensions)
MNIST_FILES = {
    "train-images-idx3-ubyte": (60000, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 3),
    "train-labels-idx1-ubyte": (60000, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 1),
    "t10k-images-idx3-ubyte": (10000, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 3),
    "t10k-labels-idx1-ubyte": (10000, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 1),
}

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# IDX type codes -> big-endian numpy dtypes
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(Exception):
    """A data file is missing, damaged or not what it claims to be."""


class CorruptFileError(DataError, ValueError):
    """A data file exists but cannot be trusted (truncated, wrong format, wrong checksum)."""


class DataNotFoundError(DataError, FileNotFoundError):
    """No copy of a data file was found and none could be downloaded."""


class MNIST(NamedTuple):
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def cache_dir():
    """The user cache folder for the course's data files."""
    env = os.environ.get("COURSE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(pooch.os_cache("nn-from-scratch")) / "mnist"


def shared_dir():
    """The read-only mirror beside the repository (``../shared/data/mnist``)."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def search_dirs(data_dir=None):
    """The folders ``load_mnist`` looks in, in order."""
    dirs = []
    if data_dir is not None:
        dirs.append(Path(data_dir).expanduser())
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(cache_dir())
    dirs.append(shared_dir())
    return dirs


def _decompressed_bytes(path):
    path = Path(path)
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data  # not gzip: a raw IDX file
    try:
        return gzip.decompress(data)
    except EOFError as exc:
        raise CorruptFileError(f"{path}: the gzip stream is truncated ({len(data)} bytes on "
                               "disk); the file was cut short, delete it and fetch it again") from exc
    except (OSError, zlib.error) as exc:
        raise CorruptFileError(f"{path}: not a valid gzip file ({exc})") from exc


def parse_idx(raw, name="<bytes>", expected_count=None, expected_ndim=None):
    """Decode the bytes of one IDX file into an array.

    Inputs:
    - raw: the decompressed file contents
    - name: how to name the file in error messages
    - expected_count: number of records (first dimension) it must hold, if known
    - expected_ndim: number of dimensions it must have, if known

    Returns an array of the file's shape and native-endian dtype.
    """
    if len(raw) < 4:
        raise CorruptFileError(f"{name}: only {len(raw)} bytes, too short for an IDX header")
    zero, code, ndim = raw[:2], raw[2], raw[3]
    magic = int.from_bytes(raw[:4], "big")
    if zero != b"\x00\x00" or code not in _IDX_DTYPES:
        raise CorruptFileError(f"{name}: wrong magic number 0x{magic:08x}; an IDX file starts "
                               "with 0x0000 then a type code (0x08 for unsigned bytes)")
    if expected_ndim is not None and ndim != expected_ndim:
        raise CorruptFileError(f"{name}: wrong magic number 0x{magic:08x}: it declares {ndim} "
                               f"dimension(s), expected {expected_ndim} "
                               f"(magic 0x{0x800 + expected_ndim:08x})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise CorruptFileError(f"{name}: header cut short ({len(raw)} bytes, need {header})")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if expected_count is not None and shape[0] != expected_count:
        raise CorruptFileError(f"{name}: wrong record count: the header says {shape[0]}, "
                               f"expected {expected_count}")
    dtype = np.dtype(_IDX_DTYPES[code])
    need = int(np.prod(shape)) * dtype.itemsize
    have = len(raw) - header
    if have != need:
        raise CorruptFileError(f"{name}: {have} bytes of data after the header, expected {need} "
                               f"for shape {shape}; the file is truncated or padded")
    array = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path, expected_count=None, expected_ndim=None, sha256=None):
    """Read one IDX file (raw or gzip-compressed), checking everything it is given.

    Inputs:
    - path: the file
    - expected_count, expected_ndim: as in ``parse_idx``
    - sha256: hex digest the decompressed bytes must have, if known

    Returns the array.
    """
    path = Path(path)
    raw = _decompressed_bytes(path)
    array = parse_idx(raw, str(path), expected_count, expected_ndim)
    if sha256 is not None:
        digest = hashlib.sha256(raw).hexdigest()
        if digest != sha256:
            raise CorruptFileError(f"{path}: checksum mismatch: the SHA-256 of its decompressed "
                                   f"bytes is {digest}, expected {sha256}; the file is damaged "
                                   "or not the canonical MNIST file, delete it and fetch it again")
    return array


def _find(name, dirs):
    for folder in dirs:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                return candidate
    return None


def _download(name, mirrors, progressbar=True):
    """Download ``name.gz`` into the cache, verify it, and return its path."""
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    count, sha, ndim = MNIST_FILES[name]
    failures = []
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)  # pooch reports each download's hash at INFO level
    try:
        for mirror in mirrors:
            url = mirror.rstrip("/") + f"/{name}.gz"
            try:
                # pooch writes to a temporary file and renames it only once complete
                path = Path(pooch.retrieve(url, known_hash=None, fname=f"{name}.gz",
                                           path=target, progressbar=progressbar))
            except Exception as exc:  # network errors come in many types
                failures.append(f"{url}: {type(exc).__name__}: {exc}")
                continue
            try:
                read_idx(path, count, ndim, sha)
            except CorruptFileError as exc:
                path.unlink(missing_ok=True)
                failures.append(f"{url}: {exc}")
                continue
            return path
    finally:
        logger.setLevel(level)
    raise DataNotFoundError(f"{name}: could not download it; tried\n  " + "\n  ".join(failures))


def locate(name, data_dir=None, download=True, mirrors=MIRRORS, progressbar=True):
    """Path of a verified copy of the MNIST file ``name`` (downloading it if allowed)."""
    if name not in MNIST_FILES:
        raise ValueError(f"unknown MNIST file {name!r}; choose one of {sorted(MNIST_FILES)}")
    dirs = search_dirs(data_dir)
    found = _find(name, dirs)
    if found is not None:
        return found
    looked = "\n  ".join(str(d) for d in dirs)
    if not download:
        raise DataNotFoundError(f"{name}: no copy found, and downloading is off; looked in\n  "
                                f"{looked}\nRun `make data`, or set COURSE_DATA_DIR to a "
                                "folder holding the four MNIST files.")
    try:
        return _download(name, mirrors, progressbar)
    except DataNotFoundError as exc:
        raise DataNotFoundError(f"{exc}\nNo local copy either; looked in\n  {looked}\n"
                                "Run `make data` where the files are available, or set "
                                "COURSE_DATA_DIR to a folder holding them.") from None


def load_mnist(data_dir=None, flatten=True, download=True, mirrors=MIRRORS, progressbar=True):
    """Load MNIST as float32 images in [0, 1] and int64 labels.

    Inputs:
    - data_dir: a folder to look in first (optional)
    - flatten: images as rows of 784 pixels (True) or as 28 x 28 arrays
    - download: allow downloading into the user cache when no copy is found

    Returns ``MNIST(X_train, y_train, X_test, y_test)``: ``X_train`` (60000, 784),
    ``y_train`` (60000,), ``X_test`` (10000, 784), ``y_test`` (10000,).
    """
    arrays = {}
    for name, (count, sha, ndim) in MNIST_FILES.items():
        path = locate(name, data_dir, download, mirrors, progressbar)
        arrays[name] = read_idx(path, count, ndim, sha)

    def images(a):
        a = a.astype(np.float32) / np.float32(255.0)
        return a.reshape(len(a), -1) if flatten else a

    return MNIST(images(arrays["train-images-idx3-ubyte"]),
                 arrays["train-labels-idx1-ubyte"].astype(np.int64),
                 images(arrays["t10k-images-idx3-ubyte"]),
                 arrays["t10k-labels-idx1-ubyte"].astype(np.int64))


def seed_cache(source, log=print):
    """Copy verified MNIST files from ``source`` into the user cache.

    Files already in the cache are checked, not copied again. Returns the number copied.
    """
    source = Path(source)
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for name, (count, sha, ndim) in MNIST_FILES.items():
        existing = _find(name, [target])
        if existing is not None:
            read_idx(existing, count, ndim, sha)
            log(f"ok      {existing}")
            continue
        src = _find(name, [source])
        if src is None:
            continue
        read_idx(src, count, ndim, sha)
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{src.name}.", suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, target / src.name)
        finally:
            Path(tmp).unlink(missing_ok=True)
        copied += 1
        log(f"copied  {src} -> {target / src.name}")
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course.data",
                                     description="Put verified MNIST files in the user cache.")
    parser.add_argument("--seed-from", metavar="DIR",
                        help="copy the files from this folder first, when it exists")
    parser.add_argument("--no-download", action="store_true",
                        help="fail instead of downloading what is still missing")
    args = parser.parse_args(argv)
    try:
        if args.seed_from and Path(args.seed_from).is_dir():
            seed_cache(args.seed_from)
        for name in MNIST_FILES:
            path = locate(name, download=not args.no_download)
            count, sha, ndim = MNIST_FILES[name]
            read_idx(path, count, ndim, sha)
            print(f"verified {path}")
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
