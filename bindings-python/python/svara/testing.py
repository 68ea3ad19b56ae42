"""Test your bot without a Meta account: Svara's emulator of the Messenger, Instagram, WhatsApp
Cloud and Telegram Bot APIs (one port), in your process.

    from svara.testing import Emulator

    def test_voice_reply():
        with Emulator() as emu:
            result = svara.send(recipient=emu.psid, audio_path="hello.mp3",
                                session={"page_access_token": emu.token}, graph_url=emu.url)
            (note,) = emu.deliveries(emu.psid)
            assert note["message_id"] == result.id

The emulator checks what Meta's Send API checks (token, PSID, 24-hour window, tags, file
type and size, rate limit) over real HTTP on 127.0.0.1 and fails the way Meta fails. Scenarios
(``rate_limit``, ``psids``, ``faults``, ...) are the keys of the emulator's JSON/TOML config,
given as a dict, a file, or keyword arguments::

    Emulator(rate_limit={"audio_sends_per_second": 1})
    Emulator(faults=[{"kind": "http500", "psids": [PSIDS["default"]], "times": 1}])
    Emulator(config="scenario.toml")

``python -m svara.testing [--port N] [--config FILE]`` runs one in the foreground and prints its
URL on the first line.
"""

from __future__ import annotations

import json
import os
import warnings
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Dict, Iterator, List, Mapping, Optional, Type, Union

from svara._native import NativeEmulator, emulator_well_known

__all__ = [
    "Emulator",
    "PAGE_TOKEN",
    "EXPIRED_PAGE_TOKEN",
    "DEV_MODE_PAGE_TOKEN",
    "PSIDS",
    "PLATFORMS",
]

_WELL_KNOWN: Dict[str, Any] = emulator_well_known()
#: A valid token of the emulator's default Page.
PAGE_TOKEN: str = _WELL_KNOWN["page_token"]
#: An expired token of the default Page (answers 190/463: ``InvalidTokenError``).
EXPIRED_PAGE_TOKEN: str = _WELL_KNOWN["expired_page_token"]
#: A token of a Page whose app is not live (``PermissionDeniedError`` except for app testers).
DEV_MODE_PAGE_TOKEN: str = _WELL_KNOWN["dev_mode_page_token"]
#: The default people by role: ``default``, ``second``, ``outside_window``,
#: ``outside_human_agent_window``, ``blocked``, ``unavailable``, ``app_tester``, ``unknown``.
PSIDS: Dict[str, str] = dict(_WELL_KNOWN["psids"])
#: The other platforms the emulator serves on the same port, by name (``instagram``,
#: ``whatsapp``, ``telegram``): ``sender`` (ids and tokens, e.g.
#: ``PLATFORMS["telegram"]["sender"]["token"]``, ``PLATFORMS["whatsapp"]["sender"]["phone_number_id"]``)
#: and ``recipients`` by role (``default``, ``second``, ``blocked``, ``unknown``, ...).
PLATFORMS: Dict[str, Dict[str, Dict[str, str]]] = {
    name: {part: dict(values) for part, values in _WELL_KNOWN[name].items()}
    for name in ("instagram", "whatsapp", "telegram")
}

ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]", None]


class Emulator:
    """A running Graph API emulator on 127.0.0.1 (a free port unless ``port=`` is given).

    ``config`` is a dict of scenario keys, or the path of a ``.json``/``.toml`` scenario;
    keyword arguments are merged on top of a dict. Stop it with ``close()`` or a ``with``
    block.
    """

    def __init__(self, config: ConfigSource = None, **options: Any) -> None:
        if isinstance(config, Mapping) or config is None:
            merged: Dict[str, Any] = dict(config or {})
            merged.update(options)
            self._native = NativeEmulator(config_json=json.dumps(merged) if merged else None)
        else:
            if options:
                raise TypeError(
                    "Give scenario keys either in the config file or as keyword arguments, not both."
                )
            self._native = NativeEmulator(config_file=os.fspath(config))

    @property
    def url(self) -> str:
        """Base URL (``http://127.0.0.1:PORT``): pass it as ``graph_url`` or ``SVARA_GRAPH_URL``."""
        return self._native.url

    @property
    def token(self) -> str:
        """The scenario's default Page access token: the first token of the first Page."""
        token = self._native.token
        if token is None:
            raise LookupError("This scenario configures no Page with a token.")
        return token

    @property
    def psid(self) -> str:
        """The scenario's default PSID: ``PSIDS["default"]`` when configured, else the first."""
        psid = self._native.psid
        if psid is None:
            raise LookupError("This scenario configures no PSID.")
        return psid

    @property
    def running(self) -> bool:
        """True until ``close()``."""
        return self._native.running

    def snapshot(self) -> Dict[str, Any]:
        """What was received, as ``GET /__emulator/messages`` returns it: ``recipients``
        (per PSID: ``attempts`` and ``messages``), ``attachments``, ``attempts``,
        ``upload_attempts``, ``delivered``. (Node: ``emulator.snapshot()``.)"""
        return self._native.snapshot()

    def messages(self) -> Dict[str, Any]:
        """Deprecated name of ``snapshot()`` (Node's ``messages`` lists deliveries instead)."""
        warnings.warn("Emulator.messages() is now snapshot()", DeprecationWarning, stacklevel=2)
        return self.snapshot()

    def deliveries(self, psid: Optional[str] = None) -> List[Dict[str, Any]]:
        """Accepted voice notes, oldest first (only those to ``psid`` when given).
        (Node: ``emulator.deliveries(psid)``.)"""
        return self._native.deliveries(psid)

    def attempts(self, psid: str) -> int:
        """Requests to a send endpoint for ``psid``, accepted or not (retries included)."""
        log = self.snapshot()["recipients"].get(psid)
        return int(log["attempts"]) if log else 0

    def audio(self, sha256: str) -> Optional[bytes]:
        """The bytes of a received voice note, by its ``sha256``, while the emulator keeps them."""
        return self._native.audio(sha256)

    def reset(self) -> None:
        """Forgets deliveries, attempts, attachments, rate-limit windows and fault counters."""
        self._native.reset()

    def env(self) -> Dict[str, str]:
        """``META_PAGE_TOKEN`` and ``SVARA_GRAPH_URL`` for this emulator (e.g. for a subprocess)."""
        return {"META_PAGE_TOKEN": self.token, "SVARA_GRAPH_URL": self.url}

    @contextmanager
    def environ(self) -> Iterator["Emulator"]:
        """Sets ``META_PAGE_TOKEN`` and ``SVARA_GRAPH_URL`` in ``os.environ`` for the block."""
        saved = {k: os.environ.get(k) for k in ("META_PAGE_TOKEN", "SVARA_GRAPH_URL")}
        os.environ.update(self.env())
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def close(self) -> None:
        """Stops the server (idempotent)."""
        self._native.close()

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        native = getattr(self, "_native", None)
        if native is None:
            return "Emulator(not started)"
        return f"Emulator(url={native.url!r}, running={native.running})"


def _main(argv: Optional[List[str]] = None) -> int:
    import argparse
    import signal
    import sys
    import threading

    parser = argparse.ArgumentParser(
        prog="python -m svara.testing",
        description="Run Svara's Graph API emulator until interrupted; prints its URL first.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--config", help="a .json or .toml scenario file")
    args = parser.parse_args(argv)
    if args.config and args.port:
        parser.error("give the port inside the config file when using --config")
    emulator = Emulator(config=args.config) if args.config else Emulator(port=args.port)
    print(emulator.url, flush=True)
    print(f"page token: {emulator.token}", flush=True)
    for role, psid in PSIDS.items():
        print(f"psid {role}: {psid}", flush=True)
    for platform, parts in PLATFORMS.items():
        for name, value in parts["sender"].items():
            print(f"{platform} {name}: {value}", flush=True)
        for role, recipient in parts["recipients"].items():
            print(f"{platform} recipient {role}: {recipient}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    emulator.close()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
