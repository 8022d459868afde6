// survmap's map: draws the choropleth from our own TopoJSON and counts on one canvas, a few
// shapes per task so the page never freezes; keeps every view in the URL; lets a keyboard walk
// from region to region; searches as you type. Data only ever reaches the page through
// textContent and DOM nodes, never innerHTML.
//
// Another template can reuse it: it needs #map and the "map-config" and "map-counts" JSON
// (json_script); the search box, the filter form, the panel, the legend and the lists are each
// optional.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }
  var element = byId("map");
  var configNode = byId("map-config");
  if (!element || !configNode || !window.L || !window.Worker) return;
  var config = JSON.parse(configNode.textContent);
  var state = JSON.parse(byId("map-counts").textContent);
  var LOWER48 = [[24.4, -125.0], [49.5, -66.9]];
  var LEVEL = config.level === "state" ? "state" : "county";
  var SLICE_MS = 8; // work per task while drawing: far below the 50 ms of a "long task"
  var form = byId("map-filters");
  var features = []; // {id, name, layer, x, y, centre}, in FIPS order
  var byFips = {};
  var regions = null;
  var ready = false;
  var cursor = null; // the region the keyboard is on
  var focusFips = new URLSearchParams(window.location.search).get("focus") || "";

  // Leaflet's canvas repaints the area of every changed shape in one animation frame: with 3,000
  // counties, one long task that freezes a phone. While slicing, changed shapes are queued
  // instead and painted over what is there, a few milliseconds' worth per task. Painting over
  // equals a repaint because shapes do not move meanwhile (a pan or zoom repaints everything,
  // as Leaflet always does) and fills are opaque. Relies on Leaflet 1.9.4's canvas internals
  // (_requestRedraw, _drawing, a layer's _updatePath), pinned under static/vendor/.
  var SlicedCanvas = L.Canvas.extend({
    _requestRedraw: function (layer) {
      if (!this._slicing) { L.Canvas.prototype._requestRedraw.call(this, layer); return; }
      if (this._map && !layer._sliceQueued) { layer._sliceQueued = true; this._queue.push(layer); }
    },
    startSlicing: function () {
      if (!this._slicing) { this._slicing = true; this._queue = []; this._next = 0; }
    },
    // Paints queued shapes until the clock reaches `until`; true once none is left.
    paint: function (until) {
      this._drawing = true;
      while (this._next < this._queue.length && performance.now() < until) {
        var layer = this._queue[this._next++];
        layer._sliceQueued = false;
        if (layer._map) layer._updatePath();
      }
      this._drawing = false;
      if (this._next < this._queue.length) return false;
      this._queue = [];
      this._next = 0;
      return true;
    },
    stopSlicing: function () { this._slicing = false; },
  });
  var renderer = new SlicedCanvas({ padding: 0.3, tolerance: 1 });
  var map = L.map(element, {
    renderer: renderer,
    preferCanvas: true,
    zoomSnap: 0.25,
    minZoom: 2,
    keyboard: false, // our own: arrow keys move between regions, not the view
    zoomControl: false,
  });
  if (config.tile_url) {
    L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 12 }).addTo(map);
  }
  map.attributionControl.setPrefix(false);
  // Bottom right, away from the search results; the map itself is the one tab stop (+ and -).
  L.control.zoom({ position: "bottomright" }).addTo(map);
  Array.prototype.forEach.call(element.querySelectorAll(".leaflet-control-zoom a"), function (a) {
    a.setAttribute("tabindex", "-1");
  });
  map.fitBounds(LOWER48);

  function plural(n, one, many) { return n === 1 ? one : many; }
  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  function countOf(fips) { return state.counts[fips] || 0; }
  function agencies(n) { return n ? number(n) + plural(n, " agency", " agencies") : "None recorded"; }
  function colourFor(n) {
    if (!n) return config.none_colour;
    for (var i = 0; i < state.breaks.length; i++) {
      if (n <= state.breaks[i]) return state.colours[i];
    }
    return state.colours[state.colours.length - 1] || config.none_colour;
  }
  // Opaque without tiles, so that painting a new colour over an old one leaves no trace of it.
  var FILL_OPACITY = config.tile_url ? 0.8 : 1;
  var OUTLINE = { color: "#ffffff", weight: 0.4 };
  var CURSOR = { color: "#111111", weight: 3 };
  function style(feature) {
    var line = cursor && cursor.id === feature.id ? CURSOR : OUTLINE;
    return { fillColor: colourFor(countOf(feature.id)), fillOpacity: FILL_OPACITY, color: line.color, weight: line.weight };
  }

  // ---- The URL: filters from the form, the level, the place in focus. ----
  function query() {
    var params = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, key) {
        if (value !== "" && key !== "focus") params.append(key, value);
      });
    } else {
      new URLSearchParams(window.location.search).forEach(function (value, key) {
        if (key !== "focus") params.append(key, value);
      });
    }
    if (focusFips) params.set("focus", focusFips);
    return params;
  }
  function filterQuery(params) {
    var copy = new URLSearchParams(params);
    copy.delete("level");
    copy.delete("focus");
    return copy.toString();
  }
  function withFilters(url) {
    var filters = filterQuery(query());
    return url + (filters ? "?" + filters : "");
  }
  function regionUrl(fips) { return withFilters(config.region_url.replace("{fips}", fips)); }
  function saveUrl() {
    if (form) window.history.replaceState(null, "", "?" + query().toString());
  }

  // ---- What sits on the map: the count (a live region), the legend. ----
  function drawCount() {
    var node = byId("map-count");
    if (!node) return;
    clear(node);
    var total = el("span", number(state.agencies));
    total.id = "agency-total";
    var places = el("span", number(state.regions));
    places.id = "region-total";
    node.appendChild(total);
    node.appendChild(document.createTextNode(plural(state.agencies, " agency in ", " agencies in ")));
    node.appendChild(places);
    node.appendChild(document.createTextNode(LEVEL === "state" ? " states and territories" : plural(state.regions, " county", " counties")));
    if (state.as_of) {
      node.appendChild(document.createTextNode(" on "));
      var date = el("span", state.as_of);
      date.id = "as-of-label";
      node.appendChild(date);
    }
    element.dataset.total = String(state.agencies);
  }

  function drawLegend() {
    var legend = byId("legend");
    if (!legend) return;
    clear(legend);
    legend.appendChild(el("p", "Agencies per " + LEVEL));
    var list = el("ul");
    var bands = [["None recorded", config.none_colour]];
    var lower = 1;
    state.breaks.forEach(function (upper, i) {
      bands.push([lower === upper ? String(upper) : lower + "–" + upper, state.colours[i]]);
      lower = upper + 1;
    });
    bands.forEach(function (band) {
      var item = el("li");
      var box = svg("svg", { class: "swatch", width: "14", height: "14", "aria-hidden": "true" });
      box.appendChild(svg("rect", { width: "14", height: "14", fill: band[1] }));
      item.appendChild(box);
      item.appendChild(document.createTextNode(band[0]));
      list.appendChild(item);
    });
    legend.appendChild(list);
  }

  // ---- The text list beside the map follows the filters too. ----
  var listStale = false;
  function drawList() {
    var body = byId("region-rows");
    if (!body) return;
    if (!ready) { listStale = true; return; }
    listStale = false;
    var rows = Object.keys(state.counts)
      .filter(function (fips) { return state.counts[fips] > 0; })
      .map(function (fips) { return [fips, byFips[fips] ? byFips[fips].name : fips, state.counts[fips]]; })
      .sort(function (a, b) { return b[2] - a[2] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    clear(body);
    rows.slice(0, config.list_rows).forEach(function (row) {
      var tr = el("tr");
      var name = el("td");
      var link = el("a", row[1]);
      link.href = regionUrl(row[0]);
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(el("td", String(row[2])));
      body.appendChild(tr);
    });
    if (!rows.length) {
      var empty = el("td", "No agency matches these filters.");
      empty.colSpan = 2;
      var tr = el("tr");
      tr.appendChild(empty);
      body.appendChild(tr);
    }
    var more = byId("more-regions");
    if (more) {
      var rest = Math.max(0, rows.length - config.list_rows);
      more.hidden = rest === 0;
      byId("more-count").textContent = number(rest);
      byId("more-link").href = withFilters(config.table_url);
    }
  }

  // Paints what is queued, a slice per task, then calls `done`.
  var painting = null;
  function paintInSlices(done) {
    if (painting) clearTimeout(painting);
    (function slice() {
      painting = null;
      if (renderer.paint(performance.now() + SLICE_MS)) { renderer.stopSlicing(); if (done) done(); return; }
      painting = setTimeout(slice, 0);
    })();
  }
  function recolour() {
    if (regions && ready) {
      renderer.startSlicing();
      regions.setStyle(style);
      paintInSlices(function () { if (cursor) cursor.layer.bringToFront(); });
    }
    drawLegend();
    drawCount();
    drawList();
    drawTimeline();
    var undated = byId("undated");
    if (undated) {
      undated.hidden = !state.as_of;
      undated.textContent = state.as_of
        ? number(state.undated) + plural(state.undated, " partnership", " partnerships") +
          " with no known start date " + plural(state.undated, "is", "are") + " not in this view."
        : "";
    }
    var clearLink = byId("as-of-clear");
    if (clearLink) clearLink.hidden = !state.as_of;
  }

  // ---- Filters: every change refreshes the counts and the URL. ----
  var pending = null;
  var afterRefresh = null;
  function refresh() {
    var params = query();
    if (params.get("level") && params.get("level") !== config.level) {
      window.location.assign("?" + params.toString());
      return;
    }
    saveUrl();
    var filters = filterQuery(params);
    var tableLink = byId("table-link");
    if (tableLink) tableLink.href = config.table_url + (filters ? "?" + filters : "");
    if (pending) pending.abort();
    pending = new AbortController();
    element.dataset.state = "loading";
    fetch(config.counts_url + "?" + params.toString(), { signal: pending.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("counts " + response.status);
        return response.json();
      })
      .then(function (payload) {
        state = payload;
        recolour();
        element.dataset.query = filters;
        element.dataset.state = "ready";
        if (afterRefresh) afterRefresh();
      })
      .catch(function (error) {
        if (error.name !== "AbortError") element.dataset.state = "error";
      });
  }

  // ---- Time: a slider over the months the data covers, a chart above it, play. ----
  var steps = config.steps || [];
  var asOfDate = byId("as-of-date");
  var slider = byId("as-of-slider");
  var playButton = byId("as-of-play");
  function stepOf(date) {
    if (!date) return steps.length - 1;
    for (var i = 0; i < steps.length; i++) if (steps[i] >= date) return i;
    return steps.length - 1;
  }
  function syncSlider() {
    if (!slider || !asOfDate) return;
    slider.value = String(stepOf(asOfDate.value));
    slider.setAttribute("aria-valuetext", asOfDate.value || "every date");
  }
  function drawTimeline() {
    var chart = byId("timeline");
    if (!chart || !steps.length) return;
    clear(chart);
    var values = state.timeline || [];
    var top = Math.max.apply(null, values.concat([1]));
    var current = state.as_of ? stepOf(state.as_of) : -1;
    chart.setAttribute("viewBox", "0 0 " + steps.length + " 60");
    values.forEach(function (value, i) {
      var height = Math.round(value / top * 56);
      var bar = svg("rect", { x: String(i + 0.1), y: String(60 - height), width: "0.8", height: String(height), class: i === current ? "bar current" : "bar" });
      bar.appendChild(svg("title")).textContent = steps[i].slice(0, 7) + ": " + number(value) + " in effect";
      chart.appendChild(bar);
    });
    (config.events || []).forEach(function (event) {
      var x = String(stepOf(event.date) + 0.5);
      var line = svg("line", { x1: x, x2: x, y1: "0", y2: "60", class: "event", "vector-effect": "non-scaling-stroke" });
      line.appendChild(svg("title")).textContent = event.date + ": " + event.title;
      chart.appendChild(line);
    });
    var peak = values.indexOf(top);
    chart.setAttribute("aria-label", "Partnerships in effect, month by month" +
      (peak >= 0 ? "; most, " + number(top) + ", in " + steps[peak].slice(0, 7) : "") +
      (config.events && config.events.length ? "; blue lines mark policy events" : ""));
  }
  function setDate(date) {
    if (!asOfDate) return;
    asOfDate.value = date;
    syncSlider();
    refresh();
  }
  var playing = false;
  function stopPlaying() {
    playing = false;
    afterRefresh = null;
    if (playButton) { playButton.setAttribute("aria-pressed", "false"); playButton.textContent = "Play month by month"; }
  }
  function playStep() {
    if (!playing) return;
    var next = stepOf(asOfDate.value) + 1;
    if (!asOfDate.value || next >= steps.length) { stopPlaying(); return; }
    afterRefresh = function () { afterRefresh = null; setTimeout(playStep, 700); };
    setDate(steps[next]);
  }
  drawTimeline();
  if (slider && asOfDate && steps.length) {
    syncSlider();
    slider.addEventListener("input", function () {
      asOfDate.value = steps[Number(slider.value)];
      slider.setAttribute("aria-valuetext", asOfDate.value);
    });
    slider.addEventListener("change", function () { stopPlaying(); refresh(); });
    asOfDate.addEventListener("change", syncSlider);
  }
  if (playButton && asOfDate && steps.length) {
    playButton.addEventListener("click", function () {
      if (playing) { stopPlaying(); return; }
      playing = true;
      playButton.setAttribute("aria-pressed", "true");
      playButton.textContent = "Pause";
      var start = stepOf(asOfDate.value);
      if (!asOfDate.value || start >= steps.length - 1) start = 0;
      afterRefresh = function () { afterRefresh = null; setTimeout(playStep, 700); };
      setDate(steps[start]);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("#policy-events a[data-date]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      stopPlaying();
      setDate(link.getAttribute("data-date"));
    });
  });
  var clearLink = byId("as-of-clear");
  if (clearLink) {
    clearLink.addEventListener("click", function (event) {
      event.preventDefault();
      stopPlaying();
      setDate("");
    });
  }
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target === slider) return; // handled above
      if (event.target !== playButton) stopPlaying();
      refresh();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  }

  // ---- Places: zoom, the keyboard cursor, the place card. ----
  function boundsFor(prefixes) {
    var bounds = null;
    features.forEach(function (f) {
      for (var i = 0; i < prefixes.length; i++) {
        if (f.id.indexOf(prefixes[i]) === 0 || prefixes[i].indexOf(f.id) === 0) {
          var b = f.layer.getBounds();
          bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
          return;
        }
      }
    });
    return bounds;
  }
  var announcer = byId("map-announce");
  function announce(text) { if (announcer) announcer.textContent = text; }
  function setCursor(feature, pan) {
    var previous = cursor;
    cursor = feature;
    if (previous) previous.layer.setStyle(style(previous.layer.feature));
    if (!feature) { element.removeAttribute("data-cursor"); return; }
    feature.layer.setStyle(style(feature.layer.feature));
    feature.layer.bringToFront();
    element.dataset.cursor = feature.id;
    if (pan && !map.getBounds().contains(feature.centre)) map.panTo(feature.centre);
    announce(feature.name + ": " + agencies(countOf(feature.id)) + ". Enter opens its page.");
  }
  function featureFor(fips) {
    if (byFips[fips]) return byFips[fips];
    return LEVEL === "state" ? byFips[fips.slice(0, 2)] || null : null;
  }
  function focusOn(fips) {
    var feature = featureFor(fips);
    var bounds = boundsFor([feature ? feature.id : fips]);
    if (!bounds) return;
    map.fitBounds(bounds, { maxZoom: 9 });
    element.dataset.focus = fips;
    if (feature) setCursor(feature, false);
  }
  function nearestTo(point) {
    var best = null;
    var distance = Infinity;
    features.forEach(function (f) {
      var d = (f.x - point.x) * (f.x - point.x) + (f.y - point.y) * (f.y - point.y);
      if (d < distance) { distance = d; best = f; }
    });
    return best;
  }
  // The nearest region whose centre lies within a cone around the arrow's direction.
  function neighbour(from, dx, dy) {
    var best = null;
    var bestScore = Infinity;
    features.forEach(function (f) {
      if (f === from) return;
      var vx = f.x - from.x;
      var vy = f.y - from.y;
      var along = vx * dx + vy * dy;
      var across = Math.abs(vx * dy - vy * dx);
      if (along <= 0 || across > along * 2) return;
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = f; }
    });
    return best;
  }
  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  element.addEventListener("keydown", function (event) {
    if (!ready || event.altKey || event.ctrlKey || event.metaKey) return;
    var arrow = ARROWS[event.key];
    if (arrow) {
      event.preventDefault();
      if (!cursor) {
        setCursor(nearestTo(map.options.crs.latLngToPoint(map.getCenter(), 4)), true);
        return;
      }
      var next = neighbour(cursor, arrow[0], arrow[1]);
      if (next) setCursor(next, true);
      else announce(cursor.name + " is the last " + LEVEL + " that way.");
    } else if (event.key === "Enter" && cursor) {
      event.preventDefault();
      window.location.assign(regionUrl(cursor.id));
    } else if (event.key === "+" || event.key === "=") {
      event.preventDefault();
      map.zoomIn();
    } else if (event.key === "-" || event.key === "_") {
      event.preventDefault();
      map.zoomOut();
    } else if (event.key === "Escape") {
      setCursor(null);
      announce("");
    }
  });

  var card = byId("place-card");
  function hideCard() { if (card) { card.hidden = true; clear(card); } }
  function showCard(result, feature) {
    if (!card) return;
    clear(card);
    card.setAttribute("tabindex", "-1");
    card.setAttribute("role", "region");
    card.setAttribute("aria-labelledby", "place-card-title");
    var title = el("h2", result.label);
    title.id = "place-card-title";
    card.appendChild(title);
    card.appendChild(el("p", result.kind + (result.detail ? " · " + result.detail : "")));
    if (typeof result.count === "number") {
      card.appendChild(el("p", agencies(result.count) + " with sourced partnerships recorded" + (result.kind === "city" ? " in the city" : "") + "."));
    }
    if (feature) {
      var line = el("p");
      line.id = "place-card-count";
      line.textContent = (feature.id === result.fips ? "" : feature.name + ": ") + agencies(countOf(feature.id)) + " on the map with these filters.";
      card.appendChild(line);
    }
    var link = el("a", "Open the page of " + (feature && result.kind !== "city" ? feature.name : result.label));
    link.href = feature && result.kind !== "city" ? regionUrl(feature.id) : withFilters(result.url);
    card.appendChild(link);
    var close = el("button", "×", "close");
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { hideCard(); element.focus(); });
    card.appendChild(close);
    card.hidden = false;
  }
  if (card) {
    card.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { hideCard(); element.focus(); }
    });
  }

  // ---- Search: a combobox; the server ranks, the page shows and jumps. ----
  var input = byId("search-input");
  var results = byId("search-results");
  var shown = [];
  var active = -1;
  var searchTimer = null;
  var searchRequest = null;
  var searchStatus = null;
  function setActive(index) {
    active = index;
    Array.prototype.forEach.call(results.children, function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && results.children[index]) {
      input.setAttribute("aria-activedescendant", results.children[index].id);
      results.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function closeResults() {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }
  function choose(result) {
    closeResults();
    var place = result.kind === "state" || result.kind === "county" || result.kind === "city";
    if (!place || !result.fips || !ready) {
      window.location.assign(result.url);
      return;
    }
    var feature = featureFor(result.fips);
    focusFips = feature ? feature.id : result.fips;
    saveUrl();
    focusOn(focusFips);
    showCard(result, feature);
    if (card) card.focus();
  }
  function showResults(list) {
    shown = list;
    clear(results);
    list.forEach(function (result, index) {
      var item = el("li", result.label);
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.id = "search-result-" + index;
      item.appendChild(el("small", " " + result.kind + (result.detail ? " · " + result.detail : "")));
      // mousedown would blur the input (and close the list) before the click lands.
      item.addEventListener("mousedown", function (event) { event.preventDefault(); });
      item.addEventListener("click", function () { choose(result); });
      results.appendChild(item);
    });
    results.hidden = list.length === 0;
    input.setAttribute("aria-expanded", list.length ? "true" : "false");
    results.dataset.count = String(list.length);
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (searchStatus) searchStatus.textContent = input.value.trim() ? list.length + plural(list.length, " result", " results") : "";
  }
  function runSearch(then) {
    var q = input.value.trim();
    if (searchRequest) searchRequest.abort();
    if (!q) { showResults([]); return; }
    searchRequest = new AbortController();
    fetch(config.search_url + "?q=" + encodeURIComponent(q), { signal: searchRequest.signal })
      .then(function (response) { return response.json(); })
      .then(function (payload) { showResults(payload.results); if (then) then(); })
      .catch(function () {});
  }
  if (input && results) {
    searchStatus = el("p", "", "visually-hidden");
    searchStatus.setAttribute("role", "status");
    input.parentNode.appendChild(searchStatus);
    input.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { runSearch(null); }, 150);
    });
    input.addEventListener("keydown", function (event) {
      var count = results.hidden ? 0 : shown.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!count && shown.length) { results.hidden = false; input.setAttribute("aria-expanded", "true"); count = shown.length; }
        if (!count) return;
        var down = event.key === "ArrowDown";
        setActive(down ? (active + 1) % count : (active <= 0 ? count - 1 : active - 1));
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (count) { choose(shown[active >= 0 ? active : 0]); return; }
        clearTimeout(searchTimer);
        runSearch(function () { if (shown.length) choose(shown[0]); });
      } else if (event.key === "Escape") {
        if (count) closeResults(); else input.value = "";
      }
    });
    input.addEventListener("blur", function () { closeResults(); });
    input.addEventListener("focus", function () {
      if (shown.length && input.value.trim()) { results.hidden = false; input.setAttribute("aria-expanded", "true"); }
    });
  }

  // ---- Jump links: a zoom here, a region page without JavaScript. ----
  Array.prototype.forEach.call(document.querySelectorAll("[data-jump]"), function (link) {
    link.addEventListener("click", function (event) {
      if (!ready) return;
      event.preventDefault();
      var target = link.getAttribute("data-jump");
      focusFips = target === "lower48" ? "" : target;
      saveUrl();
      if (target === "lower48") { map.fitBounds(LOWER48); setCursor(null); return; }
      var bounds = boundsFor(target.split(","));
      if (bounds) map.fitBounds(bounds, { maxZoom: 8 });
      var feature = featureFor(target);
      if (feature) setCursor(feature, false);
      closeSheet();
      element.focus();
    });
  });

  // ---- The panel on a phone: a sheet over the map. ----
  var panel = byId("map-panel");
  var panelLink = byId("panel-link");
  var panelClose = byId("panel-close");
  var phone = window.matchMedia("(max-width: 40rem)");
  function closeSheet() {
    if (!panel || !panel.classList.contains("sheet")) return;
    panel.classList.remove("sheet");
    panelLink.setAttribute("aria-expanded", "false");
    panelLink.focus();
  }
  if (panel && panelLink) {
    panelLink.setAttribute("aria-expanded", "false");
    panelLink.addEventListener("click", function (event) {
      if (!phone.matches) return;
      event.preventDefault();
      panel.classList.add("sheet");
      panelLink.setAttribute("aria-expanded", "true");
      if (panelClose) panelClose.focus();
    });
    if (panelClose) panelClose.addEventListener("click", closeSheet);
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") closeSheet(); });
  }

  // For other scripts on the page (the embed, tests): what a region is painted.
  element.survmap = {
    fillOf: function (fips) { return byFips[fips] ? byFips[fips].layer.options.fillColor : null; },
    map: map,
  };

  // ---- The outlines: fetched and decoded by a worker, drawn a slice at a time. ----
  var incoming = []; // slices of features from the worker, not yet on the map
  var borders = null;
  var received = false;
  var drawing = null;
  function makeRegions() {
    var crs = map.options.crs;
    regions = L.geoJSON(null, {
      style: style,
      onEachFeature: function (feature, layer) {
        var centre = layer.getBounds().getCenter();
        var point = crs.latLngToPoint(centre, 4);
        var entry = { id: feature.id, name: feature.properties.n, layer: layer, x: point.x, y: point.y, centre: centre };
        features.push(entry);
        byFips[feature.id] = entry;
        layer.bindTooltip(function () {
          var box = el("div");
          box.appendChild(el("strong", entry.name));
          box.appendChild(el("div", agencies(countOf(entry.id))));
          return box;
        }, { sticky: true });
        layer.on("click", function () { window.location.assign(regionUrl(entry.id)); });
      },
    }).addTo(map);
    renderer.startSlicing();
  }
  // One task: add shapes for half a slice of time, paint for the rest; again until all is in.
  function drawSome() {
    drawing = null;
    var started = performance.now();
    while (incoming.length && performance.now() - started < SLICE_MS / 2) {
      var slice = incoming[0];
      regions.addData(slice.features[slice.next++]);
      if (slice.next >= slice.features.length) incoming.shift();
    }
    var painted = renderer.paint(started + SLICE_MS);
    if (incoming.length || !painted) { drawing = setTimeout(drawSome, 0); return; }
    if (received) finish();
  }
  function take(message) {
    if (message.type === "features") {
      incoming.push({ features: message.features, next: 0 });
    } else if (message.type === "borders") {
      borders = message.borders;
    } else if (message.type === "done") {
      received = true;
    } else {
      element.dataset.state = "error";
      return;
    }
    if (!drawing) drawing = setTimeout(drawSome, 0);
  }
  function finish() {
    if (ready) return;
    if (borders) {
      L.geoJSON(borders, { style: { color: "#4a5560", weight: 1, fill: false }, interactive: false }).addTo(map);
    }
    paintInSlices(function () { if (cursor) cursor.layer.bringToFront(); });
    ready = true;
    element.dataset.features = String(features.length);
    if (listStale) drawList();
    if (focusFips) focusOn(focusFips);
    element.dataset.query = filterQuery(query());
    element.dataset.state = "ready";
  }
  makeRegions();
  var worker = new Worker(config.worker);
  worker.onmessage = function (event) { take(event.data); };
  worker.onerror = function () { element.dataset.state = "error"; };
  worker.postMessage({
    topojson: new URL(config.topojson, window.location.href).href,
    geometry: new URL(config.geometry, window.location.href).href,
    slice: 100,
    borders: config.level === "county",
  });
})();
