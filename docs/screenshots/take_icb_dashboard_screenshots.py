"""The ICB dashboard's screenshots: headless chromium at 1366 wide, the whole page.

    .venv/bin/python docs/screenshots/take_icb_dashboard_screenshots.py

Runs the service on loopback with the browser tests' six months of fictional clinics
(tests/icb_service/browser/clinic_data.py), opens the dashboard as an ICB analyst and saves:
30-icb-dashboard-all.png (every programme and practice), 31-icb-dashboard-filtered.png (one
programme, one quarter), 32-icb-dashboard-pcn-level.png (PCNs side by side) and
33-icb-dashboard-tables-open.png (the trend's table opened, as a screen reader user or a copier
would).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.icb_service.browser.chromium import browser, full_page_png, missing  # noqa: E402
from tests.icb_service.browser.service import running_service  # noqa: E402


def smaller(path: Path) -> None:
    """A palette of 256 colours: a flat page loses nothing a reader sees, at a quarter of the
    bytes in the repository."""
    from PIL import Image

    with Image.open(path) as image:
        flat = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    flat.save(path, optimize=True)


PAGES = {
    "30-icb-dashboard-all.png": "",
    "31-icb-dashboard-filtered.png": "programme=type2_diabetes&from=2025-10&to=2025-12",
    "32-icb-dashboard-pcn-level.png": "level=pcn",
}


def main() -> None:
    problem = missing()
    if problem:
        sys.exit(problem)
    with tempfile.TemporaryDirectory() as folder, running_service(Path(folder)) as service, \
            browser() as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                               {"headers": {"Authorization": service.basic}})
        for name, query in PAGES.items():
            driver.get(f"{service.url}/dashboard{'?' + query if query else ''}")
            full_page_png(driver, HERE / name)
            smaller(HERE / name)
            print(f"wrote docs/screenshots/{name}")
        driver.get(f"{service.url}/dashboard")
        driver.execute_script(
            "document.querySelector('[data-block=\"trend\"] details').open = true;"
            "document.querySelector('[data-block=\"compare-attendance\"] details').open = true;")
        full_page_png(driver, HERE / "33-icb-dashboard-tables-open.png")
        smaller(HERE / "33-icb-dashboard-tables-open.png")
        print("wrote docs/screenshots/33-icb-dashboard-tables-open.png")


if __name__ == "__main__":
    main()
