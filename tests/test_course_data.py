"""course.data: the IDX reader and load_mnist, bad inputs included."""

import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from course import data
from course.data import CorruptFileError, DataNotFoundError, parse_idx, read_idx

SHARED = data.shared_dir()
LABELS = "t10k-labels-idx1-ubyte"


def idx_bytes(array, code=0x08):
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own empty cache and no COURSE_DATA_DIR, and the shared mirror
    is hidden unless the test puts it back."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setattr(data, "shared_dir", lambda: tmp_path / "no-shared")
    return tmp_path / "cache"


def test_parse_idx_round_trips_every_type():
    rng = np.random.default_rng(0)
    cases = [(rng.integers(0, 255, (3, 4, 5)).astype(np.uint8), 0x08),
             (rng.integers(-100, 100, (7,)).astype(np.int16), 0x0B),
             (rng.normal(size=(2, 3)).astype(np.float32), 0x0D),
             (rng.normal(size=(4,)), 0x0E)]
    for array, code in cases:
        out = parse_idx(idx_bytes(array, code))
        np.testing.assert_array_equal(out, array)
        assert out.dtype.isnative


def test_read_idx_reads_raw_and_gzip(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(array))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    for name in ("a", "a.gz"):
        np.testing.assert_array_equal(read_idx(tmp_path / name, expected_count=2, expected_ndim=3), array)


def test_truncated_gzip_is_reported(tmp_path):
    blob = gzip.compress(idx_bytes(np.zeros((50, 28, 28), np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(CorruptFileError, match=r"cut\.gz: the gzip stream is truncated"):
        read_idx(path)


def test_wrong_magic_number_is_reported(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x12\x34\x08\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(CorruptFileError, match=r"bad: wrong magic number 0x12340801"):
        read_idx(path)
    # a labels file where an images file is expected
    path.write_bytes(idx_bytes(np.zeros(5, np.uint8)))
    with pytest.raises(CorruptFileError, match=r"declares 1 dimension\(s\), expected 3"):
        read_idx(path, expected_ndim=3)


def test_wrong_record_count_is_reported(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(9999, np.uint8)))
    with pytest.raises(CorruptFileError, match=r"wrong record count: the header says 9999, expected 10000"):
        read_idx(path, expected_count=10000)


def test_payload_shorter_than_header_says_is_reported(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(idx_bytes(np.zeros((10, 2, 2), np.uint8))[:-3])
    with pytest.raises(CorruptFileError, match=r"37 bytes of data after the header, expected 40"):
        read_idx(path)


def test_checksum_mismatch_is_reported(tmp_path):
    raw = idx_bytes(np.ones(10, np.uint8))
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(raw))
    good = hashlib.sha256(raw).hexdigest()
    np.testing.assert_array_equal(read_idx(path, sha256=good), np.ones(10))
    with pytest.raises(CorruptFileError, match=r"x\.gz: checksum mismatch: .* expected 0{64}"):
        read_idx(path, sha256="0" * 64)


def test_search_order_is_argument_env_cache_shared(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "env"))
    dirs = data.search_dirs(tmp_path / "arg")
    assert dirs == [tmp_path / "arg", tmp_path / "env", tmp_path / "cache", tmp_path / "no-shared"]
    for folder in ("env", "cache"):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / f"{LABELS}.gz").write_bytes(b"")
    assert data.locate(LABELS, tmp_path / "arg", download=False) == tmp_path / "env" / f"{LABELS}.gz"
    (tmp_path / "arg").mkdir()
    (tmp_path / "arg" / LABELS).write_bytes(b"")
    assert data.locate(LABELS, tmp_path / "arg", download=False) == tmp_path / "arg" / LABELS


def test_offline_with_no_copy_says_where_it_looked(tmp_path):
    closed = "http://127.0.0.1:9/"  # the discard port: nothing listens there
    with pytest.raises(DataNotFoundError) as info:
        data.locate(LABELS, download=True, mirrors=[closed], progressbar=False)
    message = str(info.value)
    assert "could not download" in message and "127.0.0.1:9" in message
    assert str(tmp_path / "cache") in message and "make data" in message
    with pytest.raises(DataNotFoundError, match="downloading is off"):
        data.locate(LABELS, download=False)


def test_corrupt_copy_is_reported_not_skipped(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in data.MNIST_FILES:
        (folder / f"{name}.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 8))
    with pytest.raises(CorruptFileError, match=r"mine/train-images-idx3-ubyte\.gz: wrong magic"):
        data.load_mnist(folder, download=False)


class _Server:
    """A tiny HTTP server on 127.0.0.1 that serves one body, possibly cut short."""

    def __init__(self, body, cut=None):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body if cut is None else body[:cut])
                self.wfile.flush()
                if cut is not None:
                    self.connection.close()

            def log_message(self, *args):
                pass

        self.requests = 0
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def real_shared():
    """The real shared mirror (the autouse fixture hides it from the loader's search)."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def test_download_verifies_and_caches(isolated_cache, real_shared):
    if not real_shared.exists():
        pytest.skip("the shared MNIST mirror is not beside the repository")
    server = _Server((real_shared / f"{LABELS}.gz").read_bytes())
    try:
        path = data.locate(LABELS, mirrors=[server.url], progressbar=False)
    finally:
        server.close()
    assert path == isolated_cache / f"{LABELS}.gz" and server.requests == 1
    labels = read_idx(path, 10000, 1, data.MNIST_FILES[LABELS][1])
    assert np.bincount(labels).tolist()[:3] == [980, 1135, 1032]


def test_interrupted_download_leaves_no_partial_file(isolated_cache):
    body = gzip.compress(os.urandom(200_000))
    server = _Server(body, cut=50_000)
    try:
        with pytest.raises(DataNotFoundError, match="could not download"):
            data.locate(LABELS, mirrors=[server.url], progressbar=False)
    finally:
        server.close()
    leftovers = list(isolated_cache.rglob("*")) if isolated_cache.exists() else []
    assert not [p for p in leftovers if p.is_file()], f"partial files left: {leftovers}"


def test_download_with_wrong_checksum_is_deleted(isolated_cache):
    wrong = gzip.compress(idx_bytes(np.zeros(10000, np.uint8)))
    server = _Server(wrong)
    try:
        with pytest.raises(DataNotFoundError, match="checksum mismatch"):
            data.locate(LABELS, mirrors=[server.url], progressbar=False)
    finally:
        server.close()
    assert not [p for p in isolated_cache.rglob("*") if p.is_file()]


def test_seed_cache_copies_verified_files(isolated_cache, real_shared):
    if not real_shared.exists():
        pytest.skip("the shared MNIST mirror is not beside the repository")
    lines = []
    assert data.seed_cache(real_shared, log=lines.append) == 4
    assert data.seed_cache(real_shared, log=lines.append) == 0  # already there: checked only
    assert sorted(p.name for p in isolated_cache.iterdir()) == sorted(f"{n}.gz" for n in data.MNIST_FILES)


def test_load_mnist_from_the_real_files(real_shared):
    if not real_shared.exists():
        pytest.skip("the shared MNIST mirror is not beside the repository")
    mnist = data.load_mnist(real_shared, download=False)
    assert mnist.X_train.shape == (60000, 784) and mnist.X_test.shape == (10000, 784)
    assert mnist.X_train.dtype == np.float32 and mnist.y_train.dtype == np.int64
    assert 0.0 <= mnist.X_train.min() and mnist.X_train.max() == 1.0
    assert np.bincount(mnist.y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(mnist.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    images = data.load_mnist(real_shared, flatten=False, download=False).X_test
    assert images.shape == (10000, 28, 28)
