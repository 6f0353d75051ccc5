<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ja_JP">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Recorded. Have a safe day.</source>
            <translation>記録しました。今日も安全に。</translation>
        </message>
        <message>
            <source>Recorded. Thank you for your work today.</source>
            <translation>記録しました。今日もお疲れさまでした。</translation>
        </message>
        <message>
            <source>Already recorded</source>
            <translation>記録済みです</translation>
        </message>
        <message>
            <source>%1 was already recorded at %2. This touch is not counted again.</source>
            <translation>%2 に%1を記録済みです。今回のタッチは数えません。</translation>
        </message>
        <message>
            <source>Unknown card</source>
            <translation>未登録のカード</translation>
        </message>
        <message>
            <source>%1 recorded at %2, but this card is not on the roster. Please see the site manager.</source>
            <translation>%2 に%1を記録しましたが、このカードは名簿にありません。現場管理者に声をかけてください。</translation>
        </message>
        <message>
            <source>Card ID: %1</source>
            <translation>カードID: %1</translation>
        </message>
        <message>
            <source>Not on this site's roster</source>
            <translation>この現場の名簿にありません</translation>
        </message>
        <message>
            <source>%1 recorded at %2.</source>
            <translation>%2 に%1を記録しました。</translation>
        </message>
        <message>
            <source>%1 is not registered on this site's worker roster. Ask %2 to register you on this site, and tell the site manager.</source>
            <translation>%1 さんはこの現場の作業員名簿（施工体制）に登録されていません。%2 にこの現場への登録を依頼し、現場管理者にも伝えてください。</translation>
        </message>
        <message>
            <source>This worker</source>
            <translation>この技能者</translation>
        </message>
        <message>
            <source>your employer</source>
            <translation>所属会社</translation>
        </message>
        <message>
            <source>The record could not be saved (the disk may be full or read-only). Tell the site manager now and write your entry or exit on the paper sheet.</source>
            <translation>記録を保存できませんでした（ディスクが満杯か書き込み禁止の可能性）。すぐに現場管理者に伝え、紙の入退場簿に記入してください。</translation>
        </message>
        <message>
            <source>NOT recorded</source>
            <translation>記録されていません</translation>
        </message>
        <message>
            <source>(Sound is off: this kiosk has no audio output.)</source>
            <translation>（音は出ません: この端末には音声出力がありません）</translation>
        </message>
        <message>
            <source>Touch the screen to close.</source>
            <translation>画面をタッチすると閉じます。</translation>
        </message>
        <message>
            <source>(no site)</source>
            <translation>（現場未設定）</translation>
        </message>
        <message>
            <source>Please touch your card</source>
            <translation>カードをタッチしてください</translation>
        </message>
        <message>
            <source>Mode: %1</source>
            <translation>モード: %1</translation>
        </message>
        <message>
            <source>Next tap: %1</source>
            <translation>次のタッチ: %1</translation>
        </message>
        <message>
            <source>Next: Entry</source>
            <translation>次は入場</translation>
        </message>
        <message>
            <source>Next: Exit</source>
            <translation>次は退場</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>管理</translation>
        </message>
        <message>
            <source>No audio output: the kiosk is silent</source>
            <translation>音声出力なし: 音は出ません</translation>
        </message>
        <message>
            <source>Reader: starting…</source>
            <translation>リーダー: 起動中…</translation>
        </message>
        <message>
            <source>Reader: ready</source>
            <translation>リーダー: 準備完了</translation>
        </message>
        <message>
            <source>Reader: NOT connected</source>
            <translation>リーダー: 未接続</translation>
        </message>
        <message>
            <source>Reader: error</source>
            <translation>リーダー: エラー</translation>
        </message>
        <message>
            <source>Sync: unknown</source>
            <translation>同期: 不明</translation>
        </message>
        <message>
            <source>Sync: all records sent</source>
            <translation>同期: すべて送信済み</translation>
        </message>
        <message>
            <source>Unsent: %1</source>
            <translation>未送信: %1 件</translation>
        </message>
        <message>
            <source>oldest %1</source>
            <translation>最古 %1</translation>
        </message>
        <message>
            <source>offline / sync failed</source>
            <translation>オフライン／同期失敗</translation>
        </message>
        <message>
            <source>Manager mode</source>
            <translation>管理者モード</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>閉じる</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>本日の一覧</translation>
        </message>
        <message>
            <source>Bind card</source>
            <translation>カード登録</translation>
        </message>
        <message>
            <source>Amend</source>
            <translation>方向の修正</translation>
        </message>
        <message>
            <source>Forgotten card</source>
            <translation>カード忘れ</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>設定</translation>
        </message>
        <message>
            <source>Unknown cards today</source>
            <translation>本日の未登録カード</translation>
        </message>
        <message>
            <source>Roster workers</source>
            <translation>名簿の技能者</translation>
        </message>
        <message>
            <source>Bind the card to this worker</source>
            <translation>このカードをこの技能者に登録</translation>
        </message>
        <message>
            <source>Correct to Entry</source>
            <translation>入場に修正</translation>
        </message>
        <message>
            <source>Correct to Exit</source>
            <translation>退場に修正</translation>
        </message>
        <message>
            <source>Record Entry</source>
            <translation>入場を記録</translation>
        </message>
        <message>
            <source>Record Exit</source>
            <translation>退場を記録</translation>
        </message>
        <message>
            <source>For a worker who forgot the card: choose the worker and the time. It is sent as a correction that the prime contractor must approve.</source>
            <translation>カードを忘れた技能者: 技能者と時刻を選んでください。事後補正として送られ、元請の承認が必要です。</translation>
        </message>
        <message>
            <source>Gate mode</source>
            <translation>ゲートのモード</translation>
        </message>
        <message>
            <source>Sync now</source>
            <translation>今すぐ同期</translation>
        </message>
        <message>
            <source>Export to USB</source>
            <translation>USBに書き出し</translation>
        </message>
        <message>
            <source>Restart kiosk</source>
            <translation>キオスクを再起動</translation>
        </message>
        <message>
            <source>Daylight screen</source>
            <translation>屋外用の明るい画面</translation>
        </message>
        <message>
            <source>Changes are recorded as new records; nothing is edited.</source>
            <translation>変更は新しい記録として残ります。既存の記録は書き換えません。</translation>
        </message>
        <message>
            <source>Unknown card %1</source>
            <translation>未登録カード %1</translation>
        </message>
        <message>
            <source>On site (%1)</source>
            <translation>在場中（%1）</translation>
        </message>
        <message>
            <source>Left (%1)</source>
            <translation>退場済み（%1）</translation>
        </message>
        <message>
            <source>Unknown cards (%1)</source>
            <translation>未登録カード（%1）</translation>
        </message>
        <message>
            <source>(corrected)</source>
            <translation>（修正済み）</translation>
        </message>
        <message>
            <source>No problems found.</source>
            <translation>問題は見つかりません。</translation>
        </message>
        <message>
            <source>Not done: %1</source>
            <translation>実行できませんでした: %1</translation>
        </message>
        <message>
            <source>Choose an unknown card and a worker first.</source>
            <translation>先に未登録カードと技能者を選んでください。</translation>
        </message>
        <message>
            <source>Card bound (record #%1).</source>
            <translation>カードを登録しました（記録 #%1）。</translation>
        </message>
        <message>
            <source>Choose a record to correct first.</source>
            <translation>先に修正する記録を選んでください。</translation>
        </message>
        <message>
            <source>Corrected (record #%1).</source>
            <translation>修正しました（記録 #%1）。</translation>
        </message>
        <message>
            <source>Choose the worker first.</source>
            <translation>先に技能者を選んでください。</translation>
        </message>
        <message>
            <source>Recorded for approval (record #%1).</source>
            <translation>承認待ちとして記録しました（記録 #%1）。</translation>
        </message>
        <message>
            <source>Daylight screen: on</source>
            <translation>屋外用の明るい画面: オン</translation>
        </message>
        <message>
            <source>Daylight screen: off</source>
            <translation>屋外用の明るい画面: オフ</translation>
        </message>
        <message>
            <source>Please wait: the previous action is still running.</source>
            <translation>お待ちください: 前の操作を実行中です。</translation>
        </message>
        <message>
            <source>Running: %1…</source>
            <translation>実行中: %1…</translation>
        </message>
        <message>
            <source>Done: %1. %2</source>
            <translation>完了: %1。%2</translation>
        </message>
        <message>
            <source>Failed: %1. %2</source>
            <translation>失敗: %1。%2</translation>
        </message>
        <message>
            <source>No USB drive found. Insert a USB drive and press Export again.</source>
            <translation>USBメモリが見つかりません。USBメモリを挿して、もう一度「USBに書き出し」を押してください。</translation>
        </message>
        <message>
            <source>Several drives found: choose one, then press Export again.</source>
            <translation>複数のドライブがあります。一つ選んでから、もう一度「USBに書き出し」を押してください。</translation>
        </message>
        <message>
            <source>Manager mode: enter the PIN</source>
            <translation>管理者モード: PINを入力</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>消去</translation>
        </message>
        <message>
            <source>OK</source>
            <translation>決定</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>キャンセル</translation>
        </message>
        <message>
            <source>Enter the manager PIN.</source>
            <translation>管理者PINを入力してください。</translation>
        </message>
        <message>
            <source>No manager PIN is set. On the device run: genba kiosk set-pin</source>
            <translation>管理者PINが未設定です。端末で genba kiosk set-pin を実行してください。</translation>
        </message>
        <message>
            <source>Wrong PIN. %1 tries left before the pad locks.</source>
            <translation>PINが違います。あと %1 回間違えると入力が一時停止します。</translation>
        </message>
        <message>
            <source>Too many wrong PINs. Try again in %1 s.</source>
            <translation>PINの誤りが多すぎます。%1 秒後に再入力できます。</translation>
        </message>
        <message>
            <source>Entry</source>
            <translation>入場</translation>
        </message>
        <message>
            <source>Exit</source>
            <translation>退場</translation>
        </message>
        <message>
            <source>Automatic (entry, then exit)</source>
            <translation>自動（入場→退場）</translation>
        </message>
        <message>
            <source>Entry gate only</source>
            <translation>入場専用</translation>
        </message>
        <message>
            <source>Exit gate only</source>
            <translation>退場専用</translation>
        </message>
        <message>
            <source>Taps are NOT being recorded (disk full or not writable). Call the site manager.</source>
            <translation>タッチが記録されていません（ディスク満杯または書き込み不可）。現場管理者を呼んでください。</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are still recorded). Manager screen: how to set it.</source>
            <translation>この端末に現場が設定されていません（タッチは記録されます）。設定方法は管理画面にあります。</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are recorded and given a site later). Set it: %1 or enroll it: %2</source>
            <translation>この端末に現場が設定されていません（タッチは記録され、後で現場に割り当てられます）。設定: %1 または端末登録: %2</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown. With a server it arrives by itself; without one: %1</source>
            <translation>名簿がまだありません: すべてのカードが未登録と表示されます。サーバーがあれば自動で届きます。ない場合: %1</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again: %1</source>
            <translation>記録ファイルが失われ、タッチを記録できません。管理者は端末を登録し直してください: %1</translation>
        </message>
        <message>
            <source>Looking for the card reader…</source>
            <translation>カードリーダーを探しています…</translation>
        </message>
        <message>
            <source>Card reader not connected. Check its USB cable.</source>
            <translation>カードリーダーが接続されていません。USBケーブルを確認してください。</translation>
        </message>
        <message>
            <source>The card reader reports an error. Touch the card again.</source>
            <translation>カードリーダーでエラーが発生しました。もう一度タッチしてください。</translation>
        </message>
        <message>
            <source>The roster cannot be read. Call the site manager.</source>
            <translation>名簿を読み込めません。現場管理者を呼んでください。</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown.</source>
            <translation>名簿がまだありません: すべてのカードが未登録と表示されます。</translation>
        </message>
        <message>
            <source>Sync failed. Records are kept on this kiosk.</source>
            <translation>同期に失敗しました。記録はこの端末に保存されています。</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again.</source>
            <translation>記録ファイルが失われ、タッチを記録できません。管理者は端末を登録し直してください。</translation>
        </message>
        <message>
            <source>The clock is behind the last record (set back?). Site manager: set the clock right.</source>
            <translation>時計が前回の記録より前の時刻です（戻された？）。管理者は時計を合わせてください。</translation>
        </message>
        <message>
            <source>Software update needed (this kiosk: %1, required: %2 or newer). Taps are still recorded.</source>
            <translation>ソフトの更新が必要です（この端末: %1、必要: %2 以上）。記録は続きます。</translation>
        </message>
        <message>
            <source>Mon</source>
            <translation>月</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>火</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>水</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>木</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>金</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>土</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>日</translation>
        </message>
        <message>
            <source>%1/%2/%3 (%4)</source>
            <translation>%1年%2月%3日（%4）</translation>
        </message>
        <message>
            <source>%1 s ago</source>
            <translation>%1 秒前</translation>
        </message>
        <message>
            <source>%1 min ago</source>
            <translation>%1 分前</translation>
        </message>
        <message>
            <source>%1 h ago</source>
            <translation>%1 時間前</translation>
        </message>
        <message>
            <source>%1 days ago</source>
            <translation>%1 日前</translation>
        </message>
        <message>
            <source>On site now: %1</source>
            <translation>現在の在場者: %1 名</translation>
        </message>
        <message>
            <source>trade</source>
            <translation>職種</translation>
        </message>
        <message>
            <source>position</source>
            <translation>立場</translation>
        </message>
        <message>
            <source>Your %1 is not registered on this site's roster: tell your foreman.</source>
            <translation>この現場の名簿にあなたの%1が登録されていません。職長に伝えてください。</translation>
        </message>
        <message>
            <source> and </source>
            <translation>・</translation>
        </message>
        <message>
            <source>%1 h</source>
            <translation>%1時間</translation>
        </message>
        <message>
            <source>%1 min</source>
            <translation>%1分</translation>
        </message>
        <message>
            <source>A health check or a qualification on record for you has expired.</source>
            <translation>健康診断または登録されている資格の有効期限が切れています。</translation>
        </message>
        <message>
            <source>You have not had this site's new-entrant education (新規入場者教育) yet.</source>
            <translation>この現場の新規入場者教育をまだ受けていません。</translation>
        </message>
        <message>
            <source>Before you start work, see the site manager.</source>
            <translation>作業を始める前に、現場責任者に申し出てください。</translation>
        </message>
        <message>
            <source>expired health check or qualification</source>
            <translation>健診・資格の期限切れ</translation>
        </message>
        <message>
            <source>no new-entrant education</source>
            <translation>教育未実施</translation>
        </message>
        <message>
            <source>, </source>
            <translation>・</translation>
        </message>
        <message>
            <source>Education or qualification warnings (%1)</source>
            <translation>教育・資格の警告（%1）</translation>
        </message>
    </context>
</TS>