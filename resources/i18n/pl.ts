<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pl_PL" sourcelanguage="en_GB">
<context>
    <name>patient</name>
    <message>
        <source>Blood pressure</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Ciśnienie krwi</translation>
    </message>
    <message>
        <source>Blood pressure (top number)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Ciśnienie krwi (górna liczba)</translation>
    </message>
    <message>
        <source>Blood pressure (bottom number)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Ciśnienie krwi (dolna liczba)</translation>
    </message>
    <message>
        <source>Heart rate</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Tętno</translation>
    </message>
    <message>
        <source>Weight</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Waga</translation>
    </message>
    <message>
        <source>Height</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Wzrost</translation>
    </message>
    <message>
        <source>Body size (BMI)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Rozmiar ciała (BMI)</translation>
    </message>
    <message>
        <source>Waist</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Obwód talii</translation>
    </message>
    <message>
        <source>Sugar level (HbA1c)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Poziom cukru (HbA1c)</translation>
    </message>
    <message>
        <source>Cholesterol</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Cholesterol</translation>
    </message>
    <message>
        <source>Good cholesterol (HDL)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Dobry cholesterol (HDL)</translation>
    </message>
    <message>
        <source>Kidney function (eGFR)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Praca nerek (eGFR)</translation>
    </message>
    <message>
        <source>Kidney test (creatinine)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Badanie nerek (kreatynina)</translation>
    </message>
    <message>
        <source>Oxygen level</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Poziom tlenu</translation>
    </message>
    <message>
        <source>Grip strength</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Siła uścisku dłoni</translation>
    </message>
    <message>
        <source>Movement (minutes a week)</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Ruch (minuty w tygodniu)</translation>
    </message>
    <message>
        <source>Mood score</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Samopoczucie (wynik)</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Pewność siebie</translation>
    </message>
    <message>
        <source>Movement</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Ruch</translation>
    </message>
    <message>
        <source>Motivation</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Motywacja</translation>
    </message>
    <message>
        <source>How was today?</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Jak było dzisiaj?</translation>
    </message>
    <message>
        <source>Group results board</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Tablica wyników grupy</translation>
    </message>
    <message>
        <source>Session paused</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Spotkanie wstrzymane</translation>
    </message>
    <message>
        <source>Group</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Grupa</translation>
    </message>
    <message>
        <source>✓ on target    ~ close    ! off target    stale = an old reading</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>✓ cel osiągnięty    ~ blisko celu    ! poza celem    nieaktualny = stary pomiar</translation>
    </message>
    <message>
        <source>on target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>cel osiągnięty</translation>
    </message>
    <message>
        <source>close</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>blisko celu</translation>
    </message>
    <message>
        <source>off target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>poza celem</translation>
    </message>
    <message>
        <source>stale</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>nieaktualny</translation>
    </message>
    <message>
        <source>no set target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>bez celu</translation>
    </message>
    <message>
        <source>none yet</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>jeszcze brak</translation>
    </message>
    <message>
        <source>{n} of {total}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{n} z {total}</translation>
    </message>
    <message>
        <source>{n} more people here today are not shown.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Osoby obecne dziś, których nie pokazano: {n}.</translation>
    </message>
    <message>
        <source>Names only for people who agreed to share.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Imiona tylko osób, które zgodziły się je pokazać.</translation>
    </message>
    <message>
        <source>{n} not shown</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>nie pokazano: {n}</translation>
    </message>
    <message>
        <source>below {level}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>poniżej {level}</translation>
    </message>
    <message>
        <source>above {level}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>powyżej {level}</translation>
    </message>
    <message>
        <source>{level} or below</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{level} lub mniej</translation>
    </message>
    <message>
        <source>{level} or above</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{level} lub więcej</translation>
    </message>
    <message>
        <source>{low} to {high}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>od {low} do {high}</translation>
    </message>
    <message>
        <source>between {low} and {high}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>między {low} a {high}</translation>
    </message>
    <message>
        <source>top {top}, bottom {bottom}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>górna {top}, dolna {bottom}</translation>
    </message>
    <message>
        <source>target {level}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>cel {level}</translation>
    </message>
    <message>
        <source>My numbers: {name}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Moje wyniki: {name}</translation>
    </message>
    <message>
        <source>{title}, {day}. This sheet is private: it is yours.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{title}, {day}. Ta kartka jest prywatna: należy do Ciebie.</translation>
    </message>
    <message>
        <source>What</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Co</translation>
    </message>
    <message>
        <source>My number</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Mój wynik</translation>
    </message>
    <message>
        <source>My target</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Moja wartość docelowa</translation>
    </message>
    <message>
        <source>How it is going</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Jak mi idzie</translation>
    </message>
    <message>
        <source>up {change} since last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>wzrost o {change} od ostatniego razu</translation>
    </message>
    <message>
        <source>down {change} since last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>spadek o {change} od ostatniego razu</translation>
    </message>
    <message>
        <source>same as last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>tak samo jak ostatnio</translation>
    </message>
    <message>
        <source>{change} since last time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{change} od ostatniego razu</translation>
    </message>
    <message>
        <source>My goal</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Mój cel</translation>
    </message>
    <message>
        <source>How sure I am: {n} out of 10</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Moja pewność: {n} na 10</translation>
    </message>
    <message>
        <source>My numbers over time</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Moje wyniki w czasie</translation>
    </message>
    <message>
        <source>No numbers yet</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Jeszcze brak wyników</translation>
    </message>
    <message>
        <source>My progress: {name}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Moje postępy: {name}</translation>
    </message>
    <message>
        <source>{programme}. Sessions I came to: {n}. This sheet is private: it is yours.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{programme}. Moja obecność na spotkaniach: {n}. Ta kartka jest prywatna: należy do Ciebie.</translation>
    </message>
    <message>
        <source>At the start</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Na początku</translation>
    </message>
    <message>
        <source>Now</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Teraz</translation>
    </message>
    <message>
        <source>Change</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Zmiana</translation>
    </message>
    <message>
        <source>up {change}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>wzrost o {change}</translation>
    </message>
    <message>
        <source>down {change}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>spadek o {change}</translation>
    </message>
    <message>
        <source>no change</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>bez zmian</translation>
    </message>
    <message>
        <source>No numbers recorded yet.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Nie zapisano jeszcze żadnych wyników.</translation>
    </message>
    <message>
        <source>My goals</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Moje cele</translation>
    </message>
    <message>
        <source>{day}: {goal}{outcome}. How sure I was: {n} out of 10.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{day}: {goal}{outcome}. Moja pewność wtedy: {n} na 10.</translation>
    </message>
    <message>
        <source>achieved</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>osiągnięty</translation>
    </message>
    <message>
        <source>partly achieved</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>częściowo osiągnięty</translation>
    </message>
    <message>
        <source>not yet</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>jeszcze nie</translation>
    </message>
    <message>
        <source>changed the goal</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>zmieniony cel</translation>
    </message>
    <message>
        <source>The shaded band is my target, where there is one.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Zacieniony pas to moja wartość docelowa, jeśli jest ustalona.</translation>
    </message>
    <message>
        <source>{weekday} {day} {month} {year}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{weekday}, {day} {month} {year}</translation>
    </message>
    <message>
        <source>{day} {month} {year}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{day} {month} {year}</translation>
    </message>
    <message>
        <source>Monday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>poniedziałek</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>wtorek</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>środa</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>czwartek</translation>
    </message>
    <message>
        <source>Friday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>piątek</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>sobota</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>niedziela</translation>
    </message>
    <message>
        <source>January</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>stycznia</translation>
    </message>
    <message>
        <source>February</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>lutego</translation>
    </message>
    <message>
        <source>March</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>marca</translation>
    </message>
    <message>
        <source>April</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>kwietnia</translation>
    </message>
    <message>
        <source>May</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>maja</translation>
    </message>
    <message>
        <source>June</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>czerwca</translation>
    </message>
    <message>
        <source>July</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>lipca</translation>
    </message>
    <message>
        <source>August</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>sierpnia</translation>
    </message>
    <message>
        <source>September</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>września</translation>
    </message>
    <message>
        <source>October</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>października</translation>
    </message>
    <message>
        <source>November</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>listopada</translation>
    </message>
    <message>
        <source>December</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>grudnia</translation>
    </message>
    <message>
        <source>My care and support plan: {name}</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Mój plan opieki i wsparcia: {name}</translation>
    </message>
    <message>
        <source>{programme}. This plan is yours: keep it with you.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>{programme}. Ten plan jest Twój: miej go przy sobie.</translation>
    </message>
    <message>
        <source>What matters to me</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Co jest dla mnie ważne</translation>
    </message>
    <message>
        <source>Things we agreed to do</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Co ustaliliśmy</translation>
    </message>
    <message>
        <source>Who: {owner}. By: {day}.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Kto: {owner}. Do: {day}.</translation>
    </message>
    <message>
        <source>done</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>zrobione</translation>
    </message>
    <message>
        <source>Support and people I can contact</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Wsparcie i osoby, z którymi mogę się skontaktować</translation>
    </message>
    <message>
        <source>If things get worse</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Jeśli poczuję się gorzej</translation>
    </message>
    <message>
        <source>My next review</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Mój następny przegląd</translation>
    </message>
    <message>
        <source>Plan updated {day}.</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Plan zaktualizowany {day}.</translation>
    </message>
    <message>
        <source>working on it</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>w trakcie</translation>
    </message>
    <message>
        <source>changed</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>zmieniony</translation>
    </message>
    <message>
        <source>stopped</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>zakończony</translation>
    </message>
    <message>
        <source>Community connection</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Wsparcie w społeczności</translation>
    </message>
    <message>
        <source>Carer</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Opiekun</translation>
    </message>
    <message>
        <source>Contact</source>
        <translatorcomment>Draft by the GroupClinic developers, not native speakers: needs review by a native speaker.</translatorcomment>
        <translation>Kontakt</translation>
    </message>
</context>
</TS>
