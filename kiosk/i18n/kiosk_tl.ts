<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="tl">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Recorded. Have a safe day.</source>
            <translation>Naitala na. Mag-ingat sa trabaho ngayong araw.</translation>
        </message>
        <message>
            <source>Recorded. Thank you for your work today.</source>
            <translation>Naitala na. Salamat sa trabaho mo ngayong araw.</translation>
        </message>
        <message>
            <source>Already recorded</source>
            <translation>Naitala na dati</translation>
        </message>
        <message>
            <source>%1 was already recorded at %2. This touch is not counted again.</source>
            <translation>Naitala na ang %1 noong %2. Hindi na ulit bibilangin ang pag-tap na ito.</translation>
        </message>
        <message>
            <source>Unknown card</source>
            <translation>Hindi kilalang card</translation>
        </message>
        <message>
            <source>%1 recorded at %2, but this card is not on the roster. Please see the site manager.</source>
            <translation>Naitala ang %1 noong %2, pero wala sa listahan ang card na ito. Pumunta sa site manager.</translation>
        </message>
        <message>
            <source>Card ID: %1</source>
            <translation>Card ID: %1</translation>
        </message>
        <message>
            <source>Not on this site's roster</source>
            <translation>Wala sa listahan ng site na ito</translation>
        </message>
        <message>
            <source>%1 recorded at %2.</source>
            <translation>Naitala ang %1 noong %2.</translation>
        </message>
        <message>
            <source>%1 is not registered on this site's worker roster. Ask %2 to register you on this site, and tell the site manager.</source>
            <translation>Hindi nakarehistro si %1 sa listahan ng mga manggagawa ng site na ito. Hilingin sa %2 na irehistro ka sa site na ito, at sabihan ang site manager.</translation>
        </message>
        <message>
            <source>This worker</source>
            <translation>Ang manggagawang ito</translation>
        </message>
        <message>
            <source>your employer</source>
            <translation>ang iyong kompanya</translation>
        </message>
        <message>
            <source>The record could not be saved (the disk may be full or read-only). Tell the site manager now and write your entry or exit on the paper sheet.</source>
            <translation>Hindi na-save ang tala (maaaring puno o hindi masulatan ang storage). Sabihan agad ang site manager at isulat ang iyong pasok o labas sa papel.</translation>
        </message>
        <message>
            <source>NOT recorded</source>
            <translation>HINDI naitala</translation>
        </message>
        <message>
            <source>(Sound is off: this kiosk has no audio output.)</source>
            <translation>(Walang tunog: walang audio output ang kiosk na ito.)</translation>
        </message>
        <message>
            <source>Touch the screen to close.</source>
            <translation>Pindutin ang screen para isara.</translation>
        </message>
        <message>
            <source>(no site)</source>
            <translation>(walang site)</translation>
        </message>
        <message>
            <source>Please touch your card</source>
            <translation>I-tap ang iyong card</translation>
        </message>
        <message>
            <source>Mode: %1</source>
            <translation>Mode: %1</translation>
        </message>
        <message>
            <source>Next tap: %1</source>
            <translation>Susunod na tap: %1</translation>
        </message>
        <message>
            <source>Next: Entry</source>
            <translation>Susunod: Pasok</translation>
        </message>
        <message>
            <source>Next: Exit</source>
            <translation>Susunod: Labas</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>Manager</translation>
        </message>
        <message>
            <source>No audio output: the kiosk is silent</source>
            <translation>Walang audio output: tahimik ang kiosk</translation>
        </message>
        <message>
            <source>Reader: starting…</source>
            <translation>Reader: nagsisimula…</translation>
        </message>
        <message>
            <source>Reader: ready</source>
            <translation>Reader: handa</translation>
        </message>
        <message>
            <source>Reader: NOT connected</source>
            <translation>Reader: HINDI nakakonekta</translation>
        </message>
        <message>
            <source>Reader: error</source>
            <translation>Reader: may error</translation>
        </message>
        <message>
            <source>Sync: unknown</source>
            <translation>Sync: hindi alam</translation>
        </message>
        <message>
            <source>Sync: all records sent</source>
            <translation>Sync: naipadala na lahat</translation>
        </message>
        <message>
            <source>Unsent: %1</source>
            <translation>Hindi pa naipadala: %1</translation>
        </message>
        <message>
            <source>oldest %1</source>
            <translation>pinakaluma %1</translation>
        </message>
        <message>
            <source>offline / sync failed</source>
            <translation>offline / pumalya ang sync</translation>
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
            <translation>Pasok</translation>
        </message>
        <message>
            <source>Exit</source>
            <translation>Labas</translation>
        </message>
        <message>
            <source>Automatic (entry, then exit)</source>
            <translation>Awtomatiko (pasok, saka labas)</translation>
        </message>
        <message>
            <source>Entry gate only</source>
            <translation>Pasukan lamang</translation>
        </message>
        <message>
            <source>Exit gate only</source>
            <translation>Labasan lamang</translation>
        </message>
        <message>
            <source>Taps are NOT being recorded (disk full or not writable). Call the site manager.</source>
            <translation>HINDI naitatala ang mga tap (puno o hindi masulatan ang storage). Tawagin ang site manager.</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are still recorded). Manager screen: how to set it.</source>
            <translation>Walang site na naka-set sa kiosk na ito (naitatala pa rin ang mga tap). Nasa manager screen kung paano.</translation>
        </message>
        <message>
            <source>No site is set on this kiosk (taps are recorded and given a site later). Set it: %1 or enroll it: %2</source>
            <translation>Walang site na naka-set sa kiosk na ito (naitatala pa rin ang mga tap at bibigyan ng site mamaya). I-set: %1 o i-enroll: %2</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown. With a server it arrives by itself; without one: %1</source>
            <translation>Wala pang listahan: lahat ng card ay lalabas na hindi kilala. Kung may server, kusa itong darating; kung wala: %1</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again: %1</source>
            <translation>Nawala ang journal: HINDI naitatala ang mga tap. Manager: i-enroll muli ang kiosk: %1</translation>
        </message>
        <message>
            <source>Looking for the card reader…</source>
            <translation>Hinahanap ang card reader…</translation>
        </message>
        <message>
            <source>Card reader not connected. Check its USB cable.</source>
            <translation>Hindi nakakonekta ang card reader. Tingnan ang USB cable nito.</translation>
        </message>
        <message>
            <source>The card reader reports an error. Touch the card again.</source>
            <translation>May error ang card reader. I-tap ulit ang card.</translation>
        </message>
        <message>
            <source>The roster cannot be read. Call the site manager.</source>
            <translation>Hindi mabasa ang listahan. Tawagin ang site manager.</translation>
        </message>
        <message>
            <source>No roster yet: every card shows as unknown.</source>
            <translation>Wala pang listahan: lahat ng card ay lalabas na hindi kilala.</translation>
        </message>
        <message>
            <source>Sync failed. Records are kept on this kiosk.</source>
            <translation>Pumalya ang sync. Nakatago ang mga tala sa kiosk na ito.</translation>
        </message>
        <message>
            <source>The journal was lost: taps are NOT recorded. Site manager: enroll this kiosk again.</source>
            <translation>Nawala ang journal: HINDI naitatala ang mga tap. Manager: i-enroll muli ang kiosk.</translation>
        </message>
        <message>
            <source>The clock is behind the last record (set back?). Site manager: set the clock right.</source>
            <translation>Mas maaga ang orasan kaysa sa huling tala (naiatras?). Manager: itama ang orasan.</translation>
        </message>
        <message>
            <source>Software update needed (this kiosk: %1, required: %2 or newer). Taps are still recorded.</source>
            <translation>Kailangang i-update ang software (kiosk na ito: %1, kailangan: %2 o mas bago). Naitatala pa rin ang mga tap.</translation>
        </message>
        <message>
            <source>Mon</source>
            <translation>Lun</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>Mar</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>Miy</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>Huw</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>Biy</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>Sab</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>Lin</translation>
        </message>
        <message>
            <source>%1/%2/%3 (%4)</source>
            <translation>%4, %2/%3/%1</translation>
        </message>
        <message>
            <source>%1 s ago</source>
            <translation>%1 segundo ang nakalipas</translation>
        </message>
        <message>
            <source>%1 min ago</source>
            <translation>%1 minuto ang nakalipas</translation>
        </message>
        <message>
            <source>%1 h ago</source>
            <translation>%1 oras ang nakalipas</translation>
        </message>
        <message>
            <source>%1 days ago</source>
            <translation>%1 araw ang nakalipas</translation>
        </message>
        <message>
            <source>On site now: %1</source>
            <translation>Nasa site ngayon: %1</translation>
        </message>
        <message>
            <source>trade</source>
            <translation>trabaho</translation>
        </message>
        <message>
            <source>position</source>
            <translation>posisyon</translation>
        </message>
        <message>
            <source>Your %1 is not registered on this site's roster: tell your foreman.</source>
            <translation>Hindi nakarehistro ang iyong %1 sa listahan ng site na ito: sabihan ang iyong foreman.</translation>
        </message>
        <message>
            <source> and </source>
            <translation> at </translation>
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
            <translation>Nag-expire na ang iyong health check o kwalipikasyong nakatala.</translation>
        </message>
        <message>
            <source>You have not had this site's new-entrant education (新規入場者教育) yet.</source>
            <translation>Hindi ka pa nakakatanggap ng new-entrant education ng site na ito (新規入場者教育).</translation>
        </message>
        <message>
            <source>Before you start work, see the site manager.</source>
            <translation>Bago ka magsimulang magtrabaho, pumunta sa site manager.</translation>
        </message>
        <message>
            <source>expired health check or qualification</source>
            <translation>expired na health check o kwalipikasyon</translation>
        </message>
        <message>
            <source>no new-entrant education</source>
            <translation>wala pang new-entrant education</translation>
        </message>
        <message>
            <source>, </source>
            <translation>, </translation>
        </message>
        <message>
            <source>Education or qualification warnings (%1)</source>
            <translation>Mga babala sa edukasyon o kwalipikasyon (%1)</translation>
        </message>
    </context>
</TS>