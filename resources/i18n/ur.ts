<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ur_PK" sourcelanguage="en_GB">
<context>
    <name>patient</name>
    <message>
        <source>Blood pressure</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>بلڈ پریشر</translation>
    </message>
    <message>
        <source>Blood pressure (top number)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>بلڈ پریشر (اوپر والا نمبر)</translation>
    </message>
    <message>
        <source>Blood pressure (bottom number)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>بلڈ پریشر (نیچے والا نمبر)</translation>
    </message>
    <message>
        <source>Heart rate</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>دل کی دھڑکن</translation>
    </message>
    <message>
        <source>Weight</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>وزن</translation>
    </message>
    <message>
        <source>Height</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>قد</translation>
    </message>
    <message>
        <source>Body size (BMI)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جسم کا سائز (BMI)</translation>
    </message>
    <message>
        <source>Waist</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>کمر</translation>
    </message>
    <message>
        <source>Sugar level (HbA1c)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>شوگر کی سطح (HbA1c)</translation>
    </message>
    <message>
        <source>Cholesterol</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>کولیسٹرول</translation>
    </message>
    <message>
        <source>Good cholesterol (HDL)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اچھا کولیسٹرول (HDL)</translation>
    </message>
    <message>
        <source>Kidney function (eGFR)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>گردوں کا کام (eGFR)</translation>
    </message>
    <message>
        <source>Kidney test (creatinine)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>گردوں کا ٹیسٹ (کریٹینین)</translation>
    </message>
    <message>
        <source>Oxygen level</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>آکسیجن کی سطح</translation>
    </message>
    <message>
        <source>Grip strength</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہاتھ کی گرفت کی طاقت</translation>
    </message>
    <message>
        <source>Movement (minutes a week)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>حرکت (ہفتے میں منٹ)</translation>
    </message>
    <message>
        <source>Mood score</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>موڈ اسکور</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اعتماد</translation>
    </message>
    <message>
        <source>Movement</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>حرکت</translation>
    </message>
    <message>
        <source>Motivation</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>حوصلہ</translation>
    </message>
    <message>
        <source>How was today?</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>آج کیسا رہا؟</translation>
    </message>
    <message>
        <source>Group results board</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>گروپ کے نتائج کا بورڈ</translation>
    </message>
    <message>
        <source>Session paused</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>سیشن روک دیا گیا ہے</translation>
    </message>
    <message>
        <source>Group</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>گروپ</translation>
    </message>
    <message>
        <source>✓ on target    ~ close    ! off target    stale = an old reading</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>✓ ہدف پر    ~ ہدف کے قریب    ! ہدف سے باہر    پرانا = پرانی ریڈنگ</translation>
    </message>
    <message>
        <source>on target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہدف پر</translation>
    </message>
    <message>
        <source>close</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہدف کے قریب</translation>
    </message>
    <message>
        <source>off target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہدف سے باہر</translation>
    </message>
    <message>
        <source>stale</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>پرانا</translation>
    </message>
    <message>
        <source>no set target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہدف مقرر نہیں</translation>
    </message>
    <message>
        <source>none yet</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ابھی کوئی نہیں</translation>
    </message>
    <message>
        <source>{n} of {total}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{total} میں سے {n}</translation>
    </message>
    <message>
        <source>{n} more people here today are not shown.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>آج یہاں موجود مزید {n} افراد نہیں دکھائے گئے۔</translation>
    </message>
    <message>
        <source>Names only for people who agreed to share.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>نام صرف ان لوگوں کے جنہوں نے اجازت دی۔</translation>
    </message>
    <message>
        <source>{n} not shown</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{n} نہیں دکھائے گئے</translation>
    </message>
    <message>
        <source>below {level}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{level} سے کم</translation>
    </message>
    <message>
        <source>above {level}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{level} سے زیادہ</translation>
    </message>
    <message>
        <source>{level} or below</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{level} یا اس سے کم</translation>
    </message>
    <message>
        <source>{level} or above</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{level} یا اس سے زیادہ</translation>
    </message>
    <message>
        <source>{low} to {high}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{low} سے {high} تک</translation>
    </message>
    <message>
        <source>between {low} and {high}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{low} اور {high} کے درمیان</translation>
    </message>
    <message>
        <source>top {top}, bottom {bottom}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اوپر {top}، نیچے {bottom}</translation>
    </message>
    <message>
        <source>target {level}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہدف {level}</translation>
    </message>
    <message>
        <source>My numbers: {name}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرے نمبر: {name}</translation>
    </message>
    <message>
        <source>{title}, {day}. This sheet is private: it is yours.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{title}، {day}۔ یہ صفحہ نجی ہے: یہ آپ کا ہے۔</translation>
    </message>
    <message>
        <source>What</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>کیا</translation>
    </message>
    <message>
        <source>My number</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرا نمبر</translation>
    </message>
    <message>
        <source>My target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرا ہدف</translation>
    </message>
    <message>
        <source>How it is going</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>کیسا جا رہا ہے</translation>
    </message>
    <message>
        <source>up {change} since last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>پچھلی بار سے {change} زیادہ</translation>
    </message>
    <message>
        <source>down {change} since last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>پچھلی بار سے {change} کم</translation>
    </message>
    <message>
        <source>same as last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>پچھلی بار جیسا</translation>
    </message>
    <message>
        <source>{change} since last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>پچھلی بار سے {change}</translation>
    </message>
    <message>
        <source>My goal</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرا مقصد</translation>
    </message>
    <message>
        <source>How sure I am: {n} out of 10</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>مجھے کتنا یقین ہے: 10 میں سے {n}</translation>
    </message>
    <message>
        <source>My numbers over time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>وقت کے ساتھ میرے نمبر</translation>
    </message>
    <message>
        <source>No numbers yet</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ابھی کوئی نمبر نہیں</translation>
    </message>
    <message>
        <source>My progress: {name}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میری پیش رفت: {name}</translation>
    </message>
    <message>
        <source>{programme}. Sessions I came to: {n}. This sheet is private: it is yours.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{programme}۔ سیشنز میں میری حاضری: {n}۔ یہ صفحہ نجی ہے: یہ آپ کا ہے۔</translation>
    </message>
    <message>
        <source>At the start</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>شروع میں</translation>
    </message>
    <message>
        <source>Now</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اب</translation>
    </message>
    <message>
        <source>Change</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>تبدیلی</translation>
    </message>
    <message>
        <source>up {change}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{change} زیادہ</translation>
    </message>
    <message>
        <source>down {change}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{change} کم</translation>
    </message>
    <message>
        <source>no change</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>کوئی تبدیلی نہیں</translation>
    </message>
    <message>
        <source>No numbers recorded yet.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ابھی تک کوئی نمبر درج نہیں ہوا۔</translation>
    </message>
    <message>
        <source>My goals</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرے مقاصد</translation>
    </message>
    <message>
        <source>{day}: {goal}{outcome}. How sure I was: {n} out of 10.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{day}: {goal}{outcome}۔ مجھے کتنا یقین تھا: 10 میں سے {n}۔</translation>
    </message>
    <message>
        <source>achieved</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>حاصل ہو گیا</translation>
    </message>
    <message>
        <source>partly achieved</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جزوی طور پر حاصل ہوا</translation>
    </message>
    <message>
        <source>not yet</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ابھی نہیں</translation>
    </message>
    <message>
        <source>changed the goal</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>مقصد بدل دیا</translation>
    </message>
    <message>
        <source>The shaded band is my target, where there is one.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>سایہ دار پٹی میرا ہدف ہے، جہاں کوئی ہدف ہو۔</translation>
    </message>
    <message>
        <source>{weekday} {day} {month} {year}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{weekday}، {day} {month} {year}</translation>
    </message>
    <message>
        <source>{day} {month} {year}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{day} {month} {year}</translation>
    </message>
    <message>
        <source>Monday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>پیر</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>منگل</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>بدھ</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جمعرات</translation>
    </message>
    <message>
        <source>Friday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جمعہ</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہفتہ</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اتوار</translation>
    </message>
    <message>
        <source>January</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جنوری</translation>
    </message>
    <message>
        <source>February</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>فروری</translation>
    </message>
    <message>
        <source>March</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>مارچ</translation>
    </message>
    <message>
        <source>April</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اپریل</translation>
    </message>
    <message>
        <source>May</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>مئی</translation>
    </message>
    <message>
        <source>June</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جون</translation>
    </message>
    <message>
        <source>July</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جولائی</translation>
    </message>
    <message>
        <source>August</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اگست</translation>
    </message>
    <message>
        <source>September</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ستمبر</translation>
    </message>
    <message>
        <source>October</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اکتوبر</translation>
    </message>
    <message>
        <source>November</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>نومبر</translation>
    </message>
    <message>
        <source>December</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>دسمبر</translation>
    </message>
    <message>
        <source>My care and support plan: {name}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرا نگہداشت اور مدد کا منصوبہ: {name}</translation>
    </message>
    <message>
        <source>{programme}. This plan is yours: keep it with you.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{programme}۔ یہ منصوبہ آپ کا ہے: اسے اپنے پاس رکھیں۔</translation>
    </message>
    <message>
        <source>What matters to me</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرے لیے کیا اہم ہے</translation>
    </message>
    <message>
        <source>Things we agreed to do</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>جو کام ہم نے طے کیے</translation>
    </message>
    <message>
        <source>Who: {owner}. By: {day}.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>کون: {owner}۔ کب تک: {day}۔</translation>
    </message>
    <message>
        <source>done</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>ہو گیا</translation>
    </message>
    <message>
        <source>Support and people I can contact</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>مدد اور وہ لوگ جن سے میں رابطہ کر سکتا ہوں</translation>
    </message>
    <message>
        <source>If things get worse</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اگر حالت خراب ہو جائے</translation>
    </message>
    <message>
        <source>My next review</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>میرا اگلا جائزہ</translation>
    </message>
    <message>
        <source>Plan updated {day}.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>منصوبہ {day} کو تازہ کیا گیا۔</translation>
    </message>
    <message>
        <source>working on it</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>اس پر کام جاری ہے</translation>
    </message>
    <message>
        <source>changed</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>بدل دیا گیا</translation>
    </message>
    <message>
        <source>stopped</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>روک دیا گیا</translation>
    </message>
    <message>
        <source>Community connection</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>مقامی برادری سے رابطہ</translation>
    </message>
    <message>
        <source>Carer</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>دیکھ بھال کرنے والا</translation>
    </message>
    <message>
        <source>Contact</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>رابطہ</translation>
    </message>
</context>
</TS>
