"""Which encoding a text file is in, and its text: UTF-8, UTF-16 and GB18030 are read; nothing is guessed silently.

A file is decoded in one encoding or not at all:

- a byte-order mark says UTF-8, UTF-16 LE or UTF-16 BE;
- without one, a file that is valid UTF-8 is UTF-8;
- a file that reads as GB18030 (Excel's CSV on Chinese Windows; GBK and
  GB2312 are subsets of it) into mostly common Chinese characters is GB18030
  (UTF-8 Chinese read that way gives mostly rare characters);
- a file that holds UTF-8 characters and a few bytes that are not UTF-8 (one
  cell pasted from a Western Windows program) is UTF-8 with bad bytes: an
  error naming the line and byte, never a re-decode of the whole file in
  another encoding (that turned 幸福社区 into 骞哥绀惧尯);
- otherwise ``charset-normalizer`` chooses among GB18030, UTF-16 without a
  mark and Windows-1252 (Western European, which is named in the error: shequ
  does not read it unless asked with ``--encoding``).

``encoding`` (the ``--encoding`` option) forces one codec; bytes invalid in it
are an error too.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
#: What charset-normalizer may answer, and the codec and name each is read with (None: not read).
_DETECTED: dict[str, tuple[str | None, str]] = {
    "gb18030": ("gb18030", "GB18030 (GBK)"),
    "utf_16_le": ("utf-16-le", "UTF-16 LE"),
    "utf_16_be": ("utf-16-be", "UTF-16 BE"),
    "cp1252": (None, "Windows-1252 (Western European)"),
    "big5": (None, "Big5 (Traditional Chinese)"),
}


class EncodingProblem(Exception):
    """Text that cannot be decoded: ``message`` says why, ``where`` the line (None for the whole file)."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and the name of its encoding (``UTF-8``, ``UTF-16 LE``, ``GB18030 (GBK)`` …).

    :raises EncodingProblem: bytes not valid in the encoding found or forced, or no encoding shequ reads.
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise EncodingProblem(f"unknown encoding '{encoding}' (--encoding): try utf-8, utf-16 or gb18030") from None
        name = codec.name
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        return _strict(data, name, encoding), encoding
    for bom, codec_name, name in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec_name, name), name
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _mostly_common_chinese(text):  # UTF-8 Chinese read as GB18030 gives rare characters: never this
            return text, _DETECTED["gb18030"][1]
    loose = data.decode("utf-8", errors="replace")
    invalid = loose.count("\ufffd")
    if sum(1 for char in loose if char >= "\x80") - invalid >= invalid:
        # as many UTF-8 characters as bad bytes: a few bad bytes in a UTF-8 file, not another encoding
        raise _bad_byte(data, utf8_error, "UTF-8") from None
    from charset_normalizer import from_bytes  # imported late: only files that are not UTF-8 need it

    best = from_bytes(data, cp_isolation=list(_DETECTED)).best()
    if best is None:
        raise EncodingProblem(
            "cannot read: the file is not UTF-8, UTF-16 or GB18030 (GBK) text; save it as UTF-8 "
            "(or give its encoding with --encoding)"
        )
    detected_codec, detected = _DETECTED.get(best.encoding, (None, best.encoding))
    if detected_codec is None:
        raise EncodingProblem(
            f"cannot read: the file looks like {detected} text, not UTF-8, UTF-16 or GB18030 (GBK); "
            f"save it as UTF-8, or read it as that with --encoding {best.encoding}"
        )
    return _strict(data, detected_codec, detected), detected


def _mostly_common_chinese(text: str) -> bool:
    """Whether 80% of the characters beyond ASCII are in GB2312's zone (common Chinese characters, punctuation).

    Read as GB18030, Chinese text gives those (two bytes, both from 0xA1); a
    Western text (an accented letter and the ASCII letter after it) gives rare
    characters of GBK's extension (a second byte below 0x80), and Big5 gives
    kana and box drawing among its hanzi.
    """
    wide = [char for char in text if char >= "\x80"]
    if not wide:
        return False
    common = 0
    for char in wide:
        code = char.encode("gb18030")
        # rows 1-3: punctuation and full-width forms; from row 16 (0xB0): the hanzi. Not kana, Greek,
        # Cyrillic, box drawing (rows 4-9), which Big5 or Western bytes give when read as GB18030.
        common += len(code) == 2 and (0xA1 <= code[0] <= 0xA3 or 0xB0 <= code[0] <= 0xF7) and code[1] >= 0xA1
    return common * 5 >= len(wide) * 4


def _strict(data: bytes, codec_name: str, name: str) -> str:
    try:
        return data.decode(codec_name)
    except UnicodeDecodeError as exc:
        raise _bad_byte(data, exc, name) from None


def _bad_byte(data: bytes, exc: UnicodeDecodeError, name: str) -> EncodingProblem:
    """The first byte not valid in ``name``: where it is (line, byte offset from 0) and what it is."""
    start = exc.start
    before = data[:start].decode(exc.encoding, errors="replace")
    line = before.count("\n") + (before.count("\r") if "\n" not in before else 0) + 1
    shown = " ".join(f"0x{byte:02X}" for byte in data[start : max(exc.end, start + 1)][:4])
    message = (
        f"byte {start:,} ({shown}) is not valid {name}: fix that cell, or save the whole file in one "
        "encoding (the file is not re-read in another one)"
    )
    return EncodingProblem(message, where=f"line {line}")
