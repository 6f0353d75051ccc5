<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="vi">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Recorded. Have a safe day.</source>
            <translation>Đã ghi nhận. Chúc một ngày làm việc an toàn.</translation>
        </message>
        <message>
            <source>Recorded. Thank you for your work today.</source>
            <translation>Đã ghi nhận. Cảm ơn bạn đã làm việc hôm nay.</translation>
        </message>
        <message>
            <source>Already recorded</source>
            <translation>Đã ghi nhận rồi</translation>
        </message>
        <message>
            <source>%1 was already recorded at %2. This touch is not counted again.</source>
            <translation>%1 đã được ghi nhận lúc %2. Lần chạm này không được tính lại.</translation>
        </message>
        <message>
            <source>Unknown card</source>
            <translation>Thẻ chưa đăng ký</translation>
        </message>
        <message>
            <source>%1 recorded at %2, but this card is not on the roster. Please see the site manager.</source>
            <translation>Đã ghi nhận %1 lúc %2, nhưng thẻ này không có trong danh sách. Hãy gặp người quản lý công trường.</translation>
        </message>
        <message>
            <source>Card ID: %1</source>
            <translation>Mã thẻ: %1</translation>
        </message>
        <message>
            <source>Not on this site's roster</source>
            <translation>Không có trong danh sách công trường</translation>
        </message>
        <message>
            <source>%1 recorded at %2.</source>
            <translation>Đã ghi nhận %1 lúc %2.</translation>
        </message>
        <message>
            <source>%1 is not registered on this site's worker roster. Ask %2 to register you on this site, and tell the site manager.</source>
            <translation>%1 chưa được đăng ký trong danh sách công nhân của công trường này. Hãy nhờ %2 đăng ký cho bạn và báo cho người quản lý công trường.</translation>
        </message>
        <message>
            <source>This worker</source>
            <translation>Người lao động này</translation>
        </message>
        <message>
            <source>your employer</source>
            <translation>công ty của bạn</translation>
        </message>
        <message>
            <source>The record could not be saved (the disk may be full or read-only). Tell the site manager now and write your entry or exit on the paper sheet.</source>
            <translation>Không lưu được (bộ nhớ có thể đã đầy hoặc không ghi được). Hãy báo ngay người quản lý công trường và ghi giờ vào/ra vào sổ giấy.</translation>
        </message>
        <message>
            <source>NOT recorded</source>
            <translation>CHƯA ghi nhận</translation>
        </message>
        <message>
            <source>(Sound is off: this kiosk has no audio output.)</source>
            <translation>(Không có âm thanh: máy này không có loa.)</translation>
        </message>
        <message>
            <source>Touch the screen to close.</source>
            <translation>Chạm vào màn hình để đóng.</translation>
        </message>
        <message>
            <source>(no site)</source>
            <translation>(chưa có công trường)</translation>
        </message>
        <message>
            <source>Please touch your card</source>
            <translation>Hãy chạm thẻ của bạn</translation>
        </message>
        <message>
            <source>Mode: %1</source>
            <translation>Chế độ: %1</translation>
        </message>
        <message>
            <source>Next tap: %1</source>
            <translation>Lần chạm tới: %1</translation>
        </message>
        <message>
            <source>Next: Entry</source>
            <translation>Tiếp theo: Vào</translation>
        </message>
        <message>
            <source>Next: Exit</source>
            <translation>Tiếp theo: Ra</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>Quản lý</translation>
        </message>
        <message>
            <source>No audio output: the kiosk is silent</source>
            <translation>Không có loa: máy không phát âm thanh</translation>
        </message>
        <message>
            <source>Reader: starting…</source>
            <translation>Đầu đọc: đang khởi động…</translation>
        </message>
        <message>
            <source>Reader: ready</source>
            <translation>Đầu đọc: sẵn sàng</translation>
        </message>
        <message>
            <source>Reader: NOT connected</source>
            <translation>Đầu đọc: CHƯA kết nối</translation>
        </message>
        <message>
            <source>Reader: error</source>
            <translation>Đầu đọc: lỗi</translation>
        </message>
        <message>
            <source>Sync: unknown</source>
            <translation>Đồng bộ: không rõ</translation>
        </message>
        <message>
            <source>Sync: all records sent</source>
            <translation>Đồng bộ: đã gửi hết</translation>
        </message>
        <message>
            <source>Unsent: %1</source>
            <translation>Chưa gửi: %1</translation>
        </message>
        <message>
            <source>oldest %1</source>
            <translation>cũ nhất %1</translation>
        </message>
        <message>
            <source>offline / sync failed</source>
            <translation>mất mạng / đồng bộ lỗi</translation>
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
            <translation>Vào</translation>
        </message>
        <message>
            <source>Exit</source>
            <translation>Ra</translation>
        </message>
        <message>
            <source>Automatic (entry, then exit)</source>
            <translation>Tự động (vào, rồi ra)</translation>
        </message>
        <message>
            <source>Entry gate only</source>
            <translation>Chỉ cổng vào</translation>
        </message>
        <message>
            <source>Exit gate only</source>
            <translation>Chỉ cổng ra</translation>
        </message>
        <message>
            <source>Taps are NOT being recorded (disk full or not writable). Call the site manager.</source>
            <translation>Lượt chạm KHÔNG được ghi nhận (bộ nhớ đầy hoặc không ghi được). Hãy gọi người quản lý công trường.</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are still recorded). Manager screen: how to set it.</source>
            <translation>Máy này chưa được gán công trường (lần chạm vẫn được ghi). Cách gán: xem màn hình quản lý.</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are recorded and given a site later). Set it: %1 or enroll it: %2</source>
            <translation>Máy này chưa được gán công trường (lần chạm vẫn được ghi và gán công trường sau). Gán: %1 hoặc đăng ký máy: %2</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown. With a server it arrives by itself; without one: %1</source>
            <translation>Chưa có danh sách: mọi thẻ đều hiện là chưa đăng ký. Có máy chủ thì danh sách tự đến; không có: %1</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again: %1</source>
            <translation>Tệp nhật ký đã bị mất: KHÔNG ghi được lần chạm. Quản lý: hãy đăng ký lại máy này: %1</translation>
        </message>
        <message>
            <source>Looking for the card reader…</source>
            <translation>Đang tìm đầu đọc thẻ…</translation>
        </message>
        <message>
            <source>Card reader not connected. Check its USB cable.</source>
            <translation>Đầu đọc thẻ chưa kết nối. Hãy kiểm tra cáp USB.</translation>
        </message>
        <message>
            <source>The card reader reports an error. Touch the card again.</source>
            <translation>Đầu đọc thẻ báo lỗi. Hãy chạm thẻ lại.</translation>
        </message>
        <message>
            <source>The roster cannot be read. Call the site manager.</source>
            <translation>Không đọc được danh sách. Hãy gọi người quản lý công trường.</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown.</source>
            <translation>Chưa có danh sách: mọi thẻ đều hiện là chưa đăng ký.</translation>
        </message>
        <message>
            <source>Sync failed. Records are kept on this kiosk.</source>
            <translation>Đồng bộ lỗi. Dữ liệu vẫn được lưu trên máy này.</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again.</source>
            <translation>Tệp nhật ký đã bị mất: KHÔNG ghi được lần chạm. Quản lý: hãy đăng ký lại máy này.</translation>
        </message>
        <message>
            <source>The clock is behind the last record (set back?). Site manager: set the clock right.</source>
            <translation>Đồng hồ chậm hơn bản ghi trước (bị chỉnh lùi?). Quản lý: hãy chỉnh lại đồng hồ.</translation>
        </message>
        <message>
            <source>Software update needed (this kiosk: %1, required: %2 or newer). Taps are still recorded.</source>
            <translation>Cần cập nhật phần mềm (máy này: %1, yêu cầu: %2 trở lên). Lượt chạm vẫn được ghi nhận.</translation>
        </message>
        <message>
            <source>Mon</source>
            <translation>T2</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>T3</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>T4</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>T5</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>T6</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>T7</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>CN</translation>
        </message>
        <message>
            <source>%1/%2/%3 (%4)</source>
            <translation>%4, %3/%2/%1</translation>
        </message>
        <message>
            <source>%1 s ago</source>
            <translation>%1 giây trước</translation>
        </message>
        <message>
            <source>%1 min ago</source>
            <translation>%1 phút trước</translation>
        </message>
        <message>
            <source>%1 h ago</source>
            <translation>%1 giờ trước</translation>
        </message>
        <message>
            <source>%1 days ago</source>
            <translation>%1 ngày trước</translation>
        </message>
        <message>
            <source>On site now: %1</source>
            <translation>Đang ở công trường: %1</translation>
        </message>
        <message>
            <source>trade</source>
            <translation>nghề</translation>
        </message>
        <message>
            <source>position</source>
            <translation>vị trí</translation>
        </message>
        <message>
            <source>Your %1 is not registered on this site's roster: tell your foreman.</source>
            <translation>%1 của bạn chưa được đăng ký trong danh sách công trường: hãy báo tổ trưởng.</translation>
        </message>
        <message>
            <source> and </source>
            <translation> và </translation>
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
            <translation>Giấy khám sức khỏe hoặc chứng chỉ đã đăng ký của bạn đã hết hạn.</translation>
        </message>
        <message>
            <source>You have not had this site's new-entrant education (新規入場者教育) yet.</source>
            <translation>Bạn chưa tham gia buổi đào tạo người mới vào công trường này (新規入場者教育).</translation>
        </message>
        <message>
            <source>Before you start work, see the site manager.</source>
            <translation>Trước khi bắt đầu làm việc, hãy gặp người quản lý công trường.</translation>
        </message>
        <message>
            <source>expired health check or qualification</source>
            <translation>giấy khám sức khỏe hoặc chứng chỉ hết hạn</translation>
        </message>
        <message>
            <source>no new-entrant education</source>
            <translation>chưa đào tạo người mới vào</translation>
        </message>
        <message>
            <source>, </source>
            <translation>, </translation>
        </message>
        <message>
            <source>Education or qualification warnings (%1)</source>
            <translation>Cảnh báo đào tạo hoặc chứng chỉ (%1)</translation>
        </message>
    </context>
</TS>