<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="id">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Recorded. Have a safe day.</source>
            <translation>Tercatat. Selamat bekerja dengan aman.</translation>
        </message>
        <message>
            <source>Recorded. Thank you for your work today.</source>
            <translation>Tercatat. Terima kasih atas kerja Anda hari ini.</translation>
        </message>
        <message>
            <source>Already recorded</source>
            <translation>Sudah tercatat</translation>
        </message>
        <message>
            <source>%1 was already recorded at %2. This touch is not counted again.</source>
            <translation>%1 sudah tercatat pukul %2. Sentuhan ini tidak dihitung lagi.</translation>
        </message>
        <message>
            <source>Unknown card</source>
            <translation>Kartu tidak dikenal</translation>
        </message>
        <message>
            <source>%1 recorded at %2, but this card is not on the roster. Please see the site manager.</source>
            <translation>%1 tercatat pukul %2, tetapi kartu ini tidak ada di daftar pekerja. Silakan temui manajer lokasi.</translation>
        </message>
        <message>
            <source>Card ID: %1</source>
            <translation>ID kartu: %1</translation>
        </message>
        <message>
            <source>Not on this site's roster</source>
            <translation>Tidak ada di daftar lokasi ini</translation>
        </message>
        <message>
            <source>%1 recorded at %2.</source>
            <translation>%1 tercatat pukul %2.</translation>
        </message>
        <message>
            <source>%1 is not registered on this site's worker roster. Ask %2 to register you on this site, and tell the site manager.</source>
            <translation>%1 belum terdaftar di daftar pekerja lokasi ini. Mintalah %2 mendaftarkan Anda di lokasi ini, dan beri tahu manajer lokasi.</translation>
        </message>
        <message>
            <source>This worker</source>
            <translation>Pekerja ini</translation>
        </message>
        <message>
            <source>your employer</source>
            <translation>perusahaan Anda</translation>
        </message>
        <message>
            <source>The record could not be saved (the disk may be full or read-only). Tell the site manager now and write your entry or exit on the paper sheet.</source>
            <translation>Catatan tidak dapat disimpan (penyimpanan mungkin penuh atau tidak bisa ditulis). Segera beri tahu manajer lokasi dan tulis jam masuk atau keluar Anda di lembar kertas.</translation>
        </message>
        <message>
            <source>NOT recorded</source>
            <translation>TIDAK tercatat</translation>
        </message>
        <message>
            <source>(Sound is off: this kiosk has no audio output.)</source>
            <translation>(Tanpa suara: kios ini tidak punya keluaran audio.)</translation>
        </message>
        <message>
            <source>Touch the screen to close.</source>
            <translation>Sentuh layar untuk menutup.</translation>
        </message>
        <message>
            <source>(no site)</source>
            <translation>(belum ada lokasi)</translation>
        </message>
        <message>
            <source>Please touch your card</source>
            <translation>Silakan tempelkan kartu Anda</translation>
        </message>
        <message>
            <source>Mode: %1</source>
            <translation>Mode: %1</translation>
        </message>
        <message>
            <source>Next tap: %1</source>
            <translation>Sentuhan berikut: %1</translation>
        </message>
        <message>
            <source>Next: Entry</source>
            <translation>Berikut: Masuk</translation>
        </message>
        <message>
            <source>Next: Exit</source>
            <translation>Berikut: Keluar</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>Manajer</translation>
        </message>
        <message>
            <source>No audio output: the kiosk is silent</source>
            <translation>Tanpa keluaran audio: kios tidak bersuara</translation>
        </message>
        <message>
            <source>Reader: starting…</source>
            <translation>Pembaca: sedang mulai…</translation>
        </message>
        <message>
            <source>Reader: ready</source>
            <translation>Pembaca: siap</translation>
        </message>
        <message>
            <source>Reader: NOT connected</source>
            <translation>Pembaca: TIDAK terhubung</translation>
        </message>
        <message>
            <source>Reader: error</source>
            <translation>Pembaca: galat</translation>
        </message>
        <message>
            <source>Sync: unknown</source>
            <translation>Sinkron: tidak diketahui</translation>
        </message>
        <message>
            <source>Sync: all records sent</source>
            <translation>Sinkron: semua catatan terkirim</translation>
        </message>
        <message>
            <source>Unsent: %1</source>
            <translation>Belum terkirim: %1</translation>
        </message>
        <message>
            <source>oldest %1</source>
            <translation>terlama %1</translation>
        </message>
        <message>
            <source>offline / sync failed</source>
            <translation>luring / sinkron gagal</translation>
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
            <translation>Masuk</translation>
        </message>
        <message>
            <source>Exit</source>
            <translation>Keluar</translation>
        </message>
        <message>
            <source>Automatic (entry, then exit)</source>
            <translation>Otomatis (masuk, lalu keluar)</translation>
        </message>
        <message>
            <source>Entry gate only</source>
            <translation>Khusus gerbang masuk</translation>
        </message>
        <message>
            <source>Exit gate only</source>
            <translation>Khusus gerbang keluar</translation>
        </message>
        <message>
            <source>Taps are NOT being recorded (disk full or not writable). Call the site manager.</source>
            <translation>Sentuhan TIDAK tercatat (penyimpanan penuh atau tidak bisa ditulis). Panggil manajer lokasi.</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are still recorded). Manager screen: how to set it.</source>
            <translation>Kios ini belum diatur lokasinya (tap tetap dicatat). Cara mengaturnya ada di layar manajer.</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are recorded and given a site later). Set it: %1 or enroll it: %2</source>
            <translation>Kios ini belum diatur lokasinya (tap tetap dicatat dan diberi lokasi nanti). Atur: %1 atau daftarkan kios: %2</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown. With a server it arrives by itself; without one: %1</source>
            <translation>Belum ada daftar pekerja: semua kartu tampil sebagai tidak dikenal. Dengan server daftar datang sendiri; tanpa server: %1</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again: %1</source>
            <translation>Jurnal hilang: tap TIDAK tercatat. Manajer: daftarkan ulang kios ini: %1</translation>
        </message>
        <message>
            <source>Looking for the card reader…</source>
            <translation>Mencari pembaca kartu…</translation>
        </message>
        <message>
            <source>Card reader not connected. Check its USB cable.</source>
            <translation>Pembaca kartu tidak terhubung. Periksa kabel USB-nya.</translation>
        </message>
        <message>
            <source>The card reader reports an error. Touch the card again.</source>
            <translation>Pembaca kartu melaporkan galat. Sentuhkan kartu lagi.</translation>
        </message>
        <message>
            <source>The roster cannot be read. Call the site manager.</source>
            <translation>Daftar pekerja tidak dapat dibaca. Panggil manajer lokasi.</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown.</source>
            <translation>Belum ada daftar pekerja: semua kartu tampil sebagai tidak dikenal.</translation>
        </message>
        <message>
            <source>Sync failed. Records are kept on this kiosk.</source>
            <translation>Sinkron gagal. Catatan tetap tersimpan di kios ini.</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again.</source>
            <translation>Jurnal hilang: tap TIDAK tercatat. Manajer: daftarkan ulang kios ini.</translation>
        </message>
        <message>
            <source>The clock is behind the last record (set back?). Site manager: set the clock right.</source>
            <translation>Jam lebih awal dari catatan terakhir (dimundurkan?). Manajer: setel jam dengan benar.</translation>
        </message>
        <message>
            <source>Software update needed (this kiosk: %1, required: %2 or newer). Taps are still recorded.</source>
            <translation>Perangkat lunak perlu diperbarui (kios ini: %1, diperlukan: %2 atau lebih baru). Sentuhan tetap tercatat.</translation>
        </message>
        <message>
            <source>Mon</source>
            <translation>Sen</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>Sel</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>Rab</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>Kam</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>Jum</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>Sab</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>Min</translation>
        </message>
        <message>
            <source>%1/%2/%3 (%4)</source>
            <translation>%4, %3/%2/%1</translation>
        </message>
        <message>
            <source>%1 s ago</source>
            <translation>%1 detik lalu</translation>
        </message>
        <message>
            <source>%1 min ago</source>
            <translation>%1 menit lalu</translation>
        </message>
        <message>
            <source>%1 h ago</source>
            <translation>%1 jam lalu</translation>
        </message>
        <message>
            <source>%1 days ago</source>
            <translation>%1 hari lalu</translation>
        </message>
        <message>
            <source>On site now: %1</source>
            <translation>Di lokasi sekarang: %1</translation>
        </message>
        <message>
            <source>trade</source>
            <translation>jenis pekerjaan</translation>
        </message>
        <message>
            <source>position</source>
            <translation>jabatan</translation>
        </message>
        <message>
            <source>Your %1 is not registered on this site's roster: tell your foreman.</source>
            <translation>%1 Anda belum terdaftar di daftar lokasi ini: beri tahu mandor Anda.</translation>
        </message>
        <message>
            <source> and </source>
            <translation> dan </translation>
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
            <translation>Pemeriksaan kesehatan atau kualifikasi yang tercatat atas nama Anda sudah kedaluwarsa.</translation>
        </message>
        <message>
            <source>You have not had this site's new-entrant education (新規入場者教育) yet.</source>
            <translation>Anda belum mengikuti pendidikan pendatang baru di lokasi ini (新規入場者教育).</translation>
        </message>
        <message>
            <source>Before you start work, see the site manager.</source>
            <translation>Sebelum mulai bekerja, temui manajer lokasi.</translation>
        </message>
        <message>
            <source>expired health check or qualification</source>
            <translation>pemeriksaan kesehatan atau kualifikasi kedaluwarsa</translation>
        </message>
        <message>
            <source>no new-entrant education</source>
            <translation>belum pendidikan pendatang baru</translation>
        </message>
        <message>
            <source>, </source>
            <translation>, </translation>
        </message>
        <message>
            <source>Education or qualification warnings (%1)</source>
            <translation>Peringatan pendidikan atau kualifikasi (%1)</translation>
        </message>
    </context>
</TS>