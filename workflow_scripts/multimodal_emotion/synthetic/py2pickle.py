"""Pickles of numpy arrays as Python 2's cPickle wrote them (protocol 2, numpy 1.x).

DEAP's ``sXX.dat`` files are such pickles. Python 3's :mod:`pickle` cannot write them:
under protocol 2 a Python 3 ``bytes`` object pickles as ``_codecs.encode(text,
"latin1")`` and ``ndarray.__reduce__`` names ``numpy._core`` under numpy 2. This module
emits the opcodes by hand:

- ``PROTO 2``; the dict as ``EMPTY_DICT``, ``MARK`` ... ``SETITEMS``;
- keys and the array payloads as ``SHORT_BINSTRING`` / ``BINSTRING`` (Python 2 ``str``:
  raw bytes, no escaping, so the file is the size of the data plus a few hundred bytes);
- each array as numpy 1.x reduced it:
  ``numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b')`` then ``BUILD`` with
  ``(1, shape, dtype, is_fortran, data)``; the dtype as
  ``numpy.dtype('f8', 0, 1)`` + ``BUILD (3, '<', None, None, None, -1, -1, 0)``.

Like the real files, the result loads with ``pickle.load(f, encoding="latin1")`` (numpy
2 maps ``numpy.core`` to ``numpy._core``), and fails without it: the default ASCII
decoding of ``BINSTRING`` payloads stops at the first byte above 127.
"""

from __future__ import annotations

import pickle
import struct
from collections.abc import Mapping
from typing import BinaryIO

import numpy as np


def _string(value: bytes) -> bytes:
    """A Python 2 ``str``: SHORT_BINSTRING up to 255 bytes, else BINSTRING."""
    if len(value) < 256:
        return pickle.SHORT_BINSTRING + bytes([len(value)]) + value
    if len(value) >= 2**31:
        raise ValueError("BINSTRING holds at most 2 GiB")
    return pickle.BINSTRING + struct.pack("<i", len(value)) + value


def _int(value: int) -> bytes:
    if 0 <= value < 256:
        return pickle.BININT1 + bytes([value])
    if 0 <= value < 65536:
        return pickle.BININT2 + struct.pack("<H", value)
    return pickle.BININT + struct.pack("<i", value)


def _global(module: str, name: str) -> bytes:
    return pickle.GLOBAL + f"{module}\n{name}\n".encode("ascii")


def _tuple(items: list[bytes]) -> bytes:
    small = {0: pickle.EMPTY_TUPLE, 1: pickle.TUPLE1, 2: pickle.TUPLE2, 3: pickle.TUPLE3}
    if len(items) in small:
        return b"".join(items) + small[len(items)]
    return pickle.MARK + b"".join(items) + pickle.TUPLE


def _dtype(dtype: np.dtype) -> bytes:
    if dtype.kind not in "fiub" or dtype.fields is not None:
        raise ValueError(f"only plain numeric dtypes are supported, got {dtype}")
    order = b"|" if dtype.itemsize == 1 else b"<"
    if dtype.byteorder == ">":
        raise ValueError("big-endian arrays are not supported")
    code = f"{dtype.kind}{dtype.itemsize}".encode("ascii")
    state = [_int(3), _string(order), pickle.NONE, pickle.NONE, pickle.NONE,
             pickle.BININT + struct.pack("<i", -1), pickle.BININT + struct.pack("<i", -1), _int(0)]
    return (_global("numpy", "dtype") + _tuple([_string(code), _int(0), _int(1)]) + pickle.REDUCE
            + _tuple(state) + pickle.BUILD)


def _array_head(array: np.ndarray) -> bytes:
    """Everything of an array's pickle before its data payload."""
    shape = _tuple([_int(n) for n in array.shape])
    return (_global("numpy.core.multiarray", "_reconstruct")
            + _tuple([_global("numpy", "ndarray"), _tuple([_int(0)]), _string(b"b")]) + pickle.REDUCE
            + pickle.MARK + _int(1) + shape + _dtype(array.dtype) + pickle.NEWFALSE)


def dump_arrays(arrays: Mapping[str, np.ndarray], f: BinaryIO) -> None:
    """Write ``{name: array}`` to ``f`` as Python 2's ``cPickle.dump(d, f, 2)`` did.

    Arrays are written C-contiguous, little-endian; the data go out without a copy.
    """
    f.write(pickle.PROTO + bytes([2]) + pickle.EMPTY_DICT + pickle.MARK)
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        f.write(_string(name.encode("ascii")) + _array_head(array))
        f.write(pickle.BINSTRING + struct.pack("<i", array.nbytes))
        f.write(memoryview(array).cast("B"))
        f.write(pickle.TUPLE + pickle.BUILD)
    f.write(pickle.SETITEMS + pickle.STOP)
