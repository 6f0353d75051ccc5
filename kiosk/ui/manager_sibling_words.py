"""The words of manager mode's "隣のゲート" tab: sibling alarms (what happened, which gate, what to do), the
gates known on the LAN, and the outcomes of pairing, in Japanese and English."""

from __future__ import annotations

from datetime import tzinfo

from shared.messages import t
from shared.state.siblings import SiblingAlarm, SiblingPeer
from shared.timefmt import local_when

ALARMS: dict[str, tuple[str, str, str, str]] = {
    # code: what happened (ja, en), what to do (ja, en)
    "sibling_forged": (
        "署名の合わない記録が届きました", "Records whose signature does not verify",
        "取り込んでいません。そのゲートの機器が差し替えられていないか確かめ、元請の管理者に連絡してください。",
        "Nothing of them was taken in. Check that the gate's device was not swapped, and call the prime "
        "contractor's administrator."),
    "sibling_forked": (
        "受け取り済みの記録と食い違う記録（分岐）", "Records that differ from ones already received (a fork)",
        "同じ鍵の機器が2台あるおそれがあります（バックアップからの復元や複製）。片方を止めて管理者に連絡してください。",
        "Two devices may share one key (restored from a backup, or copied). Stop one and call the administrator."),
    "sibling_foreign": (
        "別の現場の記録が届きました", "Records of another site",
        "取り込んでいません。そのゲートの現場の設定を確かめてください。",
        "Nothing of them was taken in. Check which site that gate is set up for."),
}
OUTCOMES: dict[str, tuple[str, str]] = {
    # one line in the message bar of a 7" screen: what happened, what to do
    "sibling_pair_refused": ("コードが違います。相手の画面のコードを確かめてください。",
                             "Wrong code. Check the code shown on the other gate."),
    "sibling_pair_expired": ("コードの期限切れです。相手のゲートで新しいコードを表示してください。",
                             "The code has expired. Show a new code on the other gate."),
    "sibling_pair_locked": ("ロックされました。相手のゲートで新しいコードを表示してください。",
                            "Locked after wrong codes. Show a new code on the other gate."),
    "sibling_unreachable": ("相手のゲートにつながりません。アドレスと LAN を確かめてください。",
                            "Cannot reach the other gate. Check the address and the LAN."),
    "malformed": ("アドレスの形が違います（例 192.168.10.5:8781）。",
                       "Not an address (for example 192.168.10.5:8781)."),
}


def alarm_text(a: SiblingAlarm, lang: str, tz: tzinfo | None) -> str:
    """One alarm for the manager: what happened, which gate (and when), what to do."""
    what_ja, what_en, do_ja, do_en = ALARMS.get(a.code, ("隣のゲートの記録を取り込めませんでした",
                                                         "A sibling gate's records were refused",
                                                         "管理者に連絡してください。", "Call the administrator."))
    when = local_when(a.at, tz)  # stored with the writing machine's offset; shown in the site's zone
    gate = t(f"ゲート {a.device}（{a.peer}）· {when} · 記録番号 {a.seq}",
             f"Gate {a.device} ({a.peer}) · {when} · record {a.seq}", lang)
    return f"⚠ {t(what_ja, what_en, lang)}\n{gate}\n{t(do_ja, do_en, lang)}"


def peer_text(p: SiblingPeer, lang: str) -> str:
    name = p.device or t("（未確認）", "(not known yet)", lang)
    if p.last_error_code in ("sibling_refused", "sibling_unknown_key"):
        state = t("未ペアリング", "not paired", lang)
    elif p.last_error_code:
        state = t("つながらない", "unreachable", lang) if p.last_error_code == "sibling_unreachable" \
            else p.last_error_code
    else:
        state = t(f"受信 {p.events} 件", f"{p.events} records received", lang)
    return f"{p.address}  {name}\n{state}"
