import json
import time

from test_jupyterlab import INSPECT_NOTEBOOK, scroll_to_cell, shutdown_kernels


def test_debug(browser, jupyter_lab):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    out = {}
    for ch in ["07_softmax_regression"]:
        page.goto(f"{jupyter_lab.url}lab/tree/{ch}.ipynb?token={jupyter_lab.token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget && window.jupyterapp.shell.currentWidget.content && window.jupyterapp.shell.currentWidget.content.widgets.length > 0", timeout=60000)
        time.sleep(25)
        out[ch] = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets.map((c, i) => [i, c.model.type, c.rendered, c.node.querySelector('.myst, .jp-MarkdownOutput') ? 'R' : '-', c.node.className.slice(0, 80), c.model.sharedModel.getSource().slice(0, 200), c.node.querySelector('.jp-Cell-inputArea') ? c.node.querySelector('.jp-Cell-inputArea').lastElementChild.className : 'none']).filter(x => x[1] === 'markdown' && (!x[2] || x[3] !== 'R'))""")
        if ch.startswith("05"):
            out["sol"] = page.evaluate("""() => { const c = window.jupyterapp.shell.currentWidget.content.widgets[56]; return c.node.querySelector('.jp-Cell-inputArea').lastElementChild.outerHTML.replace(/<svg.*?<\\/svg>/g, '').slice(0, 3000); }""")
            scroll_to_cell(page, 4)
            page.screenshot(path="/tmp/i19b/dbg5.png")
            out["vis4"] = page.locator(".jp-Notebook .jp-Cell").nth(4).locator(".cm-content").is_visible()
            out["n"] = page.locator(".jp-Notebook .jp-Cell").count()
    json.dump(out, open("/tmp/i19b/dbg.json", "w"), indent=1)
    ctx.close()
    shutdown_kernels(jupyter_lab)
