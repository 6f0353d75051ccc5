"""A tablet on a gate's LAN, as a program (run inside a network namespace by tests/e2e/test_sibling_gates.py).

    python -m tests.e2e.tablet_probe URL CODE STEP...

Pairs with the pairing CODE, then runs each STEP: ``bind:IDM:WORKER`` (the カード登録 form) or ``get:PATH``
(prints the page between marker lines). Exits non-zero on any refusal.

CODE ``-``: a LAN host that never paired; each STEP ``refused:METHOD:PATH`` must be refused (401,
``tablet_not_paired``); exits non-zero if anything is served.
"""

from __future__ import annotations

import sys

import httpx


def main(argv: list[str]) -> int:
    url, code, *steps = argv
    if code == "-":
        with httpx.Client(base_url=url, timeout=30) as stranger:
            for step in steps:
                _, method, path = step.split(":", 2)
                r = stranger.request(method, path, data={"idm": "012E000000000001"} if method == "POST" else None)
                if r.status_code != 401 or r.headers.get("X-Genba-Error") != "tablet_not_paired":
                    print(f"{method} {path} from a host with no session: {r.status_code}", file=sys.stderr)
                    return 1
                print(f"refused {method} {path}")
        return 0
    with httpx.Client(base_url=url, timeout=30) as client:
        r = client.post("/pair", data={"code": code, "label": "e2e tablet"})
        if r.status_code != 303:
            print(f"pairing refused: {r.status_code} {r.text[:200]}", file=sys.stderr)
            return 1
        for step in steps:
            verb, _, rest = step.partition(":")
            if verb == "bind":
                idm, worker = rest.split(":")
                page = client.get("/cards").text
                token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                r = client.post("/cards/bind", data={"csrf": token, "idm": idm, "worker": worker})
                if r.status_code != 303:
                    print(f"bind refused: {r.status_code} {r.text[:300]}", file=sys.stderr)
                    return 1
            elif verb == "get":
                r = client.get(rest)
                if r.status_code != 200:
                    print(f"get {rest}: {r.status_code}", file=sys.stderr)
                    return 1
                print(f"=== {rest}")
                print(r.text)
                print("=== end")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
