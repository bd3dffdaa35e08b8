; Inno Setup 6 script for GroupClinic Desktop on Windows (x64).
;
; Built by installers\windows\build.ps1, which passes the version from
; groupclinic_desktop\__init__.py and the PyInstaller one-folder build:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=...\build\dist\groupclinic /DIconFile=...\groupclinic.ico
;        /O...\dist installers\windows\groupclinic.iss
; With /DSign and /Sgcsign="signtool.exe sign ... $f" the installer AND its uninstaller are signed.
;
; Switches for IT tools (all of Inno Setup's standard ones work; see installers\README.md):
;   install    setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS      per machine
;              setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CURRENTUSER   per user
;              optional: /DIR="D:\Apps\GroupClinic" /TASKS="desktopicon" /LOG="file.log"
;   uninstall  unins000.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART             keeps user data
;              unins000.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /PURGEDATA  deletes it too
; The practice's data lives in each user's profile, never in the program folder, so removing or
; upgrading the program never touches it unless /PURGEDATA is given or the user ticks the box.

#ifndef AppVersion
  #error Pass /DAppVersion=<version> (build.ps1 reads it from groupclinic_desktop\__init__.py)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\dist\groupclinic"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\groupclinic.ico"
#endif

#define AppName "GroupClinic"
#define AppExe "groupclinic.exe"
; Must match store.APP_NAME and store.KEYRING_SERVICE in groupclinic_desktop\core\store.py.
#define DataFolder "GroupClinic"
#define KeyringService "GroupClinic Desktop"

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{EB121E2A-DB84-48F0-9D2E-AA765E4B424C}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=GroupClinic Desktop project
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine by default (managed laptops); "Install for me only" needs no admin rights.
; /ALLUSERS or /CURRENTUSER on the command line choose without the dialog.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=commandline dialog
UsePreviousPrivileges=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputBaseFilename=groupclinic-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; An open app is closed (via Restart Manager) before its files are replaced or removed.
CloseApplications=yes
RestartApplications=no
#ifdef Sign
SignTool=gcsign
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle, so no library of the old version lingers beside the new.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Run an NHS group clinic"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder; the user's data is handled in [Code] below.
Type: filesandordirs; Name: "{app}"

[Code]
var
  PurgeData: Boolean;

function HasSwitch(const Name: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Name) = 0 then
      Result := True;
end;

function InitializeUninstall(): Boolean;
begin
  PurgeData := HasSwitch('/PURGEDATA');
  // Interactive uninstall: ask (default No). Silent or /SUPPRESSMSGBOXES: keep, unless /PURGEDATA.
  if (not PurgeData) and (not UninstallSilent()) then
    PurgeData := SuppressibleMsgBox(
      'Also delete this Windows user''s GroupClinic data?' + #13#10#13#10 +
      'This removes the practice store, its backups and logs in ' +
      ExpandConstant('{localappdata}\{#DataFolder}') +
      ' and the store''s keys in Windows Credential Manager. Any copy of a backup kept ' +
      'elsewhere can then no longer be opened.' + #13#10#13#10 +
      'Choose No to keep the data (for a reinstall or an upgrade).',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2, IDNO) = IDYES;
  Result := True;
end;

procedure DeleteKeyringEntries();
var
  ResultCode: Integer;
begin
  // keyring keeps the store key, sync token and pseudonymisation secret as generic credentials
  // whose target names contain the service name; cmdkey lists and deletes them.
  Exec(ExpandConstant('{sys}\WindowsPowerShell\v1.0\powershell.exe'),
    '-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "' +
    'cmdkey /list | Select-String -Pattern ''target=(.*{#KeyringService}.*)$'' | ' +
    'ForEach-Object { cmdkey /delete:$($_.Matches[0].Groups[1].Value.Trim()) | Out-Null }"',
    '', SW_HIDE, ewWaitUntilTerminated, ResultCode);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and PurgeData then
  begin
    DelTree(ExpandConstant('{localappdata}\{#DataFolder}'), True, True, True);
    DeleteKeyringEntries();
  end;
end;
