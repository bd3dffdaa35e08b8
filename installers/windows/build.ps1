<#
.SYNOPSIS
  Build the GroupClinic Desktop installer for Windows:
  dist\groupclinic-<version>-windows-x64-setup.exe

.DESCRIPTION
  Run from any folder on a Windows 10/11 x64 build machine with Python 3.11+ (python.org build,
  "py" launcher) and Inno Setup 6 installed:

      powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1
      powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1 -Sign -CertificateThumbprint <SHA1>

  Steps: a build virtualenv (build\venv-windows) with the app's dependencies from
  pyproject.toml and PyInstaller; the one-folder build from installers\groupclinic.spec; an .ico
  from resources\icons\groupclinic.png; the bundle's --selftest; optional code signing with
  signtool; the Inno Setup compile. The version comes from groupclinic_desktop\__init__.py.

.PARAMETER Sign
  Sign groupclinic.exe, groupclinic-cli.exe, the installer and its uninstaller with signtool
  (Windows SDK). Needs the practice's or supplier's code-signing certificate in the certificate
  store (or on its hardware token), chosen by -CertificateThumbprint.
#>
param(
    [switch]$Sign,
    [string]$CertificateThumbprint = $env:GROUPCLINIC_SIGN_THUMBPRINT,
    [string]$TimestampUrl = "http://timestamp.digicert.com",
    [string]$SignTool = "signtool.exe",
    [string]$InnoSetup = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
    [string]$PythonLauncher = "py",
    [string]$PythonVersion = "-3.11"
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe failed with exit code $LASTEXITCODE" }
}

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root
$Version = (Select-String -Path "groupclinic_desktop\__init__.py" -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
Write-Host "Building GroupClinic $Version"

# 1. Build virtualenv: the app's dependencies (pyproject.toml is the one list) and PyInstaller.
$Venv = Join-Path $Root "build\venv-windows"
$Python = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $Python)) {
    Invoke-Checked $PythonLauncher @($PythonVersion, "-m", "venv", $Venv)
}
New-Item -ItemType Directory -Force -Path "build" | Out-Null
$Requirements = & $Python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))"
Set-Content -Path "build\requirements.txt" -Value (@($Requirements) + @("pyinstaller>=6.10,<7")) -Encoding ascii
Invoke-Checked $Python @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Checked $Python @("-m", "pip", "install", "--quiet", "-r", "build\requirements.txt")

# 2. The one-folder build: build\dist\groupclinic\ (groupclinic.exe, groupclinic-cli.exe, _internal\).
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "build\dist", "--workpath", "build\pyinstaller", "installers\groupclinic.spec")
$Bundle = Join-Path $Root "build\dist\groupclinic"

# 3. The installer's icon, from the same PNG the app uses (Pillow comes with matplotlib).
Invoke-Checked $Python @("-c", "from PIL import Image; Image.open('resources/icons/groupclinic.png').save('build/groupclinic.ico', sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])")

# 4. The bundle must pass its own self-test before anyone signs or ships it.
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked (Join-Path $Bundle "groupclinic-cli.exe") @("--selftest")
Remove-Item Env:\QT_QPA_PLATFORM

# 5. Code signing (optional here, required for managed NHS estates that allow-list by publisher).
$IsccArgs = @("/DAppVersion=$Version", "/DSourceDir=$Bundle", "/DIconFile=$Root\build\groupclinic.ico",
    "/O$Root\dist")
if ($Sign) {
    if (-not $CertificateThumbprint) { throw "-Sign needs -CertificateThumbprint (or GROUPCLINIC_SIGN_THUMBPRINT)" }
    $SignArgs = @("sign", "/sha1", $CertificateThumbprint, "/fd", "SHA256", "/tr", $TimestampUrl,
        "/td", "SHA256", "/d", "GroupClinic")
    Invoke-Checked $SignTool ($SignArgs + @((Join-Path $Bundle "groupclinic.exe"), (Join-Path $Bundle "groupclinic-cli.exe")))
    # Inno Setup calls the same command for setup.exe and the uninstaller it embeds ($f = file).
    $IsccArgs += @("/DSign", "/Sgcsign=$SignTool sign /sha1 $CertificateThumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 /d `$qGroupClinic`$q `$f")
}

# 6. Compile the installer.
if (-not (Test-Path $InnoSetup)) { throw "Inno Setup 6 not found at $InnoSetup (winget install JRSoftware.InnoSetup)" }
Invoke-Checked $InnoSetup ($IsccArgs + @("installers\windows\groupclinic.iss"))
$Setup = Join-Path $Root "dist\groupclinic-$Version-windows-x64-setup.exe"
if ($Sign) { Invoke-Checked $SignTool @("verify", "/pa", "/v", $Setup) }
Write-Host "Built $Setup"
