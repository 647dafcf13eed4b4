/* Concept-map explorer: the page script of an HTML export.
 *
 * Reads the graph from <script type="application/json" id="explorer-data">, draws it
 * with vis-network at the positions computed in Python (physics off), and adds search,
 * filters, a details panel, neighbourhood highlight and collapsible communities.
 * Every piece of note text reaches the DOM through textContent (or vis-network's
 * tooltip, which uses innerText), never as HTML.
 */
(function () {
  "use strict";

  const marks = { start: performance.now() };
  const DATA = decode(JSON.parse(document.getElementById("explorer-data").textContent));
  marks.parsed = performance.now();
  const meta = DATA.meta;

  // ---- the data: columns (explorer/export/html.py, wire) back into records ----
  function decode(raw) {
    const N = raw.nodes;
    const count = N.id.length;
    const nodes = new Array(count);
    const tables = ["note", "sec", "k", "ks"];
    const numbers = ["line", "conf", "comm"];
    for (let i = 0; i < count; i++) {
      const st = N.styles[N.style[i]];
      const text = N.text[i];
      const lc = N.label[i];
      const n = { id: N.id[i], shape: st[1], color: st[2], size: N.size[i], x: N.x[i], y: N.y[i],
                  g: N.g[i] };
      n.label = lc === 0 ? text : typeof lc === "number" ? text.slice(0, lc) + "…" : lc;
      if (st[0] !== "") n.t = st[0];
      if (text !== null && text !== undefined) n.text = text;
      for (const k of tables) {
        const c = N[k].codes[i];
        if (c >= 0) n[k] = N[k].values[c];
      }
      for (const k of numbers) {
        const v = N[k][i];
        if (v !== null && v !== undefined) n[k] = v;
      }
      const more = N.more[i];
      if (more) Object.assign(n, more);
      nodes[i] = n;
    }
    // Edges stay in arrays (source, target, type code) until a record is needed: the
    // overview draws none of them, only their counts between communities.
    const E = raw.edges;
    const efrom = new Int32Array(E.to.length);
    let j = 0;
    for (let s = 0; s < count; s++) {
      for (let c = E.out[s]; c > 0; c--) efrom[j++] = s;
    }
    return { meta: raw.meta, nodes, E, efrom, eto: Int32Array.from(E.to),
             etype: Int32Array.from(E.type), groups: raw.groups, views: raw.views,
             saved_views: raw.saved_views };
  }
  // Every edge as a record ({id, from, to, t, color, arrows, width, w, ...}), made once.
  let edgeList = null;
  function allEdges() {
    if (edgeList) return edgeList;
    const E = DATA.E;
    const ids = DATA.nodes;
    const weighted = new Set(E.weighted);
    const edges = new Array(DATA.eto.length);
    let wi = 0;
    for (let j = 0; j < edges.length; j++) {
      const t = E.types[DATA.etype[j]];
      const st = E.styles[t];
      const e = { id: "e" + j, from: ids[DATA.efrom[j]].id, to: ids[DATA.eto[j]].id, t,
                  color: st.color, arrows: st.arrows, width: 1 };
      if (weighted.has(t)) {
        const w = E.w[wi++];
        if (w !== null) {
          e.w = w / 1000;
          e.width = Math.round(100 * (1 + 3 * Math.max(0, e.w - 0.5))) / 100;
        }
      }
      const more = E.more[j];
      if (more) {
        Object.assign(e, more);
        if (typeof more.reason === "number") e.reason = E.reasons[more.reason];
      }
      edges[j] = e;
    }
    edgeList = edges;
    return edges;
  }
  // The views name nodes by index and leave out what the node says (text, note, line).
  const VIEW_REFS = {
    changed_mind: [["annotation", "annotation_text"], ["claim", "claim_text", "claim_note", "claim_line"]],
    tensions: [["a", "a_text", "a_note", "a_line"], ["b", "b_text", "b_note", "b_line"]],
    suggested_links: [["a", "a_text", "a_note", "a_line"], ["b", "b_text", "b_note", "b_line"]],
    evidence: [["claim", "text", "note", "line"]],
    bearing: [["id", "text"]],
  };
  function restoreRow(row, spec) {
    for (const [idk, textk, notek, linek] of spec) {
      const v = row[idk];
      if (typeof v !== "number") continue;
      const n = DATA.nodes[v];
      row[idk] = n.id;
      if (textk && !(textk in row)) row[textk] = n.text || n.label;
      if (notek && !(notek in row)) row[notek] = n.note || "";
      if (linek && !(linek in row)) row[linek] = n.line === undefined ? null : n.line;
    }
    return row;
  }
  function restoreViews(V) {
    if (V.restored) return V;
    V.restored = true;
    const idOf = (v) => (typeof v === "number" ? DATA.nodes[v].id : v);
    for (const row of (V.themes || { rows: [] }).rows) {
      for (const k of Object.keys(row.claims || {})) row.claims[k] = row.claims[k].map(idOf);
    }
    for (const name of ["changed_mind", "tensions", "suggested_links"]) {
      for (const row of V[name] || []) restoreRow(row, VIEW_REFS[name]);
    }
    const seen = new Set();
    for (const rows of Object.values(V.evidence || {})) {
      for (const row of rows) {
        if (seen.has(row)) continue;
        seen.add(row);
        restoreRow(row, VIEW_REFS.evidence);
        for (const part of ["similar", "references", "annotations"]) {
          for (const x of row[part] || []) restoreRow(x, VIEW_REFS.bearing);
        }
      }
    }
    return V;
  }
  const DIM = "rgba(200,200,200,0.35)";
  const GROUP_COLOUR = "#6f8fb0";
  const $ = (id) => document.getElementById(id);

  // ---- indexes over the whole graph (shown or not) ----
  const byId = new Map();
  const members = new Map();
  let adjacency = null; // node id -> its edges, made on the first details shown
  function edgesOf(id) {
    if (!adjacency) {
      adjacency = new Map();
      for (const e of allEdges()) {
        push(adjacency, e.from, e);
        if (e.to !== e.from) push(adjacency, e.to, e);
      }
    }
    return adjacency.get(id) || [];
  }
  const push = (map, key, value) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(value);
  };
  for (const n of DATA.nodes) {
    byId.set(n.id, n);
    push(members, n.g, n);
  }
  const groupsById = new Map(DATA.groups.map((g) => [g.id, g]));
  const kindsById = new Map(meta.kinds.map((k) => [k.id, k]));
  const typesById = new Map(meta.node_types.map((t) => [t.id, t]));
  const edgeTypesById = new Map(meta.edge_types.map((t) => [t.id, t]));

  const state = {
    expanded: new Set(),
    kinds: new Set(meta.kinds.map((k) => k.id)),
    types: new Set(meta.node_types.map((t) => t.id)),
    edgeTypes: new Set(meta.edge_types.map((t) => t.id)),
    ready: false,
    firstDrawMs: null,
    highlighted: null,
    dimmed: [],
    labelsVersion: 0,
    tab: "details",
    savedView: null,
  };
  const collapsed = Boolean(meta.collapsed);
  let network = null;
  let nodeSet = null;
  let edgeSet = null;

  // ---- small DOM helpers: text only ----
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  // Thousands separators without toLocaleString (its first call loads ICU data: ~50 ms).
  const fmt = (n) => String(Math.round(Number(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const truncate = (s, n) => (s && s.length > n ? s.slice(0, n - 1) + "…" : s || "");

  // ---- what is shown ----
  function nodeShown(n) {
    if (!state.types.has(n.t)) return false;
    if (n.t === "claim" && n.k !== undefined && !state.kinds.has(n.k)) return false;
    return true;
  }
  // The id drawn for node n: itself, its collapsed community, or null (filtered out).
  const groupIds = new Map();
  function representative(n) {
    if (collapsed && !state.expanded.has(n.g)) {
      let id = groupIds.get(n.g);
      if (id === undefined) groupIds.set(n.g, (id = "group:" + n.g));
      return id;
    }
    return nodeShown(n) ? n.id : null;
  }

  function tooltip(n) {
    const type = (typesById.get(n.t) || { name: n.t }).name;
    const kind = n.k !== undefined ? " · " + (kindsById.get(n.k) || { name: n.k }).name : "";
    const where = n.note ? "\n" + n.note + (n.line ? ":" + n.line : "") : "";
    return type + kind + "\n" + truncate(n.text || n.label, 400) + where;
  }
  // Shape and colour come from vis-network groups (one per node type and claim kind):
  // shared options are parsed once instead of once per node.
  const styleGroups = {};
  function styleGroup(n) {
    const key = n.t + "|" + n.shape + "|" + n.color;
    if (!styleGroups[key]) styleGroups[key] = { shape: n.shape, color: n.color };
    return key;
  }
  const visCache = new Map();
  function visNode(n) {
    let rec = visCache.get(n.id);
    if (!rec) {
      rec = { id: n.id, group: styleGroup(n), size: n.size,
              x: n.x, y: n.y, title: tooltip(n) };
      visCache.set(n.id, rec);
    }
    return rec;
  }
  function groupNode(g) {
    const radius = Math.min(400, 30 * Math.sqrt(g.size));
    return {
      // Its title is drawn by the label overlay, which keeps titles from overlapping.
      id: "group:" + g.id,
      shape: "dot", color: GROUP_COLOUR, size: radius, x: g.x, y: g.y,
      title: g.label + "\n" + fmt(g.size) + " nodes, " + fmt(g.claims) + " claims\nClick to open",
    };
  }
  function visEdge(e) {
    const rec = { id: e.id, from: e.from, to: e.to, color: e.color, title: edgeTitle(e) };
    if (e.width !== 1) rec.width = e.width;
    if (e.arrows) rec.arrows = e.arrows;
    return rec;
  }
  // What an edge is, as explorer.graph.labels.describe_edge says it in the window:
  // "similar 0.83", "tension 0.71: can … / cannot …", "annotates: doubt", "cites".
  function edgeTitle(e) {
    let s = (edgeTypesById.get(e.t) || { name: e.t }).name;
    if (e.w !== undefined) s += " " + Number(e.w).toFixed(2);
    if (e.stance) s += ": " + e.stance;
    if (e.reason) s += ": " + e.reason;
    if (e.decision) s += " (" + e.decision + " by you)";
    return s;
  }

  function visibleSets() {
    const nodes = new Map();
    const all = DATA.nodes;
    const count = all.length;
    // Per node: what stands for it (its id, its community's, or null) and that as a
    // number (its index, or past the nodes its community's), to count edges by pair.
    const rep = new Array(count);
    const code = new Float64Array(count);
    let top = 0;
    for (let i = 0; i < count; i++) {
      const n = all[i];
      const r = representative(n);
      rep[i] = r;
      if (r === null) continue;
      const own = r === n.id;
      code[i] = own ? i : count + 2 + n.g;
      if (code[i] > top) top = code[i];
      if (!nodes.has(r)) nodes.set(r, own ? visNode(n) : groupNode(groupsById.get(n.g)));
    }
    const span = top + 1;
    const types = DATA.E.types;
    const shownType = types.map((t) => state.edgeTypes.has(t));
    const { efrom, eto, etype } = DATA;
    const edges = new Map();
    const aggregated = new Map();
    for (let j = 0; j < efrom.length; j++) {
      if (!shownType[etype[j]]) continue;
      const f = efrom[j];
      const t = eto[j];
      const a = rep[f];
      const b = rep[t];
      if (a === null || b === null) continue;
      const ca = code[f];
      const cb = code[t];
      if (ca === cb) continue;
      if (ca === f && cb === t) {
        const e = allEdges()[j];
        edges.set(e.id, visEdge(e));
      } else {
        const key = ca < cb ? ca * span + cb : cb * span + ca;
        let agg = aggregated.get(key);
        if (!agg) {
          const id = "agg:" + (a < b ? a + "|" + b : b + "|" + a);
          agg = { id, from: a, to: b, count: 0 };
          aggregated.set(key, agg);
          edges.set(id, agg);
        }
        agg.count += 1;
      }
    }
    for (const e of edges.values()) {
      if (e.count !== undefined) {
        e.width = Math.min(12, 1 + Math.log2(e.count));
        e.color = { color: "#9aa7b4", opacity: 0.5 };
        e.title = fmt(e.count) + " links";
      }
    }
    return { nodes, edges };
  }

  function refresh() {
    state.labelsVersion += 1;
    const { nodes, edges } = visibleSets();
    clearHighlight();
    const oldNodes = new Set(nodeSet.getIds());
    nodeSet.remove([...oldNodes].filter((id) => !nodes.has(id)));
    nodeSet.add([...nodes.values()].filter((rec) => !oldNodes.has(rec.id)));
    // Aggregated edges change their counts; replace them all.
    const oldEdges = edgeSet.getIds();
    edgeSet.remove(oldEdges.filter((id) => !edges.has(id) || id.startsWith("agg:")));
    const keep = new Set(edgeSet.getIds());
    edgeSet.add([...edges.values()].filter((rec) => !keep.has(rec.id)));
    updateStatus();
  }

  function counts() {
    let real = 0;
    let groups = 0;
    nodeSet.forEach((rec) => {
      if (String(rec.id).startsWith("group:")) groups += 1;
      else real += 1;
    });
    let inGroups = 0;
    if (collapsed) {
      for (const g of DATA.groups) if (!state.expanded.has(g.id)) inGroups += g.size;
    }
    return { real, groups, inGroups, hidden: meta.total_nodes - real };
  }

  function updateStatus() {
    const c = counts();
    // The overview shows communities only: say what is there before what is not.
    const parts = c.real || !c.groups
      ? ["Showing " + fmt(c.real) + " of " + fmt(meta.total_nodes) + " nodes"]
      : ["Overview of " + fmt(meta.total_nodes) + " nodes"];
    if (c.groups) {
      parts.push(fmt(c.inGroups) + " in " + fmt(c.groups) +
                 " collapsed communities (click one to open it)");
    }
    const byFilter = c.hidden - c.inGroups;
    if (byFilter > 0) parts.push(fmt(byFilter) + " hidden by the filters on the left");
    if (meta.filtered_out) parts.push(fmt(meta.filtered_out) + " left out by the export's filters");
    $("status").textContent = parts.join(" · ");
    $("collapse").hidden = !collapsed || state.expanded.size === 0;
  }

  // ---- highlight ----
  function clearHighlight() {
    if (!state.dimmed.length) return;
    const restore = [];
    for (const id of state.dimmed) {
      if (!nodeSet.get(id)) continue;
      const n = byId.get(id);
      restore.push(n ? { id, color: n.color, font: { color: "#343434" } }
                     : { id, color: GROUP_COLOUR, font: { color: "#1d2b3a" } });
    }
    nodeSet.update(restore);
    state.dimmed = [];
    state.highlighted = null;
  }
  function highlight(id) {
    clearHighlight();
    const near = new Set(network.getConnectedNodes(id));
    near.add(id);
    const dim = [];
    nodeSet.forEach((rec) => {
      if (!near.has(rec.id)) dim.push(rec.id);
    });
    nodeSet.update(dim.map((d) => ({ id: d, color: DIM, font: { color: "#c8c8c8" } })));
    state.dimmed = dim;
    state.highlighted = id;
  }

  // ---- details ----
  function nodeButton(n, prefix) {
    const li = el("li");
    if (prefix) li.appendChild(el("span", prefix, "stance"));
    const b = el("button", truncate(n.text || n.label, 240), "link");
    b.type = "button";
    b.addEventListener("click", () => select(n.id));
    li.appendChild(b);
    return li;
  }
  function listSection(box, title, items) {
    if (!items.length) return;
    box.appendChild(el("h3", title + " (" + items.length + ")"));
    const ul = el("ul");
    for (const item of items.slice(0, 100)) ul.appendChild(item);
    if (items.length > 100) ul.appendChild(el("li", "… and " + (items.length - 100) + " more"));
    box.appendChild(ul);
  }
  function neighbours(id, type, direction) {
    const out = [];
    for (const e of edgesOf(id)) {
      if (e.t !== type) continue;
      if (direction === "out" && e.from !== id) continue;
      if (direction === "in" && e.to !== id) continue;
      const other = byId.get(e.from === id ? e.to : e.from);
      if (other) out.push({ node: other, edge: e });
    }
    return out;
  }
  function showDetails(n) {
    const box = $("details");
    clear(box);
    const head = el("div", null, "head");
    const type = typesById.get(n.t) || { name: n.t, colour: "#777" };
    head.appendChild(el("strong", type.name));
    if (n.k !== undefined) {
      const k = kindsById.get(n.k) || { name: n.k, colour: "#777" };
      const chip = el("span", k.name, "chip");
      chip.style.backgroundColor = k.colour;
      head.appendChild(chip);
    }
    if (n.stance) head.appendChild(el("span", n.stance, "chip"));
    box.appendChild(head);
    box.appendChild(el("p", n.text || n.label, "text"));
    if (n.note) box.appendChild(el("p", "Note: " + n.note + (n.line ? " · line " + n.line : ""), "meta"));
    if (n.sec) box.appendChild(el("p", "Section: " + n.sec, "meta"));
    if (n.k !== undefined && n.conf !== undefined) {
      box.appendChild(el("p", "Kind confidence " + Number(n.conf).toFixed(2) +
                             (n.ks ? " (" + n.ks + ")" : ""), "meta"));
    }
    if (n.comm !== undefined && groupsById.get(n.comm)) {
      box.appendChild(el("p", "Community: " + groupsById.get(n.comm).label, "meta"));
    }
    if (n.url) {
      const p = el("p", "", "meta");
      if (/^https?:\/\//i.test(n.url)) {
        const a = el("a", n.url);
        a.href = n.url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        p.appendChild(a);
      } else {
        p.textContent = n.url;
      }
      box.appendChild(p);
    }
    if (n.missing) box.appendChild(el("p", "This note does not exist (an unresolved link).", "meta"));
    if (n.pin) box.appendChild(el("p", "Pinned where you put it.", "meta"));
    if (n.date) box.appendChild(el("p", "Dated " + n.date, "meta"));

    const id = n.id;
    const items = (list, prefix) => list.map(({ node, edge }) => nodeButton(node, prefix ? prefix(edge, node) : ""));
    if (n.t === "claim") {
      listSection(box, "Your annotations", items(neighbours(id, "annotates", "in"),
        (e, a) => (a.stance || e.stance || "note") + ":"));
      listSection(box, "References", items(neighbours(id, "cites", "out")));
      listSection(box, "Concepts", items(neighbours(id, "mentions", "out")));
      const byWeight = (a, b) => (b.edge.w || 0) - (a.edge.w || 0);
      listSection(box, "Similar claims", items(neighbours(id, "similar").sort(byWeight),
        (e) => (e.w !== undefined ? e.w.toFixed(2) : "")));
      listSection(box, "Duplicates", items(neighbours(id, "duplicate").sort(byWeight)));
      listSection(box, "Tensions", items(neighbours(id, "tension"), (e) => (e.reason ? e.reason + ":" : "")));
      listSection(box, "Part of", items(neighbours(id, "contains", "in")));
      listSection(box, "Sub-items", items(neighbours(id, "contains", "out")));
    } else {
      const titles = {
        contains: ["Inside", "Contains"], mentions: ["Mentions", "Mentioned by"],
        cites: ["Cites", "Cited by"], annotates: ["Comments on", "Annotated by"],
        links_to: ["Links to", "Linked from"], similar: ["Similar", "Similar"],
        duplicate: ["Duplicate", "Duplicate"], tension: ["Tension", "Tension"],
      };
      for (const t of Object.keys(titles)) {
        listSection(box, titles[t][1], items(neighbours(id, t, "in")));
        listSection(box, titles[t][0], items(neighbours(id, t, "out")));
      }
    }
  }
  function showGroupDetails(g) {
    const box = $("details");
    clear(box);
    box.appendChild(el("strong", "Community"));
    box.appendChild(el("p", g.label, "text"));
    box.appendChild(el("p", fmt(g.size) + " nodes, " + fmt(g.claims) + " claims", "meta"));
  }

  // ---- actions ----
  function expandGroup(gid) {
    if (!collapsed || state.expanded.has(gid)) return;
    state.expanded.add(gid);
    refresh();
  }
  function select(id) {
    const n = byId.get(id);
    if (!n) return false;
    if (collapsed && !state.expanded.has(n.g)) state.expanded.add(n.g);
    if (!nodeShown(n)) {
      state.types.add(n.t);
      if (n.k !== undefined) state.kinds.add(n.k);
      syncChecks();
    }
    refresh();
    network.selectNodes([id]);
    highlight(id);
    showDetails(n);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    return true;
  }

  // ---- search ----
  let haystack = null;
  function search(query) {
    const q = String(query || "").trim().toLowerCase();
    if (q.length < 2) return [];
    if (!haystack) {
      haystack = DATA.nodes.map((n) => [n.id, ((n.label || "") + "\u0001" + (n.text || "") +
                                                "\u0001" + (n.note || "")).toLowerCase()]);
    }
    const hits = [];
    for (const [id, hay] of haystack) {
      if (hay.includes(q)) {
        hits.push(id);
        if (hits.length >= 50) break;
      }
    }
    // Claims first, then the rest, each in graph order.
    const rank = (id) => (byId.get(id).t === "claim" ? 0 : 1);
    return hits.sort((a, b) => rank(a) - rank(b));
  }
  function showResults(ids) {
    const ul = $("results");
    clear(ul);
    if (!$("search").value.trim()) {
      ul.hidden = true;
      return;
    }
    if (!ids.length) {
      ul.appendChild(el("li", "No match", "none"));
    }
    for (const id of ids) {
      const n = byId.get(id);
      const li = el("li", truncate(n.text || n.label, 160));
      li.setAttribute("role", "option");
      li.dataset.id = id;
      const type = (typesById.get(n.t) || { name: n.t }).name;
      li.appendChild(el("span", type + (n.note ? " · " + n.note + (n.line ? ":" + n.line : "") : ""), "where"));
      li.addEventListener("click", () => {
        ul.hidden = true;
        select(id);
      });
      ul.appendChild(li);
    }
    ul.hidden = false;
  }

  // ---- legend and filters ----
  const SHAPES = { dot: "●", square: "■", triangle: "▲", star: "★", diamond: "◆", hexagon: "⬢" };
  const checks = [];
  function checkRow(box, set, id, swatch, name, count) {
    const label = el("label");
    const input = el("input");
    input.type = "checkbox";
    input.checked = set.has(id);
    input.addEventListener("change", () => {
      if (input.checked) set.add(id);
      else set.delete(id);
      refresh();
    });
    checks.push({ input, set, id });
    label.appendChild(input);
    label.appendChild(swatch);
    label.appendChild(el("span", name));
    label.appendChild(el("span", fmt(count), "count"));
    box.appendChild(label);
  }
  function syncChecks() {
    for (const c of checks) c.input.checked = c.set.has(c.id);
  }
  function buildLegend() {
    for (const k of meta.kinds) {
      if (!k.count) continue;
      const sw = el("span", null, "swatch");
      sw.style.backgroundColor = k.colour;
      checkRow($("legend-kinds"), state.kinds, k.id, sw, k.name, k.count);
    }
    for (const t of meta.node_types) {
      const sw = el("span", SHAPES[t.shape] || "●", "shape");
      sw.style.color = t.colour;
      checkRow($("legend-types"), state.types, t.id, sw, t.name, t.count);
    }
    for (const t of meta.edge_types) {
      const sw = el("span", null, "swatch line");
      sw.style.backgroundColor = t.colour;
      checkRow($("legend-edges"), state.edgeTypes, t.id, sw, t.name, t.count);
    }
    $("generator").textContent = meta.generator + " · " + meta.generated;
  }

  // ---- labels at every zoom (the rules of explorer/graph/labels.py) ----
  // vis-network's own node labels are off: this overlay draws them in screen pixels
  // after each frame. Overview (many nodes in view): each community's title and the
  // claim that stands for it, over its region. Middle: the most central nodes, placed
  // greedily so none overlaps another. Close (few nodes in view): every node.
  const LABELS = meta.labels || { overview_nodes: 250, close_nodes: 40, middle_max: 120 };
  const NODE_SPOTS = [[0, -0.5, 1, 0], [-1, -0.5, -1, 0], [-0.5, -1, 0, -1], [-0.5, 0, 0, 1]];
  const COMMUNITY_SPOTS = [[-0.5, -0.5, 0, 0], [-0.5, -1.6, 0, 0], [-0.5, 0.6, 0, 0]];
  const labelState = { key: "", band: "", placed: [] };
  function placeLabels(boxes, spots, gap, keepAll, bounds) {
    // boxes: [x, y, w, h, pad, ownSpots?], most important first -> [[i, left, top, w, h]]
    const placed = [];
    if (!boxes.length) return placed;
    let cell = 16;
    for (const b of boxes) cell = Math.max(cell, b[3] * 2);
    const grid = new Map();
    const cells = (l, t, w, h, fn) => {
      for (let cx = Math.floor(l / cell); cx <= Math.floor((l + w) / cell); cx++) {
        for (let cy = Math.floor(t / cell); cy <= Math.floor((t + h) / cell); cy++) {
          if (fn(cx + "," + cy) === false) return false;
        }
      }
      return true;
    };
    const free = (l, t, w, h) => cells(l, t, w, h, (k) => {
      for (const j of grid.get(k) || []) {
        const o = placed[j];
        if (l < o[1] + o[3] + gap && o[1] < l + w + gap && t < o[2] + o[4] + gap && o[2] < t + h + gap) return false;
      }
      return true;
    });
    // A box that would stick out of the view is slid back inside it.
    const inside = (l, t, w, h) => bounds
      ? [Math.min(Math.max(l, bounds[0]), bounds[2] - w), Math.min(Math.max(t, bounds[1]), bounds[3] - h)]
      : [l, t];
    boxes.forEach((b, i) => {
      const [x, y, w, h] = b;
      const pad = b[4] || 0;
      const tries = (b[5] || spots).map(([dx, dy, px, py]) => inside(x + dx * w + px * pad, y + dy * h + py * pad, w, h));
      let chosen = tries.find(([l, t]) => free(l, t, w, h)) || null;
      if (!chosen) {
        if (!(typeof keepAll === "function" ? keepAll(i) : keepAll)) return;
        chosen = tries[0];
      }
      placed.push([i, chosen[0], chosen[1], w, h]);
      cells(chosen[0] - gap, chosen[1] - gap, w + 2 * gap, h + 2 * gap, (k) => {
        let list = grid.get(k);
        if (!list) grid.set(k, (list = []));
        list.push(placed.length - 1);
      });
    });
    return placed;
  }
  const TITLE_FONT = "bold 14px system-ui, sans-serif";
  const SUB_FONT = "italic 12px system-ui, sans-serif";
  const NODE_FONT = "12px system-ui, sans-serif";
  function planLabels(ctx, width, height) {
    const scale = network.getScale();
    const centre = network.getViewPosition();
    const key = [scale, centre.x, centre.y, width, height, nodeSet.length, state.labelsVersion].join(",");
    if (key === labelState.key) return;
    labelState.key = key;
    const bodies = network.body.nodes;
    const toDOM = (x, y) => ({ x: (x - centre.x) * scale + width / 2, y: (y - centre.y) * scale + height / 2 });
    const seen = (p) => p.x >= 0 && p.x <= width && p.y >= 0 && p.y <= height;
    const inView = [];
    nodeSet.forEach((rec) => {
      if (String(rec.id).startsWith("group:")) return;
      const b = bodies[rec.id];
      if (!b) return;
      const p = toDOM(b.x, b.y);
      if (seen(p)) inView.push([rec, p]);
    });
    let band = "middle";
    if (inView.length <= LABELS.close_nodes) band = "close";
    else if (inView.length > LABELS.overview_nodes) band = "overview";
    // Community titles: every collapsed community (its node is the label's place),
    // and at overview zoom every open one too, biggest first.
    const boxes = [];
    const what = [];
    const titled = [...DATA.groups].filter((g) => g.id >= 0 &&
      ((collapsed && !state.expanded.has(g.id)) || band === "overview"))
      .sort((a, b) => b.size - a.size).slice(0, 120);
    for (const g of titled) {
      const asNode = collapsed && !state.expanded.has(g.id);
      const b = asNode ? bodies["group:" + g.id] : null;
      const p = b ? toDOM(b.x, b.y) : toDOM(g.x, g.y);
      if (!seen(p)) continue;
      const lines = [truncate(g.label, 48) + (asNode ? " (" + fmt(g.size) + ")" : "")];
      if (g.claim) lines.push(truncate(g.claim, 56));
      ctx.font = TITLE_FONT;
      let w = ctx.measureText(lines[0]).width;
      ctx.font = SUB_FONT;
      if (lines[1]) w = Math.max(w, ctx.measureText(lines[1]).width);
      boxes.push([p.x, p.y, w + 12, lines[1] ? 40 : 24, 0, COMMUNITY_SPOTS]);
      what.push({ kind: "community", key: g.id, lines });
    }
    // Zoomed into one big community, its title alone says little: name central nodes too.
    const fewTitles = band === "overview" && boxes.length < 3;
    if (band !== "overview" || fewTitles) {
      inView.sort((a, b) => (b[0].size || 0) - (a[0].size || 0));
      const limit = band === "close" ? 48 : 34;
      ctx.font = NODE_FONT;
      for (const [rec, p] of inView.slice(0, 400)) {
        const text = truncate(byId.get(rec.id).label || "", limit);
        boxes.push([p.x, p.y, ctx.measureText(text).width + 4, 16, (rec.size || 8) * scale + 2]);
        what.push({ kind: "node", key: rec.id, lines: [text] });
      }
    }
    const placedOut = [];
    let nodesPlaced = 0;
    // Close up, a node label with no free spot is drawn anyway: every node is named.
    // A community title never is: titles never overlap.
    const keep = (i) => band === "close" && what[i].kind === "node";
    for (const [i, l, t, w, h] of placeLabels(boxes, NODE_SPOTS, 2, keep, [0, 0, width, height])) {
      const cap = fewTitles ? 40 : LABELS.middle_max;
      if (what[i].kind === "node" && band !== "close" && ++nodesPlaced > cap) continue;
      placedOut.push(Object.assign({ x: l, y: t, w, h }, what[i]));
    }
    labelState.band = band;
    labelState.placed = placedOut;
  }
  function drawLabels(ctx) {
    const canvas = ctx.canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    const ratio = canvas.width / Math.max(1, width);
    planLabels(ctx, width, height);
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textBaseline = "top";
    for (const p of labelState.placed) {
      if (p.kind === "community") {
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.beginPath();
        if (ctx.roundRect) ctx.roundRect(p.x, p.y, p.w, p.h, 5); else ctx.rect(p.x, p.y, p.w, p.h);
        ctx.fill();
        ctx.fillStyle = "#1b1b1b";
        ctx.textAlign = "center";
        ctx.font = TITLE_FONT;
        ctx.fillText(p.lines[0], p.x + p.w / 2, p.y + 4);
        if (p.lines[1]) {
          ctx.font = SUB_FONT;
          ctx.fillStyle = "#444";
          ctx.fillText(p.lines[1], p.x + p.w / 2, p.y + 22);
        }
      } else {
        ctx.fillStyle = "rgba(255,255,255,0.7)";
        ctx.fillRect(p.x, p.y, p.w, p.h);
        ctx.fillStyle = "#1b1b1b";
        ctx.textAlign = "left";
        ctx.font = NODE_FONT;
        ctx.fillText(p.lines[0], p.x + 2, p.y + 2);
      }
    }
    ctx.restore();
  }
  function labelsNow() {
    const r = $("map").getBoundingClientRect();
    return {
      band: labelState.band,
      placed: labelState.placed.map((p) => ({ kind: p.kind, key: p.key, lines: p.lines.slice(),
        x: r.left + p.x, y: r.top + p.y, w: p.w, h: p.h })),
    };
  }

  // ---- the views: the author's questions, as tabs (explorer/graph/views.py) ----
  const VIEWS = DATA.views || {};
  function showTab(name) {
    for (const b of document.querySelectorAll("#tabs button")) {
      b.setAttribute("aria-selected", String(b.dataset.tab === name));
    }
    $("details").hidden = name !== "details";
    for (const v of ["themes", "changed", "evidence", "tensions", "suggested"]) {
      $("view-" + v).hidden = v !== name;
    }
    state.tab = name;
  }
  // Several claims at once (a Themes cell): shown, selected and framed on the map.
  function showSet(ids) {
    ids = ids.filter((id) => byId.has(id));
    if (!ids.length) return 0;
    let changed = false;
    for (const id of ids) {
      const n = byId.get(id);
      if (collapsed && !state.expanded.has(n.g)) { state.expanded.add(n.g); changed = true; }
      if (!nodeShown(n)) { state.types.add(n.t); if (n.k !== undefined) state.kinds.add(n.k); changed = true; }
    }
    if (changed) { syncChecks(); refresh(); }
    clearHighlight();
    network.selectNodes(ids);
    network.fit({ nodes: ids, animation: false });
    state.highlighted = ids[0];
    return ids.length;
  }
  function linkButton(text, id, limit) {
    const b = el("button", truncate(text, limit || 200));
    b.type = "button";
    b.title = text;
    b.dataset.id = id;
    b.addEventListener("click", () => select(id));
    return b;
  }
  const where = (note, line) => (note || "") + (line ? ":" + line : "");
  function quote(label, text, id, place) {
    const p = el("p", null, "quote");
    if (label) p.appendChild(el("span", label, "stance"));
    p.appendChild(linkButton(text, id));
    if (place) p.appendChild(el("span", " · " + place, "meta"));
    return p;
  }
  function buildViews() {
    restoreViews(VIEWS);
    const kindName = (k) => (kindsById.get(k) || { name: k || "no kind" }).name;
    // Themes x kinds
    const themes = VIEWS.themes || { kinds: [], rows: [] };
    const tbox = $("view-themes");
    tbox.appendChild(el("p", "Communities (by their terms) against claim kinds. Click a count to show those claims.", "meta"));
    const table = el("table");
    const head = el("tr");
    head.appendChild(el("th", "theme"));
    for (const k of themes.kinds) head.appendChild(el("th", kindName(k)));
    table.appendChild(head);
    for (const row of themes.rows) {
      const tr = el("tr");
      tr.appendChild(el("td", truncate(row.title, 40) + " (" + row.total + ")"));
      for (const k of themes.kinds) {
        const td = el("td");
        const ids = row.claims[k] || [];
        if (ids.length) {
          const b = el("button", String(ids.length));
          b.type = "button";
          b.dataset.community = String(row.community);
          b.dataset.kind = k;
          b.addEventListener("click", () => showSet(ids));
          const colour = (kindsById.get(k) || {}).colour;
          if (colour) td.style.boxShadow = "inset 4px 0 0 " + colour;
          td.appendChild(b);
        }
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    tbox.appendChild(table);
    // Where I changed my mind
    const cbox = $("view-changed");
    const changed = VIEWS.changed_mind || [];
    cbox.appendChild(el("h3", "Where I changed my mind (" + changed.length + ")"));
    if (!changed.length) cbox.appendChild(el("p", "No annotation doubts, disagrees with or revises a claim.", "meta"));
    for (const r of changed) {
      const item = el("div", null, "item");
      item.appendChild(el("p", (r.date || "no date") + " · " + r.stance + (r.source === "user" ? " (yours)" : ""), "meta"));
      item.appendChild(quote("claim:", r.claim_text, r.claim, where(r.claim_note, r.claim_line)));
      item.appendChild(quote(r.stance + ":", r.annotation_text, r.annotation, where(r.note, r.line)));
      cbox.appendChild(item);
    }
    // Evidence
    const ebox = $("view-evidence");
    const ev = VIEWS.evidence || {};
    const list = (title, rows) => {
      ebox.appendChild(el("h3", title + " (" + (rows || []).length + ")"));
      const ul = el("ul");
      for (const r of rows || []) {
        const li = el("li");
        li.appendChild(linkButton(r.text, r.claim));
        li.appendChild(el("span", " · " + where(r.note, r.line), "meta"));
        ul.appendChild(li);
      }
      ebox.appendChild(ul);
    };
    list("Criteria with no evidence", ev.criteria_without_evidence);
    list("Questions with no evidence", ev.questions_without_evidence);
    list("Limitations no reference supports", ev.limitations_without_reference);
    ebox.appendChild(el("h3", "Criteria and questions, with what bears on them (" + (ev.items || []).length + ")"));
    for (const r of ev.items || []) {
      const item = el("div", null, "item");
      item.appendChild(quote(kindName(r.kind) + ":", r.text, r.claim, where(r.note, r.line)));
      const ul = el("ul");
      for (const s2 of r.similar) {
        const li = el("li", (s2.weight !== null && s2.weight !== undefined ? "similar " + Number(s2.weight).toFixed(2) : "linked") + ": ");
        li.appendChild(linkButton(s2.text, s2.id, 140));
        ul.appendChild(li);
      }
      for (const ref of r.references) {
        const li = el("li", "cites: ");
        li.appendChild(linkButton(ref.text, ref.id, 140));
        ul.appendChild(li);
      }
      for (const a of r.annotations) {
        const li = el("li", (a.stance || "note") + ": ");
        li.appendChild(linkButton(a.text, a.id, 140));
        ul.appendChild(li);
      }
      if (!ul.childNodes.length) ul.appendChild(el("li", "nothing bears on it yet", "meta"));
      item.appendChild(ul);
      ebox.appendChild(item);
    }
    // Tensions and suggested links
    const pairs = (box, title, rows, empty, what, total) => {
      const count = total === undefined ? rows.length : total;
      box.appendChild(el("h3", title + " (" + count + ")"));
      if (!rows.length) box.appendChild(el("p", empty, "meta"));
      for (const r of rows.slice(0, 500)) {
        const item = el("div", null, "item");
        item.appendChild(el("p", what(r), "meta"));
        item.appendChild(quote("", r.a_text, r.a, where(r.a_note, r.a_line)));
        item.appendChild(quote("", r.b_text, r.b, where(r.b_note, r.b_line)));
        box.appendChild(item);
      }
    };
    pairs($("view-tensions"), "Tensions", VIEWS.tensions || [],
      "No candidate contradiction (or you dismissed them all).",
      (r) => "tension " + Number(r.weight || 0).toFixed(2) + (r.reason ? ": " + r.reason : "") +
             (r.decision ? " (" + r.decision + " by you)" : ""), VIEWS.tensions_total);
    pairs($("view-suggested"), "Suggested links", VIEWS.suggested_links || [],
      "No similar claims in notes that do not link to each other.",
      (r) => "similar " + Number(r.weight).toFixed(2) + " · " + r.a_note + " ↔ " + r.b_note);
    for (const b of document.querySelectorAll("#tabs button")) {
      b.addEventListener("click", () => showTab(b.dataset.tab));
    }
  }

  // ---- saved views (made in the window, carried by the export) ----
  const SAVED = DATA.saved_views || {};
  function applySaved(name) {
    const v = SAVED[name];
    if (!v) return false;
    const f = v.filters || {};
    state.kinds = new Set(f.kinds || meta.kinds.map((k) => k.id));
    state.edgeTypes = new Set(f.edge_types || meta.edge_types.map((t) => t.id));
    syncChecks();
    refresh();
    if (v.focus && byId.has(v.focus)) select(v.focus);
    if (v.centre && v.span) {
      const w = $("map").clientWidth || 800;
      network.moveTo({ position: { x: v.centre[0], y: v.centre[1] }, scale: w / v.span, animation: false });
    }
    state.savedView = name;
    return true;
  }
  function buildSavedMenu() {
    const names = Object.keys(SAVED).sort();
    const menu = $("saved-views");
    for (const name of names) {
      const o = el("option", name);
      o.value = name;
      menu.appendChild(o);
    }
    menu.hidden = !names.length;
    menu.addEventListener("change", () => applySaved(menu.value));
  }

  // ---- the read-only handle for tests and benchmarks ----
  function focusOn(id, scale) {
    if (!network || !nodeSet.get(id)) return false;
    network.moveTo({ position: network.getPosition(id), scale: scale || 2, animation: false });
    return true;
  }
  function domPosition(id) {
    if (!network || !nodeSet.get(id)) return null;
    const p = network.canvasToDOM(network.getPosition(id));
    const r = $("map").getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }
  const api = {};
  Object.defineProperties(api, {
    ready: { get: () => state.ready, enumerable: true },
    firstDrawMs: { get: () => state.firstDrawMs, enumerable: true },
    timings: { get: () => Object.assign({}, marks, { firstDraw: state.firstDrawMs }) },
    nodeCount: { get: () => (nodeSet ? nodeSet.length : 0), enumerable: true },
    edgeCount: { get: () => (edgeSet ? edgeSet.length : 0), enumerable: true },
    realNodeCount: { get: () => (nodeSet ? counts().real : 0), enumerable: true },
    groupCount: { get: () => (nodeSet ? counts().groups : 0), enumerable: true },
    hiddenCount: { get: () => (nodeSet ? counts().hidden : meta.total_nodes), enumerable: true },
    totalNodes: { value: meta.total_nodes, enumerable: true },
    totalEdges: { value: meta.total_edges, enumerable: true },
    collapsed: { value: collapsed, enumerable: true },
    search: { value: (q) => search(q).slice() },
    select: { value: (id) => select(String(id)) },
    expand: { value: (gid) => expandGroup(Number(gid)) },
    domPosition: { value: domPosition },
    focus: { value: (id, scale) => focusOn(String(id), scale) },
    highlighted: { get: () => state.highlighted, enumerable: true },
    detailsText: { value: () => $("details").textContent },
    labels: { value: labelsNow },
    showTab: { value: (name) => { showTab(String(name)); return state.tab; } },
    showSet: { value: (ids) => showSet(ids.map(String)) },
    selectedIds: { value: () => network.getSelectedNodes().map(String) },
    savedViews: { value: () => Object.keys(SAVED).sort() },
    // The graph as the page decoded it: what build_payload wrote, record by record.
    records: { value: () => JSON.parse(JSON.stringify({ nodes: DATA.nodes, edges: allEdges(),
                                                        views: restoreViews(VIEWS) })) },
    applySaved: { value: (name) => applySaved(String(name)) },
    view: { value: () => ({ scale: network.getScale(), centre: network.getViewPosition(),
                            kinds: [...state.kinds].sort(), edgeTypes: [...state.edgeTypes].sort(),
                            savedView: state.savedView || null }) },
    zoomTo: { value: (scale, x, y) => { network.moveTo({ scale, position: x === undefined ? undefined : { x, y }, animation: false }); network.redraw(); return true; } },
  });
  Object.freeze(api);
  Object.defineProperty(window, "explorerMap", { value: api, writable: false, configurable: false });

  // ---- start ----
  buildLegend();
  buildSavedMenu();
  if (!DATA.nodes.length) {
    buildViews();
    $("map").hidden = true;
    $("details").hidden = true;
    $("empty").hidden = false;
    $("status").textContent = "Nothing to show";
    state.ready = true;
    state.firstDrawMs = performance.now();
    return;
  }
  marks.indexed = performance.now();
  const initial = visibleSets();
  nodeSet = new vis.DataSet([...initial.nodes.values()]);
  edgeSet = new vis.DataSet([...initial.edges.values()]);
  marks.datasets = performance.now();
  const big = initial.edges.size > 4000;
  network = new vis.Network($("map"), { nodes: nodeSet, edges: edgeSet }, {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 0 },
    interaction: { hover: !big, tooltipDelay: 200, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                   keyboard: false },
    groups: styleGroups,
    nodes: { borderWidth: 1, font: { size: 14, color: "#343434" },
             scaling: { label: { drawThreshold: 9 } } },
    edges: { smooth: false, selectionWidth: 2, hoverWidth: 1.5, color: { opacity: 0.6 },
             arrows: { to: { scaleFactor: 0.5 } } },
  });
  marks.network = performance.now();
  network.on("afterDrawing", drawLabels);
  network.once("afterDrawing", () => {
    state.firstDrawMs = performance.now();
    // The view tabs are built just after the first frame, so the map shows first.
    setTimeout(() => {
      buildViews();
      state.ready = true;
      document.body.dataset.ready = "1";
    }, 0);
  });
  network.on("click", (params) => {
    if (!params.nodes.length) {
      clearHighlight();
      return;
    }
    const id = String(params.nodes[0]);
    if (id.startsWith("group:")) {
      const g = groupsById.get(Number(id.slice(6)));
      showGroupDetails(g);
      expandGroup(g.id);
      return;
    }
    highlight(id);
    showDetails(byId.get(id));
  });
  let timer = null;
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => showResults(search($("search").value)), 120);
  });
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const hits = search($("search").value);
      if (hits.length) {
        $("results").hidden = true;
        select(hits[0]);
      }
    } else if (ev.key === "Escape") {
      $("results").hidden = true;
    }
  });
  $("fit").addEventListener("click", () => network.fit({ animation: false }));
  $("collapse").addEventListener("click", () => {
    state.expanded.clear();
    refresh();
  });
  updateStatus();
})();
