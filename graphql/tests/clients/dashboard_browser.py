"""Opens a Civitas district performance page in a real headless Chromium (through Playwright),
with JavaScript off for the page itself and every request to another origin refused, reads the
numbers it shows, follows its language switch, and runs axe-core's accessibility check in the
page; prints what it found for the Rust test to compare with `ticketStats`.

    python dashboard_browser.py <page-url> <chromium-executable> <axe.min.js> [screenshot.png]
"""

import json
import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright


def read_numbers(page):
    for stat in ["response", "resolution", "satisfaction", "total", "overdue"]:
        value = page.locator(f".rates [data-stat='{stat}'], table [data-stat='{stat}']").first.inner_text()
        print(f"{stat}: {value.strip()}")
    for row in page.locator("#departments tbody tr").all():
        department = row.get_attribute("data-department")
        cells = [row.locator(f"[data-stat='{s}']").inner_text().strip() for s in ["response", "total"]]
        print(f"department {department}: {cells[0]} {cells[1]}")
    for row in page.locator("#by-status tbody tr").all():
        print(f"status {row.get_attribute('data-status')}: {row.locator('td').inner_text().strip()}")


def axe(page, axe_path):
    page.add_script_tag(path=axe_path)
    result = page.evaluate(
        "async () => { const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });"
        " return r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })); }"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    print(f"axe violations: {len(result)} {json.dumps(result)}")
    print(f"axe serious: {len(serious)}")


def main() -> int:
    url, chromium, axe_path = sys.argv[1], sys.argv[2], sys.argv[3]
    screenshot = sys.argv[4] if len(sys.argv) > 4 else None
    origin = urlsplit(url).netloc
    foreign = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        # The page must work without JavaScript: it is rendered with scripts off; axe runs in a
        # second context that allows them, on the same HTML.
        context = browser.new_context(java_script_enabled=False, viewport={"width": 412, "height": 915})
        page = context.new_page()

        def only_this_server(route):
            if urlsplit(route.request.url).netloc == origin:
                route.continue_()
            else:
                foreign.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        response = page.goto(url)
        print(f"page status: {response.status}")
        print(f"page bytes: {len(response.body())}")
        print(f"html lang: {page.locator('html').get_attribute('lang')}")
        print(f"heading: {page.locator('h1').inner_text()}")
        print(f"chart: {page.locator('svg[role=img] polyline').count()} lines")
        read_numbers(page)
        if screenshot:
            page.screenshot(path=screenshot, full_page=False)
        page.get_by_role("link", name="繁體中文").click()
        print(f"switched lang: {page.locator('html').get_attribute('lang')}")
        print(f"switched heading: {page.locator('h1').inner_text()}")
        print(f"switched url keeps the period: {'from=' in page.url or 'period=' in page.url}")
        print(f"foreign requests: {len(foreign)} {foreign}")
        context.close()

        checked = browser.new_context()
        page = checked.new_page()
        page.goto(url)
        axe(page, axe_path)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
