"""Opens Civitas' GraphiQL page in a real headless Chromium (through Playwright), with every
request to another origin refused, runs the page's default query with its Run button, and
prints what happened for the Rust test to check.

    python graphiql_browser.py <graphql-url> <chromium-executable>
"""

import json
import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright


def main() -> int:
    url, chromium = sys.argv[1], sys.argv[2]
    origin = urlsplit(url).netloc
    foreign, violations, page_errors = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()

        def only_this_server(route):
            if urlsplit(route.request.url).netloc == origin:
                route.continue_()
            else:
                foreign.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on(
            "console",
            lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text
            else None,
        )
        response = page.goto(url)
        print(f"page status: {response.status}")
        print(f"csp header: {bool(response.headers.get('content-security-policy'))}")
        page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror", timeout=20000)
        print("rendered")
        page.click(".graphiql-execute-button")
        result = page.locator(".result-window .CodeMirror")
        page.wait_for_function(
            "() => { const el = document.querySelector('.result-window .CodeMirror');"
            " return el && el.CodeMirror.getValue().includes('districts'); }",
            timeout=20000,
        )
        text = result.evaluate("el => el.CodeMirror.getValue()")
        data = json.loads(text)
        print(f"query ran: {len(data['data']['districts'])} districts")
        print(f"foreign requests: {len(foreign)} {foreign}")
        print(f"csp violations: {len(violations)} {violations}")
        print(f"page errors: {len(page_errors)} {page_errors}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
