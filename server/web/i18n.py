# ruff: noqa: E501  (a catalogue: one entry per line reads better than wrapped Japanese)
"""The console's words, Japanese first and English second: one catalogue, looked up by key.

Pages call ``_("key")`` in templates; a key missing from the catalogue is a bug, and
tests/web/test_i18n.py fails on it (every key used in a template must be here, in both languages).
"""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"

W: dict[str, tuple[str, str]] = {
    # frame
    "app_name": ("Genba 管理コンソール", "Genba console"),
    "skip": ("本文へ移動", "Skip to content"),
    "nav": ("メインメニュー", "Main menu"),
    "nav_fleet": ("端末の状態", "Fleet"),
    "nav_sites": ("現場", "Sites"),
    "nav_corrections": ("補正申請", "Corrections"),
    "nav_users": ("ユーザー", "Users"),
    "nav_settings": ("警報の設定", "Alarm settings"),
    "nav_api": ("API 文書", "API docs"),
    "sign_out": ("サインアウト", "Sign out"),
    "lang_switch": ("English", "日本語"),
    "lang_switch_label": ("言語を切り替える", "Switch language"),
    "signed_in_as": ("サインイン中", "Signed in as"),
    "role_admin": ("管理者", "Administrator"),
    "role_prime": ("元請", "Prime contractor"),
    "role_company": ("下請・所属事業者", "Subcontractor"),
    "role_worker": ("技能者", "Worker"),
    "error_title": ("エラー", "Error"),
    "not_found": ("見つかりません。URL を確認するか、メニューから選んでください。",
                  "Not found. Check the address or choose from the menu."),
    "forbidden": ("このページを見る権限がありません。", "You may not open this page."),
    "back_home": ("最初のページへ", "Go to the start page"),
    "save": ("保存", "Save"),
    "cancel": ("取り消す", "Cancel"),
    "saved": ("保存しました。", "Saved."),
    "field_errors": ("入力に誤りがあります。赤く示した項目を直してください。何も保存していません。",
                     "Some fields need fixing (marked in red). Nothing was saved."),
    "none_yet": ("まだありません。", "None yet."),
    # sign-in
    "signin_title": ("サインイン", "Sign in"),
    "signin_login": ("サインイン名", "Sign-in name"),
    "signin_password": ("パスワード", "Password"),
    "signin_submit": ("サインイン", "Sign in"),
    "signin_failed": ("サインイン名またはパスワードが違います。", "Wrong sign-in name or password."),
    "signin_locked": ("失敗が続いたため、{minutes} 分ほどサインインできません。管理者にパスワードの再設定を依頼することもできます。",
                      "Too many failed attempts: try again in about {minutes} minutes, or ask an administrator "
                      "to reset your password."),
    "signin_expired": ("一定時間操作がなかったため、サインアウトしました。もう一度サインインしてください。",
                       "You were signed out after a period of inactivity. Please sign in again."),
    "signed_out": ("サインアウトしました。", "You are signed out."),
    "csrf_refused": ("フォームの有効期限が切れたか、別のページから送られました。ページを読み込み直してもう一度送ってください。",
                     "The form expired or came from another page. Reload the page and send it again."),
    "setpw_title": ("パスワードの設定", "Set your password"),
    "setpw_intro": ("{login} さんのパスワードを設定します。10 文字以上にしてください。",
                    "Set the password for {login}. Use at least 10 characters."),
    "setpw_new": ("新しいパスワード", "New password"),
    "setpw_repeat": ("もう一度入力", "Repeat it"),
    "setpw_done": ("パスワードを設定しました。サインインしてください。", "Password set. Please sign in."),
    "setpw_invalid": ("このリンクは使えません（使用済み・期限切れ・誤り）。管理者に新しいリンクを依頼してください。",
                      "This link cannot be used (used, expired or wrong). Ask an administrator for a new one."),
    "pw_too_short": ("10 文字以上にしてください。", "Use at least 10 characters."),
    "pw_too_long": ("200 文字以内にしてください。", "Use at most 200 characters."),
    "pw_too_simple": ("単純すぎます。サインイン名と違う、いろいろな文字を使ってください。",
                      "Too simple: use varied characters, not your sign-in name."),
    "pw_mismatch": ("2 回の入力が一致しません。", "The two entries differ."),
    "required": ("入力してください。", "Required."),
    "login_invalid": ("半角の英小文字・数字・「._@-」で 3〜64 文字にしてください。",
                      "Use 3 to 64 lower-case letters, digits or . _ @ -."),
    "login_taken": ("このサインイン名は使われています。", "This sign-in name is taken."),
    # fleet
    "fleet_title": ("端末の状態（同期ダッシュボード）", "Fleet (sync dashboard)"),
    "fleet_intro": ("すべての端末の最終通信・未送信・時計のずれ。15 秒ごとに自動で更新します。",
                    "Every device's last contact, backlog and clock. Refreshes every 15 seconds."),
    "fleet_filter": ("絞り込み", "Filter"),
    "fleet_search": ("端末・現場・門の名前", "Device, site or gate"),
    "fleet_only_alarms": ("警報のある端末だけ", "Only devices with alarms"),
    "fleet_apply": ("絞り込む", "Apply"),
    "fleet_count": ("{shown} 台を表示（全 {total} 台、警報 {alarms} 台）", "{shown} shown of {total} ({alarms} with alarms)"),
    "fleet_updated": ("更新時刻", "Updated"),
    "col_device": ("端末", "Device"),
    "col_site": ("現場", "Site"),
    "col_gate": ("門", "Gate"),
    "col_last_contact": ("最終通信", "Last contact"),
    "col_unsent": ("未送信", "Unsent"),
    "col_oldest": ("最古の未送信", "Oldest unsent"),
    "col_acked": ("受領済み", "Acked through"),
    "col_app": ("アプリ", "App"),
    "col_reader": ("リーダー", "Reader"),
    "col_offset": ("時計のずれ", "Clock offset"),
    "col_forks": ("分岐", "Forks"),
    "col_state": ("状態", "State"),
    "col_alarms": ("警報", "Alarms"),
    "sort_by": ("{col}で並べ替え", "Sort by {col}"),
    "state_ok": ("正常", "OK"),
    "state_revoked": ("失効", "Revoked"),
    "never": ("なし", "never"),
    "unknown": ("不明", "unknown"),
    "not_reported": ("報告なし", "not reported"),
    "ago_s": ("{n} 秒前", "{n} s ago"),
    "ago_m": ("{n} 分前", "{n} min ago"),
    "ago_h": ("{n} 時間前", "{n} h ago"),
    "ago_d": ("{n} 日前", "{n} days ago"),
    "age_s": ("{n} 秒", "{n} s"),
    "age_m": ("{n} 分", "{n} min"),
    "age_h": ("{n} 時間", "{n} h"),
    "age_d": ("{n} 日", "{n} days"),
    "alarm_silent": ("作業時間中に {minutes} 分以上通信がありません", "Silent for over {minutes} min during working hours"),
    "alarm_backlog": ("{hours} 時間以上前の記録が未送信です", "Unsent records older than {hours} h"),
    "alarm_clock": ("時計が {seconds} 秒以上ずれています", "Clock off by more than {seconds} s"),
    "alarm_fork": ("記録の分岐（同じ番号に別の記録）があります", "Forked records (two records with one number)"),
    "alarm_reader": ("リーダーのエラーが報告されています: {error}", "Reader errors reported: {error}"),
    "alarm_disk": ("ディスクの空きが少なくなっています（{free}）", "Low disk space ({free})"),
    "no_alarms": ("警報なし", "No alarms"),
    # device page
    "device_title": ("端末 {device}", "Device {device}"),
    "device_chart": ("過去 14 日間の未送信件数と通信回数", "Backlog and contacts over the last 14 days"),
    "chart_backlog": ("未送信件数（1 時間ごと）", "Unsent records (hourly)"),
    "chart_contacts": ("通信回数（1 日ごと）", "Contacts per day"),
    "chart_alt": ("{what}: 最大 {max}、最新 {last}", "{what}: peak {max}, latest {last}"),
    "device_epoch": ("世代", "Epoch"),
    "device_enrolled": ("登録日時", "Enrolled"),
    "device_last_error": ("最後のエラー", "Last error"),
    "rename_gate": ("門の名前を変更", "Rename the gate"),
    "gate_name": ("門の名前", "Gate name"),
    "gate_name_too_long": ("60 文字以内にしてください。", "Use at most 60 characters."),
    "revoke_device": ("この端末を失効させる", "Revoke this device"),
    "revoke_warning": ("失効した端末の記録と要求は以後すべて拒否されます。元に戻せません（再登録が必要です）。",
                       "A revoked device's records and requests are refused from now on. This cannot be undone "
                       "(the device must enroll again)."),
    "revoke_confirm": ("確認のため端末の ID を入力してください", "Type the device id to confirm"),
    "revoke_mismatch": ("端末の ID が一致しません。", "The device id does not match."),
    "revoked_done": ("端末 {device} を失効させました（世代 {epochs}）。", "Device {device} revoked (epochs {epochs})."),
    "audit_title": ("操作の記録", "Audit trail"),
    "audit_at": ("日時", "When"),
    "audit_by": ("操作した人", "By"),
    "audit_action": ("操作", "Action"),
    "audit_detail": ("内容", "Detail"),
    "action_revoke_device": ("端末を失効", "Device revoked"),
    "action_rename_gate": ("門の名前を変更", "Gate renamed"),
    "action_enroll_code": ("登録コードを発行", "Enrollment code issued"),
    "action_thresholds": ("警報の設定を変更", "Alarm settings changed"),
    "action_user_create": ("ユーザーを作成", "User created"),
    "action_user_revoke": ("ユーザーを失効", "User revoked"),
    "action_user_reset": ("パスワードを再設定", "Password reset"),
    # enrollment
    "enroll_title": ("端末の登録コード", "Enrollment code"),
    "enroll_intro": ("現場を選んでコードを発行します。コードは 1 回だけ使え、期限が切れると使えません。",
                     "Choose the site and issue a code. A code works once and expires."),
    "enroll_site": ("現場", "Site"),
    "enroll_ttl": ("有効期間（分）", "Valid for (minutes)"),
    "enroll_submit": ("コードを発行", "Issue the code"),
    "enroll_code_for": ("現場 {site} の登録コード", "Enrollment code for site {site}"),
    "enroll_expires": ("有効期限: {at}", "Expires: {at}"),
    "enroll_howto": ("端末で次のように入力します:", "On the device, run:"),
    "ttl_range": ("1〜10080 分の整数にしてください。", "Use a whole number from 1 to 10080."),
    "site_unknown": ("その現場は見つかりません。", "No such site."),
    # thresholds
    "settings_title": ("警報の設定", "Alarm settings"),
    "th_silent_minutes": ("無通信の警報（分）", "Silent alarm after (minutes)"),
    "th_work_start_hour": ("作業時間の開始（時）", "Working hours start (hour)"),
    "th_work_end_hour": ("作業時間の終了（時）", "Working hours end (hour)"),
    "th_backlog_hours": ("未送信の警報（時間）", "Unsent alarm after (hours)"),
    "th_clock_seconds": ("時計のずれの警報（秒）", "Clock offset alarm over (seconds)"),
    "th_disk_free_mb": ("ディスク空きの警報（MB 未満）", "Low disk alarm under (MB)"),
    "th_hours_order": ("終了は開始より後にしてください。", "The end must be after the start."),
    "invalid_chars": ("制御文字は使えません。", "Control characters are not allowed."),
    "th_range": ("{low}〜{high} の数にしてください。", "Use a number from {low} to {high}."),
}


def translate(key: str, lang: str, **values: object) -> str:
    ja, en = W[key]
    text = en if lang == "en" else ja
    return text.format(**values) if values else text


def translator(lang: str) -> Callable[..., str]:
    def _(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    return _


def pick_lang(cookie: str | None) -> str:
    return cookie if cookie in LANGS else DEFAULT_LANG
