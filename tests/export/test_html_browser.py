"""The HTML export in a real headless Chromium with every network address refused.

These tests fail (never skip) when /usr/bin/chromium or /usr/bin/chromedriver is
missing: an untested offline page is the thing they exist to prevent.
"""

from __future__ import annotations

import json

import networkx as nx
import pytest

from explorer.export import html
from explorer.export.browser import OfflineChromium
from explorer.graph.analyze import enrich
from explorer.graph.synthetic import synthetic_graph

pytestmark = pytest.mark.slow

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
HOSTILE = f"Hostile {IMG} and {SCRIPT} pwned"


@pytest.fixture(scope="module")
def browser():
    with OfflineChromium() as b:  # raises BrowserMissing -> the test errors, not skips
        yield b


@pytest.fixture(scope="module")
def graph():
    G = synthetic_graph(150, seed=21, hostile_text=HOSTILE)
    enrich(G, seed=0)
    return G


@pytest.fixture(scope="module")
def page(tmp_path_factory, graph):
    path = tmp_path_factory.mktemp("html") / "map with spaces ü.html"
    html.write(graph, path)
    return path


def _load(browser, path):
    browser.open(path)
    browser.wait_for("window.explorerMap && window.explorerMap.ready")


def _only_local(urls):
    return [u for u in urls if not u.startswith(("file:", "data:"))]


def test_loads_offline_draws_every_node_and_logs_no_error(browser, page, graph):
    _load(browser, page)
    m = browser.driver.execute_script(
        "const m = window.explorerMap;"
        "return {n: m.nodeCount, e: m.edgeCount, hidden: m.hiddenCount, total: m.totalNodes};"
    )
    assert m == {
        "n": graph.number_of_nodes(),
        "e": graph.number_of_edges(),
        "hidden": 0,
        "total": graph.number_of_nodes(),
    }
    resources = browser.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat(performance.getEntriesByType('navigation').map(e => e.name));"
    )
    assert resources and _only_local(resources) == []
    requested = browser.requested_urls()
    assert requested and _only_local(requested) == []
    assert browser.console_errors() == []
    assert browser.driver.title == "Concept map: vault"


def test_explorer_map_is_read_only(browser, page):
    _load(browser, page)
    result = browser.driver.execute_script(
        "'use strict'; const before = window.explorerMap.nodeCount;"
        "try { window.explorerMap.nodeCount = 1; } catch (e) {}"
        "try { window.explorerMap = null; } catch (e) {}"
        "return [before, window.explorerMap && window.explorerMap.nodeCount,"
        " Object.isFrozen(window.explorerMap)];"
    )
    assert result[0] == result[1] and result[2] is True


def test_search_finds_a_claim_and_a_click_on_it_opens_details(browser, page, graph):
    from selenium.webdriver.common.by import By

    _load(browser, page)
    # An annotated claim: its details must list the annotation with its stance.
    ann, claim = next((u, v) for u, v, d in graph.edges(data=True) if d["type"] == "annotates")
    text = graph.nodes[claim]["text"]
    query = text[:40]
    box = browser.driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys(query)
    browser.wait_for("document.querySelectorAll('#results li[data-id]').length > 0")
    ids = browser.driver.execute_script(
        "return [...document.querySelectorAll('#results li[data-id]')].map(li => li.dataset.id);"
    )
    assert claim in ids
    browser.driver.find_element(By.CSS_SELECTOR, f'#results li[data-id="{claim}"]').click()
    details = browser.wait_for("document.getElementById('details').textContent")
    d = graph.nodes[claim]
    assert text in details
    assert f"Note: {d['note']} · line {d['line']}" in details
    assert f"Section: {d['section']}" in details
    assert "Your annotations" in details
    assert graph.nodes[ann]["text"][:30] in details
    assert graph.nodes[ann]["stance"] in details
    similar = [
        v if u == claim else u
        for u, v, e in graph.edges(data=True)
        if e["type"] == "similar" and claim in (u, v)
    ]
    if similar:
        assert "Similar claims" in details
    assert browser.driver.execute_script("return window.explorerMap.highlighted") == claim
    assert browser.console_errors() == []


def test_a_real_click_on_a_node_opens_its_details_and_highlights(browser, page, graph):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    _load(browser, page)
    claim = max(
        (n for n, d in graph.nodes(data=True) if d["type"] == "claim"),
        key=lambda n: graph.degree(n),
    )
    browser.driver.execute_script("window.explorerMap.focus(arguments[0], 3)", claim)
    pos = browser.driver.execute_script(
        "return window.explorerMap.domPosition(arguments[0])", claim
    )
    actions = ActionBuilder(browser.driver)
    actions.pointer_action.move_to_location(int(pos["x"]), int(pos["y"]))
    actions.pointer_action.click()
    actions.perform()
    details = browser.wait_for("document.getElementById('details').textContent.includes('Note:')")
    assert details
    text = browser.driver.execute_script("return window.explorerMap.detailsText()")
    assert graph.nodes[claim]["text"] in text
    assert browser.driver.execute_script("return window.explorerMap.highlighted") == claim
    ActionChains(browser.driver).reset_actions()


def test_hostile_note_text_runs_nothing_and_shows_literally(browser, page, graph):
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.by import By

    _load(browser, page)
    box = browser.driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys("pwned")
    browser.wait_for("document.querySelectorAll('#results li[data-id]').length > 0")
    results = browser.driver.find_element(By.ID, "results").text
    assert IMG in results  # shown as text in search results
    hostile = next(n for n, d in graph.nodes(data=True) if d.get("text") == HOSTILE)
    browser.driver.find_element(By.CSS_SELECTOR, f'#results li[data-id="{hostile}"]').click()
    details = browser.wait_for("document.getElementById('details').textContent")
    assert IMG in details and SCRIPT in details
    # The tooltip (vis-network's popup) shows it as text too.
    browser.driver.execute_script("window.explorerMap.focus(arguments[0], 3)", hostile)
    pos = browser.driver.execute_script(
        "return window.explorerMap.domPosition(arguments[0])", hostile
    )
    actions = ActionBuilder(browser.driver)
    actions.pointer_action.move_to_location(int(pos["x"]) + 1, int(pos["y"]) + 1)
    actions.pointer_action.pause(0.1)
    actions.pointer_action.move_to_location(int(pos["x"]), int(pos["y"]))
    actions.perform()
    tip = browser.wait_for(
        "(() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible' && t.textContent; })()",
        timeout=10,
    )
    assert IMG in tip
    counts = browser.driver.execute_script(
        "return {img: document.querySelectorAll('img').length,"
        # innerText turns line breaks into <br>; anything else would be note markup.
        " tipChildren: [...document.querySelector('div.vis-tooltip').children]"
        "   .filter(c => c.tagName !== 'BR').length,"
        " scripts: document.querySelectorAll('script').length,"
        " pwned: typeof window.__pwned};"
    )
    assert counts == {"img": 0, "tipChildren": 0, "scripts": 3, "pwned": "undefined"}
    assert browser.console_errors() == []


def test_kind_filter_hides_those_claims(browser, page, graph):
    from selenium.webdriver.common.by import By

    _load(browser, page)
    n_questions = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "question")
    assert n_questions
    before = browser.driver.execute_script("return window.explorerMap.nodeCount")
    label = next(
        lab
        for lab in browser.driver.find_elements(By.CSS_SELECTOR, "#legend-kinds label")
        if "Question" in lab.text
    )
    label.find_element(By.TAG_NAME, "input").click()
    after = browser.driver.execute_script("return window.explorerMap.nodeCount")
    assert before - after == n_questions
    status = browser.driver.find_element(By.ID, "status").text
    assert f"{n_questions} hidden by the filters" in status


def test_big_graph_opens_on_collapsed_communities_that_expand(browser, tmp_path):
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    G = synthetic_graph(400, seed=3)
    enrich(G, seed=0)
    path = tmp_path / "big.html"
    info = html.write(G, path, max_claims=100)
    assert info["collapsed"] and info["groups"] > 1
    _load(browser, path)
    m = browser.driver.execute_script(
        "const m = window.explorerMap; return [m.collapsed, m.nodeCount, m.groupCount, m.hiddenCount];"
    )
    assert m == [True, info["groups"], info["groups"], G.number_of_nodes()]
    status = browser.driver.execute_script("return document.getElementById('status').textContent")
    assert status.startswith(f"Overview of {G.number_of_nodes():,} nodes")
    assert f"{G.number_of_nodes():,} in {info['groups']} collapsed communities" in status
    # A real click on the first community opens it.
    pos = browser.driver.execute_script("return window.explorerMap.domPosition('group:0')")
    actions = ActionBuilder(browser.driver)
    actions.pointer_action.move_to_location(int(pos["x"]), int(pos["y"]))
    actions.pointer_action.click()
    actions.perform()
    members = sum(1 for _, d in G.nodes(data=True) if d.get("community") == 0)
    real = browser.wait_for("window.explorerMap.realNodeCount")
    assert real >= members
    status = browser.driver.execute_script("return document.getElementById('status').textContent")
    assert status.startswith(f"Showing {real:,} of {G.number_of_nodes():,} nodes")
    assert (
        browser.driver.execute_script("return window.explorerMap.groupCount") == info["groups"] - 1
    )
    # Searching a claim in a closed community opens that community too.
    far = next(
        n for n, d in G.nodes(data=True) if d.get("type") == "claim" and d.get("community", 0) > 0
    )
    assert browser.driver.execute_script("return window.explorerMap.select(arguments[0])", far)
    assert (
        browser.driver.execute_script("return window.explorerMap.groupCount") == info["groups"] - 2
    )
    assert browser.console_errors() == []


def test_empty_graph_says_there_is_nothing_to_show(browser, tmp_path):
    path = tmp_path / "empty.html"
    html.write(nx.MultiDiGraph(), path)
    _load(browser, path)
    visible = browser.driver.execute_script(
        "return !document.getElementById('empty').hidden"
        " && document.getElementById('empty').textContent;"
    )
    assert visible and "Nothing to show" in visible
    assert browser.driver.execute_script("return window.explorerMap.nodeCount") == 0
    assert browser.console_errors() == []


def _overlapping(placed):
    return [
        (a["key"], b["key"])
        for i, a in enumerate(placed)
        for b in placed[i + 1 :]
        if a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    ]


def test_labels_follow_the_zoom_without_overlap(browser, tmp_path):
    """Overview: community titles (with the claim that stands for each); middle: some
    node labels, none overlapping; close: every node in view labelled."""
    G = synthetic_graph(500, seed=5)
    enrich(G, seed=0)
    path = tmp_path / "labels.html"
    html.write(G, path, max_claims=None)
    _load(browser, path)
    d = browser.driver
    d.execute_script("window.explorerMap.zoomTo(0.0001); return 1;")  # then fit
    d.execute_script("document.getElementById('fit').click(); return 1;")
    over = d.execute_script("return window.explorerMap.labels();")
    assert over["band"] == "overview"
    titles = [p for p in over["placed"] if p["kind"] == "community"]
    assert len(titles) >= 3 and len(titles) == len(over["placed"])
    assert _overlapping(titles) == []
    assert sum(len(p["lines"]) == 2 for p in titles) >= 3
    groups = {g["id"]: g["label"] for g in html.build_payload(G, max_claims=None)["groups"]}
    assert all(
        p["lines"][0] == groups[p["key"]][:48] or p["lines"][0].endswith("…") for p in titles
    )

    for zoom in [0.3 * 1.15**i for i in range(30)]:  # until the middle band
        d.execute_script(f"window.explorerMap.zoomTo({zoom}); return 1;")
        mid = d.execute_script("return window.explorerMap.labels();")
        if mid["band"] == "middle":
            break
    assert mid["band"] == "middle", mid["band"]
    assert mid["placed"] and all(p["kind"] == "node" for p in mid["placed"])
    assert _overlapping(mid["placed"]) == []

    x, y = next((d["x"], d["y"]) for _, d in G.nodes(data=True) if d["type"] == "claim")
    for zoom in [1.0 * 1.2**i for i in range(30)]:  # until the close band
        d.execute_script(f"window.explorerMap.zoomTo({zoom}, {x}, {y}); return 1;")
        close = d.execute_script("return window.explorerMap.labels();")
        if close["band"] == "close":
            break
    assert close["band"] == "close"
    in_view = d.execute_script(
        "const r = document.getElementById('map').getBoundingClientRect(); const out = [];"
        "for (const id of arguments[0]) { const p = window.explorerMap.domPosition(id);"
        " if (p && p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom) out.push(id); }"
        "return out;",
        [str(n) for n in G.nodes],
    )
    assert in_view and {p["key"] for p in close["placed"]} == set(in_view)
    assert browser.console_errors() == []


def test_views_are_tabs_whose_items_show_on_the_map(browser, page, graph):
    from explorer.graph import views

    expected = views.all_views(graph)
    _load(browser, page)
    d = browser.driver
    assert d.execute_script("return window.explorerMap.showTab('tensions');") == "tensions"
    shown = d.execute_script(
        "const box = document.getElementById('view-tensions');"
        "return {visible: !box.hidden, details: document.getElementById('details').hidden,"
        " items: box.querySelectorAll('.item').length,"
        " ids: [...box.querySelectorAll('button[data-id]')].map(b => b.dataset.id)};"
    )
    assert shown["visible"] and shown["details"]
    assert shown["items"] == len(expected["tensions"]) > 0
    first = expected["tensions"][0]
    assert shown["ids"][:2] == [first["a"], first["b"]]
    d.execute_script("document.querySelector('#view-tensions button[data-id]').click(); return 1;")
    assert d.execute_script("return window.explorerMap.selectedIds();") == [first["a"]]
    # Changed my mind: every doubt/disagree/revise annotation beside its claim.
    n_changed = d.execute_script("return document.querySelectorAll('#view-changed .item').length;")
    assert n_changed == len(expected["changed_mind"])
    # A Themes cell selects exactly its claims.
    row = expected["themes"]["rows"][0]
    kind = max(row["counts"], key=row["counts"].get)
    d.execute_script(
        "window.explorerMap.showTab('themes');"
        f'document.querySelector(\'#view-themes button[data-community="{row["community"]}"]'
        f'[data-kind="{kind}"]\').click(); return 1;'
    )
    assert sorted(d.execute_script("return window.explorerMap.selectedIds();")) == sorted(
        row["claims"][kind]
    )
    ev = d.execute_script("return document.getElementById('view-evidence').textContent;")
    assert "Criteria with no evidence" in ev and "Limitations no reference supports" in ev
    assert browser.console_errors() == []


def test_saved_views_travel_into_the_page_menu(browser, tmp_path, graph):
    G = graph.copy()
    claim = next(n for n, d in G.nodes(data=True) if d["type"] == "claim")
    x, y = G.nodes[claim]["x"], G.nodes[claim]["y"]
    G.graph["saved_views"] = {
        "Only limitations": {"filters": {"kinds": ["limitation"]}, "centre": [x, y], "span": 300},
        "A claim": {"focus": claim},
    }
    path = tmp_path / "saved.html"
    html.write(G, path)
    _load(browser, path)
    d = browser.driver
    assert d.execute_script("return window.explorerMap.savedViews();") == [
        "A claim",
        "Only limitations",
    ]
    options = d.execute_script(
        "return [...document.querySelectorAll('#saved-views option')].map(o => o.value);"
    )
    assert options == ["", "A claim", "Only limitations"]
    assert d.execute_script("return window.explorerMap.applySaved('Only limitations');")
    v = d.execute_script("return window.explorerMap.view();")
    assert v["kinds"] == ["limitation"] and v["savedView"] == "Only limitations"
    assert abs(v["centre"]["x"] - x) < 1 and abs(v["centre"]["y"] - y) < 1
    width = d.execute_script("return document.getElementById('map').clientWidth;")
    assert abs(v["scale"] - width / 300) < 1e-6
    assert d.execute_script("return window.explorerMap.applySaved('A claim');")
    assert d.execute_script("return window.explorerMap.selectedIds();") == [claim]


def _json_ready(value):
    return json.loads(json.dumps(value))


def test_page_decodes_exactly_what_the_exporter_built(browser, page, graph):
    """The page carries its data in columns (html.wire); decoded, every node and edge
    record and every view row is what build_payload made, bar rounding: positions to
    whole layout units, weights and confidences to thousandths."""
    payload = html.build_payload(graph)
    _load(browser, page)
    got = browser.driver.execute_script("return window.explorerMap.records();")
    assert len(got["nodes"]) == len(payload["nodes"])
    for mine, want in zip(got["nodes"], payload["nodes"], strict=True):
        want = dict(want, x=round(want["x"]), y=round(want["y"]))
        if "conf" in want:
            assert mine.pop("conf") == pytest.approx(want.pop("conf"), abs=5e-4)
        assert mine == _json_ready(want)

    def edges(records):  # order and ids aside (the page groups edges by source)
        out = []
        for e in _json_ready(records):
            e.pop("id"), e.pop("dashes", None)
            e["width"] = round(e["width"], 1)
            out.append(json.dumps(e, sort_keys=True))
        return sorted(out)

    assert len(got["edges"]) == graph.number_of_edges()
    assert edges(got["edges"]) == edges(payload["edges"])
    views = _json_ready(payload["views"])
    assert len(views["tensions"]) <= html.TENSIONS_SHOWN
    got["views"].pop("restored")
    assert got["views"].pop("tensions_total") == len(views["tensions"])
    assert got["views"] == views
