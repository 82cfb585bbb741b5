# Builds the Windows installer of ROI Desk on a Windows 10/11 x64 build machine.
#
# Needs: Python 3.11 x64 from python.org (the `py` launcher), Inno Setup 6
# (https://jrsoftware.org/isinfo.php), Git. Run from any folder:
#     powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
# Result: dist\roi-desk\ (the program folder) and dist\roi-desk-<version>-setup-x64.exe.
# Options: -SkipSmokeTest, -SkipInstaller, -Iscc <path to ISCC.exe>.
[CmdletBinding()]
param(
    [switch]$SkipSmokeTest,
    [switch]$SkipInstaller,
    [string]$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# Runs a program and returns its stdout+stderr as one string. Windows PowerShell 5.1 turns
# stderr lines into errors under 'Stop', so the preference is relaxed around the call.
function Invoke-Capture([string]$Exe, [string[]]$Arguments) {
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try { return (& $Exe @Arguments 2>&1 | Out-String) } finally { $ErrorActionPreference = $saved }
}

$Root = Resolve-Path (Join-Path $PSScriptRoot '..\..')
Set-Location $Root
$Venv = Join-Path $Root 'build\win-venv'
$Python = Join-Path $Venv 'Scripts\python.exe'

# 1. Build venv: Python 3.11 x64, the pinned runtime packages, the pinned build tools.
if (-not (Test-Path $Python)) {
    Invoke-Checked 'py' @('-3.11-64', '-m', 'venv', $Venv)
}
Invoke-Checked $Python @('-m', 'pip', 'install', '--upgrade', 'pip')
Invoke-Checked $Python @('-m', 'pip', 'install', '-c', 'requirements\constraints.txt', '-e', '.')
Invoke-Checked $Python @('-m', 'pip', 'install', '-c', 'requirements\constraints.txt',
    '-r', 'installer\requirements-build.txt')

$Version = (& $Python -c "import roi_desk; print(roi_desk.__version__)").Trim()
Write-Host "ROI Desk $Version"

# 2. Icons (roi-desk.ico is kept in the repository; re-render only if it is missing).
if (-not (Test-Path 'resources\icons\roi-desk.ico')) {
    $env:QT_QPA_PLATFORM = 'offscreen'
    Invoke-Checked $Python @('installer\render-icons.py')
    Remove-Item Env:QT_QPA_PLATFORM
}

# 3. Windows file properties for roi-desk.exe (read by the spec from build\version-info.txt).
$Parts = ($Version -split '[^0-9]+' | Where-Object { $_ -ne '' } | Select-Object -First 3)
while ($Parts.Count -lt 3) { $Parts += '0' }
$Tuple = ($Parts + '0') -join ', '
New-Item -ItemType Directory -Force -Path 'build' | Out-Null
@"
VSVersionInfo(
  ffi=FixedFileInfo(filevers=($Tuple), prodvers=($Tuple), mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'ROI Desk'),
      StringStruct('FileDescription', 'ROI Desk - release of information'),
      StringStruct('FileVersion', '$Version'),
      StringStruct('InternalName', 'roi-desk'),
      StringStruct('OriginalFilename', 'roi-desk.exe'),
      StringStruct('ProductName', 'ROI Desk'),
      StringStruct('ProductVersion', '$Version')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"@ | Set-Content -Encoding UTF8 'build\version-info.txt'

# 4. PyInstaller: dist\roi-desk\roi-desk.exe (window) and roi-desk-cli.exe (console).
if (Test-Path 'dist\roi-desk') { Remove-Item -Recurse -Force 'dist\roi-desk' }
Invoke-Checked $Python @('-m', 'PyInstaller', '--noconfirm', '--log-level', 'WARN',
    '--distpath', 'dist', '--workpath', 'build\pyinstaller', 'installer\roi-desk.spec')

# 5. Signing hook: sign the program files before they go into the installer.
# if ($env:ROI_DESK_SIGN_CERT_THUMBPRINT) {
#     $files = Get-ChildItem 'dist\roi-desk' -Recurse -Include *.exe, *.dll, *.pyd
#     Invoke-Checked 'signtool.exe' (@('sign', '/fd', 'sha256', '/tr', $env:ROI_DESK_TIMESTAMP_URL,
#         '/td', 'sha256', '/sha1', $env:ROI_DESK_SIGN_CERT_THUMBPRINT) + $files.FullName)
# }

# 6. Smoke test, offscreen, on synthetic data in a throw-away folder (as installer/smoke-test.sh).
if (-not $SkipSmokeTest) {
    $Cli = Join-Path $Root 'dist\roi-desk\roi-desk-cli.exe'
    $Home_ = Join-Path ([IO.Path]::GetTempPath()) ("roi-desk-smoke-" + [Guid]::NewGuid())
    $env:ROI_DESK_HOME = $Home_
    $env:ROI_DESK_PASSPHRASE = 'smoke-test-passphrase-only'
    $env:PYTHON_KEYRING_BACKEND = 'keyring.backends.fail.Keyring'
    $env:QT_QPA_PLATFORM = 'offscreen'
    try {
        $checks = @(
            @{ Name = 'version'; Args = @('--version'); Expect = '^ROI Desk \d' },
            @{ Name = 'demo'; Args = @('demo', '--requests', '40'); Expect = 'Demo database with' },
            @{ Name = 'status'; Args = @('--demo', 'status'); Expect = 'audit trail: \d+ events, intact' }
        )
        foreach ($c in $checks) {
            $out = Invoke-Capture $Cli $c.Args
            if ($LASTEXITCODE -ne 0 -or $out -notmatch $c.Expect) { throw "smoke test '$($c.Name)' failed:`n$out" }
            Write-Host "PASS  $($c.Name)"
        }
        $env:ROI_DESK_BENCH_EXIT_AFTER_PAINT = '1'
        $out = Invoke-Capture $Cli @('--demo')
        Remove-Item Env:ROI_DESK_BENCH_EXIT_AFTER_PAINT
        if ($LASTEXITCODE -ne 0 -or $out -notmatch 'ROI_DESK_PAINTED') { throw "smoke test 'gui' failed:`n$out" }
        Write-Host "PASS  gui"
    } finally {
        Remove-Item -Recurse -Force $Home_ -ErrorAction SilentlyContinue
        foreach ($v in 'ROI_DESK_HOME', 'ROI_DESK_PASSPHRASE', 'PYTHON_KEYRING_BACKEND', 'QT_QPA_PLATFORM') {
            Remove-Item "Env:$v" -ErrorAction SilentlyContinue
        }
    }
}

# 7. Installer.
if (-not $SkipInstaller) {
    if (-not (Test-Path $Iscc)) { throw "Inno Setup 6 not found at $Iscc (give -Iscc)" }
    Invoke-Checked $Iscc @("/DAppVersion=$Version", 'installer\windows\roi-desk.iss')
    Write-Host "Installer: dist\roi-desk-$Version-setup-x64.exe"
}
