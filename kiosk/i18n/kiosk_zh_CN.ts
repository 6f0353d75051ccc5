<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Recorded. Have a safe day.</source>
            <translation>已记录。祝您今天工作平安。</translation>
        </message>
        <message>
            <source>Recorded. Thank you for your work today.</source>
            <translation>已记录。今天辛苦了。</translation>
        </message>
        <message>
            <source>Already recorded</source>
            <translation>已经记录过了</translation>
        </message>
        <message>
            <source>%1 was already recorded at %2. This touch is not counted again.</source>
            <translation>%2 已记录%1。这次刷卡不再重复计算。</translation>
        </message>
        <message>
            <source>Unknown card</source>
            <translation>未登记的卡</translation>
        </message>
        <message>
            <source>%1 recorded at %2, but this card is not on the roster. Please see the site manager.</source>
            <translation>已在 %2 记录%1，但这张卡不在名册上。请找现场管理人员。</translation>
        </message>
        <message>
            <source>Card ID: %1</source>
            <translation>卡号：%1</translation>
        </message>
        <message>
            <source>Not on this site's roster</source>
            <translation>不在本工地的名册上</translation>
        </message>
        <message>
            <source>%1 recorded at %2.</source>
            <translation>已在 %2 记录%1。</translation>
        </message>
        <message>
            <source>%1 is not registered on this site's worker roster. Ask %2 to register you on this site, and tell the site manager.</source>
            <translation>%1 未登记在本工地的作业员名册上。请让%2为您在本工地登记，并告知现场管理人员。</translation>
        </message>
        <message>
            <source>This worker</source>
            <translation>该作业员</translation>
        </message>
        <message>
            <source>your employer</source>
            <translation>您的公司</translation>
        </message>
        <message>
            <source>The record could not be saved (the disk may be full or read-only). Tell the site manager now and write your entry or exit on the paper sheet.</source>
            <translation>记录未能保存（存储可能已满或无法写入）。请立即告知现场管理人员，并在纸质登记表上填写进出场。</translation>
        </message>
        <message>
            <source>NOT recorded</source>
            <translation>未记录</translation>
        </message>
        <message>
            <source>(Sound is off: this kiosk has no audio output.)</source>
            <translation>（无声音：本终端没有音频输出。）</translation>
        </message>
        <message>
            <source>Touch the screen to close.</source>
            <translation>触摸屏幕即可关闭。</translation>
        </message>
        <message>
            <source>(no site)</source>
            <translation>（未设定工地）</translation>
        </message>
        <message>
            <source>Please touch your card</source>
            <translation>请刷卡</translation>
        </message>
        <message>
            <source>Mode: %1</source>
            <translation>模式：%1</translation>
        </message>
        <message>
            <source>Next tap: %1</source>
            <translation>下次刷卡：%1</translation>
        </message>
        <message>
            <source>Next: Entry</source>
            <translation>下次：进场</translation>
        </message>
        <message>
            <source>Next: Exit</source>
            <translation>下次：离场</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>管理</translation>
        </message>
        <message>
            <source>No audio output: the kiosk is silent</source>
            <translation>无音频输出：终端不发声</translation>
        </message>
        <message>
            <source>Reader: starting…</source>
            <translation>读卡器：启动中…</translation>
        </message>
        <message>
            <source>Reader: ready</source>
            <translation>读卡器：就绪</translation>
        </message>
        <message>
            <source>Reader: NOT connected</source>
            <translation>读卡器：未连接</translation>
        </message>
        <message>
            <source>Reader: error</source>
            <translation>读卡器：错误</translation>
        </message>
        <message>
            <source>Sync: unknown</source>
            <translation>同步：未知</translation>
        </message>
        <message>
            <source>Sync: all records sent</source>
            <translation>同步：已全部发送</translation>
        </message>
        <message>
            <source>Unsent: %1</source>
            <translation>未发送：%1</translation>
        </message>
        <message>
            <source>oldest %1</source>
            <translation>最早 %1</translation>
        </message>
        <message>
            <source>offline / sync failed</source>
            <translation>离线／同步失败</translation>
        </message>
        <message>
            <source>Manager mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Close</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Today</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Bind card</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Amend</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Forgotten card</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Settings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown cards today</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Roster workers</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Bind the card to this worker</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Correct to Entry</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Correct to Exit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Record Entry</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Record Exit</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>For a worker who forgot the card: choose the worker and the time. It is sent as a correction that the prime contractor must approve.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Gate mode</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sync now</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Export to USB</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Restart kiosk</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Daylight screen</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Changes are recorded as new records; nothing is edited.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown card %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>On site (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Left (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Unknown cards (%1)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(corrected)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No problems found.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Not done: %1</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose an unknown card and a worker first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Card bound (record #%1).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose a record to correct first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Corrected (record #%1).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose the worker first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Recorded for approval (record #%1).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Daylight screen: on</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Daylight screen: off</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No USB drive found. Insert a USB drive and press Export again.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Several drives found: choose one, then press Export again.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Manager mode: enter the PIN</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Clear</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>OK</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cancel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Enter the manager PIN.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No manager PIN is set. On the device run: genba kiosk set-pin</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Wrong PIN. %1 tries left before the pad locks.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Too many wrong PINs. Try again in %1 s.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Please wait: the previous action is still running.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Running: %1…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Done: %1. %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Failed: %1. %2</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Entry</source>
            <translation>进场</translation>
        </message>
        <message>
            <source>Exit</source>
            <translation>离场</translation>
        </message>
        <message>
            <source>Automatic (entry, then exit)</source>
            <translation>自动（先进场，后离场）</translation>
        </message>
        <message>
            <source>Entry gate only</source>
            <translation>仅进场门</translation>
        </message>
        <message>
            <source>Exit gate only</source>
            <translation>仅离场门</translation>
        </message>
        <message>
            <source>Taps are NOT being recorded (disk full or not writable). Call the site manager.</source>
            <translation>刷卡没有被记录（存储已满或无法写入）。请叫现场管理人员。</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are still recorded). Manager screen: how to set it.</source>
            <translation>本终端尚未设定工地（刷卡照常记录）。设定方法见管理画面。</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are recorded and given a site later). Set it: %1 or enroll it: %2</source>
            <translation>本终端尚未设定工地（刷卡照常记录，稍后归入工地）。设定：%1 或注册终端：%2</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown. With a server it arrives by itself; without one: %1</source>
            <translation>还没有名册：所有卡都显示为未登记。有服务器时会自动收到；没有时：%1</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again: %1</source>
            <translation>记录文件已丢失：刷卡无法记录。负责人：请重新登记本终端：%1</translation>
        </message>
        <message>
            <source>Looking for the card reader…</source>
            <translation>正在查找读卡器…</translation>
        </message>
        <message>
            <source>Card reader not connected. Check its USB cable.</source>
            <translation>读卡器未连接。请检查 USB 线。</translation>
        </message>
        <message>
            <source>The card reader reports an error. Touch the card again.</source>
            <translation>读卡器报告错误。请再刷一次卡。</translation>
        </message>
        <message>
            <source>The roster cannot be read. Call the site manager.</source>
            <translation>无法读取名册。请叫现场管理人员。</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown.</source>
            <translation>还没有名册：所有卡都显示为未登记。</translation>
        </message>
        <message>
            <source>Sync failed. Records are kept on this kiosk.</source>
            <translation>同步失败。记录保存在本终端上。</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again.</source>
            <translation>记录文件已丢失：刷卡无法记录。负责人：请重新登记本终端。</translation>
        </message>
        <message>
            <source>The clock is behind the last record (set back?). Site manager: set the clock right.</source>
            <translation>时钟早于上一条记录（被调回？）。负责人：请校正时钟。</translation>
        </message>
        <message>
            <source>Software update needed (this kiosk: %1, required: %2 or newer). Taps are still recorded.</source>
            <translation>需要更新软件（本终端：%1，要求：%2 或更高）。刷卡仍会记录。</translation>
        </message>
        <message>
            <source>Mon</source>
            <translation>周一</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>周二</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>周三</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>周四</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>周五</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>周六</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>周日</translation>
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
            <translation>%1 分钟前</translation>
        </message>
        <message>
            <source>%1 h ago</source>
            <translation>%1 小时前</translation>
        </message>
        <message>
            <source>%1 days ago</source>
            <translation>%1 天前</translation>
        </message>
        <message>
            <source>On site now: %1</source>
            <translation>现在在场：%1 人</translation>
        </message>
        <message>
            <source>trade</source>
            <translation>工种</translation>
        </message>
        <message>
            <source>position</source>
            <translation>职位</translation>
        </message>
        <message>
            <source>Your %1 is not registered on this site's roster: tell your foreman.</source>
            <translation>本工地名册上没有登记您的%1：请告诉您的班组长。</translation>
        </message>
        <message>
            <source> and </source>
            <translation>和</translation>
        </message>
        <message>
            <source>%1 h</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>%1 min</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>A health check or a qualification on record for you has expired.</source>
            <translation>您登记的健康检查或资格证书已过期。</translation>
        </message>
        <message>
            <source>You have not had this site's new-entrant education (新規入場者教育) yet.</source>
            <translation>您尚未接受本工地的新入场人员教育（新規入場者教育）。</translation>
        </message>
        <message>
            <source>Before you start work, see the site manager.</source>
            <translation>开始作业前，请先找现场负责人。</translation>
        </message>
        <message>
            <source>expired health check or qualification</source>
            <translation>健康检查或资格证书过期</translation>
        </message>
        <message>
            <source>no new-entrant education</source>
            <translation>未接受新入场人员教育</translation>
        </message>
        <message>
            <source>, </source>
            <translation>、</translation>
        </message>
        <message>
            <source>Education or qualification warnings (%1)</source>
            <translation>教育或资格警告（%1）</translation>
        </message>
    </context>
</TS>