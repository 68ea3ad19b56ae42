"""Send one recording to many people: it is converted and uploaded once, then sent by
attachment id to each recipient (rate-limited, in parallel). A failure for some recipients is
reported per recipient, not raised.

    META_PAGE_TOKEN=EAAB... python broadcast.py note.mp3 6128493027184956 6128493027184957 ...
"""

import sys

import svara


def main(argv: list) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    audio_path, recipients = argv[1], argv[2:]
    with svara.Client() as client:  # token from META_PAGE_TOKEN, URL from SVARA_GRAPH_URL
        outcomes = client.send_many(recipients, audio_path=audio_path)
    for outcome in outcomes:
        if outcome.ok and outcome.result is not None:
            print(f"{outcome.recipient}: sent {outcome.result.id}")
        elif isinstance(outcome.error, svara.SvaraError):
            print(f"{outcome.recipient}: {outcome.error.code} - {outcome.error.message}")
    failed = sum(1 for o in outcomes if not o.ok)
    print(f"{len(outcomes) - failed} sent, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
