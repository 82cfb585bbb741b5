; Inno Setup 6 script for ROI Desk (per-machine install, 64-bit Windows 10/11).
; Built by installer\windows\build.ps1 after PyInstaller has made dist\roi-desk\:
;   ISCC.exe /DAppVersion=0.1.0 installer\windows\roi-desk.iss
; Output: dist\roi-desk-<version>-setup-x64.exe
;
; The uninstaller removes the program folder only. Each user's databases, backups, settings
; and logs (%LOCALAPPDATA%\ROI Desk, and %APPDATA%\ROI Desk should a later version use it)
; and the database keys in Windows Credential Manager are never touched: an uninstall or an
; upgrade must not lose records.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "ROI Desk"
#define AppPublisher "ROI Desk"
#define AppExe "roi-desk.exe"
#define SourceDir "..\..\dist\roi-desk"

[Setup]
; Never change AppId: it is how Windows knows a new version is an upgrade of this program.
AppId={{770ECCC6-DC5B-4312-B282-ED53ABF2F168}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} Setup
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; per-machine: needs an administrator, installs to Program Files for every user of the PC
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
SetupIconFile=..\..\resources\icons\roi-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=roi-desk-{#AppVersion}-setup-x64
Compression=lzma2/max
SolidCompression=yes
; close a running ROI Desk (Restart Manager) before files are replaced or removed
CloseApplications=yes
RestartApplications=no
; --- code signing hook -------------------------------------------------------------------
; Define a sign tool in the Inno Setup IDE (Tools > Configure Sign Tools) or on the command
; line, e.g.  ISCC.exe "/Ssigntool=signtool.exe sign /fd sha256 /tr http://timestamp.example /td sha256 /a $f" ...
; then uncomment both lines (build.ps1 signs the program files themselves before this step):
;SignTool=signtool
;SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Messages]
; (this message takes an argument, %1: a literal percent sign is written %%)
ConfirmUninstall=Remove %1 from this computer?%n%nOnly the program is removed. Your ROI Desk databases, backups, settings and logs are kept (in each user's %%LOCALAPPDATA%%\ROI Desk and %%APPDATA%%\ROI Desk folders), and so are the database keys in Windows Credential Manager. Delete those folders yourself only if the records are no longer needed and your retention policy allows it.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Release of information desk"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; anything left in the program folder (never user data: that lives in the user profile)
Type: filesandordirs; Name: "{app}"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent() then
    MsgBox('ROI Desk has been removed. Each user''s databases, backups and settings were kept' +
      ' (in %LOCALAPPDATA%\ROI Desk and, if present, %APPDATA%\ROI Desk), and so were the' +
      ' database keys in Windows Credential Manager. Installing ROI Desk again opens them as before.', mbInformation, MB_OK);
end;
