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
  // The outlines first: the worker fetches and decodes them while the page sets itself up.
  var worker = new Worker(config.worker);
  var early = []; // what the worker sends before the page is set up
  worker.onmessage = function (event) { early.push(event.data); };
  worker.onerror = function () { element.dataset.state = "error"; };
  worker.postMessage({
    topojson: new URL(config.topojson, window.location.href).href,
    geometry: new URL(config.geometry, window.location.href).href,
    slice: 200,
    borders: config.level === "county",
  });
  // Leaflet and the rest wait for the page's first full layout (one frame), so that layout and
  // this script's own work are two tasks a phone runs in turn, not one long one.
  var begun = false;
  function begin() {
    if (begun) return;
    begun = true;
    setUp();
  }
  requestAnimationFrame(function () { setTimeout(begin, 0); });
  setTimeout(begin, 1000); // no frame comes in a hidden tab

  function setUp() {
    var state = JSON.parse(byId("map-counts").textContent);
    var LOWER48 = [[24.4, -125.0], [49.5, -66.9]];
    var LEVEL = config.level === "state" ? "state" : "county";
    var form = byId("map-filters");
    var features = []; // {id, name, layer, x, y, centre}, in FIPS order
    var byFips = {};
    var ready = false;
    var cursor = null; // the region the keyboard is on
    var focusFips = new URLSearchParams(window.location.search).get("focus") || "";

    var map = L.map(element, {
      zoomSnap: 0.25,
      minZoom: 2,
      keyboard: false, // our own: arrow keys move between regions, not the view
      zoomControl: false,
      zoomAnimation: false, // the outlines are repainted once at the new scale instead
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
    // The lower 48 as large as the map allows (with a few pixels to spare), not at the quarter
    // zoom step below that: on a phone, where the width decides, a fifth more map.
    function fitLower48() {
      map.options.zoomSnap = 0;
      map.fitBounds(LOWER48, { padding: [4, 4] });
      map.options.zoomSnap = 0.25;
    }
    fitLower48();

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
    function agencies(n) { return n ? number(n) + plural(n, " agency", " agencies") : "No record"; }
    // Nothing recorded, but a published research check for these filters looked and found none
    // (survmap.research): its own colour, so it never reads as "not researched".
    function lookedIn(fips) { return (state.none_found && state.none_found[fips]) || 0; }
    function fillFor(fips) {
      var n = countOf(fips);
      return !n && lookedIn(fips) ? config.looked_colour : colourFor(n);
    }
    function describe(fips) {
      var n = countOf(fips);
      if (n) return agencies(n);
      var looked = lookedIn(fips);
      return looked
        ? "Looked, none found (" + number(looked) + plural(looked, " agency", " agencies") + " checked)"
        : "No record";
    }
    function colourFor(n) {
      if (!n) return config.none_colour;
      for (var i = 0; i < state.breaks.length; i++) {
        if (n <= state.breaks[i]) return state.colours[i];
      }
      return state.colours[state.colours.length - 1] || config.none_colour;
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
    // Inside another site's frame (/embed/), a region opens on survmap in a tab of its own.
    function openRegion(fips) {
      if (config.embed) window.open(regionUrl(fips), "_blank", "noopener");
      else window.location.assign(regionUrl(fips));
    }
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
      node.appendChild(document.createTextNode(LEVEL === "state" ? plural(state.regions, " state or territory", " states and territories") : plural(state.regions, " county", " counties")));
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
      var bands = [["No record", config.none_colour], ["Looked, none found", config.looked_colour]];
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

    function recolour() {
      if (ready) choropleth.repaint(true);
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
      Array.prototype.forEach.call(document.querySelectorAll("#map-links a[href]"), function (link) {
        var url = new URL(link.href);
        if (url.hash) return;
        url.search = filters;
        link.href = url.pathname + url.search;
      });
      var filtersLink = byId("panel-link");
      if (filtersLink) {
        var on = Array.from(new URLSearchParams(filters).keys()).length;
        filtersLink.textContent = "Filters" + (on ? " (" + on + ")" : "");
      }
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
    var timelinePending = false;
    function drawTimeline() {
      timelinePending = false;
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
    // The chart's first drawing waits for an idle moment (it sits in the panel, below the map on a
    // phone), or for the map to be ready, whichever comes first.
    function drawTimelineNow() { if (timelinePending) drawTimeline(); }
    timelinePending = true;
    if (window.requestIdleCallback) window.requestIdleCallback(drawTimelineNow, { timeout: 3000 });
    else setTimeout(drawTimelineNow, 200);
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
    function boundsOf(feature) {
      return L.latLngBounds(
        map.unproject(L.point(feature.bbox[0], feature.bbox[3]), 0),
        map.unproject(L.point(feature.bbox[2], feature.bbox[1]), 0)
      );
    }
    function boundsFor(prefixes) {
      var bounds = null;
      features.forEach(function (f) {
        for (var i = 0; i < prefixes.length; i++) {
          if (f.id.indexOf(prefixes[i]) === 0 || prefixes[i].indexOf(f.id) === 0) {
            var b = boundsOf(f);
            bounds = bounds ? bounds.extend(b) : b;
            return;
          }
        }
      });
      return bounds;
    }
    var announcer = byId("map-announce");
    function announce(text) { if (announcer) announcer.textContent = text; }
    function setCursor(feature, pan) {
      cursor = feature;
      choropleth.repaint(false);
      if (!feature) { element.removeAttribute("data-cursor"); return; }
      element.dataset.cursor = feature.id;
      var centre = map.unproject(L.point(feature.x, feature.y), 0);
      if (pan && !map.getBounds().contains(centre)) map.panTo(centre);
      announce(feature.name + ": " + describe(feature.id) + ". Enter opens its page.");
    }
    function featureFor(fips) {
      if (byFips[fips]) return byFips[fips];
      return LEVEL === "state" ? byFips[fips.slice(0, 2)] || null : null;
    }
    function focusOn(fips, top) {
      var feature = featureFor(fips);
      var bounds = feature ? boundsOf(feature) : boundsFor([fips]);
      if (!bounds) return;
      // Clear of whatever covers the top of the map (the search, a place card).
      map.fitBounds(bounds, { maxZoom: 8, paddingTopLeft: [10, top || 60], paddingBottomRight: [10, 10] });
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
          setCursor(nearestTo(map.project(map.getCenter(), 0)), true);
          return;
        }
        var next = neighbour(cursor, arrow[0], arrow[1]);
        if (next) setCursor(next, true);
        else announce(cursor.name + " is the last " + LEVEL + " that way.");
      } else if (event.key === "Enter" && cursor) {
        event.preventDefault();
        openRegion(cursor.id);
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
        line.textContent = (feature.id === result.fips && result.kind !== "city" && result.kind !== "agency" ? "" : feature.name + ": ") + describe(feature.id) + " on the map with these filters.";
        card.appendChild(line);
      }
      if (result.kind === "agency") {
        // The agency's own page first; its county's below.
        var own = el("a", "Open the page of " + result.label);
        own.href = result.url;
        own.className = "agency-link";
        card.appendChild(el("p")).appendChild(own);
      }
      var link = el("a", "Open the page of " + (feature ? feature.name : result.label));
      link.href = feature ? regionUrl(feature.id) : withFilters(result.url);
      card.appendChild(el("p")).appendChild(link);
      var place = /^(.*), ([A-Z]{2})$/.exec(result.label);
      if (result.kind === "city" && place) {
        // The city's own agencies: the table takes the same filters, plus a search and a state.
        var params = new URLSearchParams(filterQuery(query()));
        params.set("q", place[1]);
        params.set("state", place[2]);
        var table = el("a", place[1] + "'s partnerships in the table");
        table.href = config.table_url + "?" + params.toString();
        card.appendChild(el("p")).appendChild(table);
      }
      var close = el("button", "×", "close");
      close.type = "button";
      close.setAttribute("aria-label", "Close");
      close.addEventListener("click", function () { hideCard(); element.focus(); });
      card.appendChild(close);
      card.hidden = false;
    }
    // A shared ?focus= link: the region outlined, named and carded, as a search would.
    function showFocus(fips) {
      var feature = featureFor(fips);
      if (feature) {
        showCard({ kind: LEVEL, label: feature.name, detail: "", fips: feature.id, url: regionUrl(feature.id) }, feature);
      }
      focusOn(fips, card && !card.hidden ? card.offsetTop + card.offsetHeight + 10 : 60);
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
    var searchNone = null;
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
      // Places, and agencies by their county: a card on the map, with a link to the page.
      var place = result.kind === "state" || result.kind === "county" || result.kind === "city" || result.kind === "agency";
      if (!place || !result.fips || !ready) {
        window.location.assign(result.url);
        return;
      }
      var feature = featureFor(result.fips);
      focusFips = feature ? feature.id : result.fips;
      saveUrl();
      showCard(result, feature);
      focusOn(focusFips, card && !card.hidden ? card.offsetTop + card.offsetHeight + 10 : 60);
      if (card) card.focus();
    }
    function showResults(list) {
      shown = list;
      clear(results);
      list.forEach(function (result, index) {
        var item = el("li", result.label);
        item.setAttribute("role", "option");
        item.dataset.kind = result.kind;
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
      showNone(list.length ? "" : input.value.trim());
    }
    // Nothing found is said on screen too, with the table's wider text search one click away.
    function showNone(q) {
      if (!searchNone) return;
      clear(searchNone);
      searchNone.hidden = !q;
      if (!q) return;
      searchNone.appendChild(document.createTextNode("No result. "));
      var link = el("a", "Search the table for \u201c" + q + "\u201d");
      link.href = config.table_url + "?q=" + encodeURIComponent(q);
      searchNone.appendChild(link);
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
      searchNone = el("p", "", "search-none");
      searchNone.hidden = true;
      input.parentNode.appendChild(searchNone);
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
        if (target === "lower48") { fitLower48(); setCursor(null); return; }
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

    // ---- The outlines: one canvas, painted a slice at a time. ----
    // Leaflet's own vector layers would make 3,000 objects with 100,000 points to project and
    // collect; here each outline is one Path2D in zoom-0 Web Mercator units, built once from the
    // worker's flat arrays, and the canvas transform does the zooming.
    var SLICE = 5; // ms of painting or building per task: far below the 50 ms of a "long task"
    // Sharp enough on any screen; a 3x canvas would triple the pixels to rasterise for little gain.
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    var hitContext = document.createElement("canvas").getContext("2d");
    var borders = null;
    // Each time the canvas on screen changes, the next frame copies all its pixels to the
    // compositor (5-13 ms for a 2x phone canvas on a desktop CPU, four times that on a phone). So
    // pictures that take several tasks (the first drawing, a recolouring) are painted on a canvas
    // off the page and copied over in one go (the first drawing every FIRST_SHOW ms, so the map
    // still appears piece by piece).
    var FIRST_SHOW = 250;
    var Choropleth = L.Layer.extend({
      onAdd: function () {
        this._canvas = L.DomUtil.create("canvas", "choropleth leaflet-zoom-hide");
        this._canvas.setAttribute("aria-hidden", "true");
        this.getPane().appendChild(this._canvas);
        this._context = this._canvas.getContext("2d");
        this._buffer = document.createElement("canvas");
        this._bufferContext = this._buffer.getContext("2d");
        this._generation = 0;
        this._shown = 0;
        this._reset();
      },
      getEvents: function () { return { moveend: this._reset, resize: this._reset }; },
      // The canvas covers the view and a margin (so a drag shows no bare edge), in layer pixels:
      // a tenth of the view on each side, as Leaflet's own canvas renderer.
      _reset: function () {
        var size = this._map.getSize();
        var margin = size.multiplyBy(0.1).round();
        var topLeft = this._map.containerPointToLayerPoint(margin.multiplyBy(-1)).round();
        var full = size.add(margin.multiplyBy(2));
        L.DomUtil.setPosition(this._canvas, topLeft);
        var width = Math.round(full.x * ratio);
        var height = Math.round(full.y * ratio);
        if (this._canvas.width !== width || this._canvas.height !== height) {
          this._canvas.width = this._buffer.width = width;
          this._canvas.height = this._buffer.height = height;
          this._canvas.style.width = full.x + "px";
          this._canvas.style.height = full.y + "px";
        }
        this._origin = topLeft.add(this._map.getPixelOrigin());
        this._scale = Math.pow(2, this._map.getZoom());
        this.repaint(false);
      },
      _transform: function (context) {
        var k = this._scale * ratio;
        context.setTransform(k, 0, 0, k, -this._origin.x * ratio, -this._origin.y * ratio);
        context.lineJoin = "round";
      },
      _clear: function (context) {
        context.setTransform(1, 0, 0, 1, 0, 0);
        context.clearRect(0, 0, this._canvas.width, this._canvas.height);
      },
      // Fills and white outlines, on the canvas on screen unless told (the buffer).
      paintFeatures: function (list, context) {
        context = context || this._context;
        this._transform(context);
        context.strokeStyle = "#ffffff";
        context.lineWidth = 0.5 / this._scale;
        for (var i = 0; i < list.length; i++) {
          context.fillStyle = fillFor(list[i].id);
          context.fill(list[i].path);
          context.stroke(list[i].path);
        }
      },
      // The buffer onto the screen, in one copy.
      show: function () {
        if (this._showing) { clearTimeout(this._showing); this._showing = null; }
        this._clear(this._context);
        this._context.drawImage(this._buffer, 0, 0);
        this._shown = performance.now();
      },
      // The first drawing: outlines built so far go to the buffer, shown now and then (its own task).
      paintLoading: function (list) {
        if (!this._context) return;
        this.paintFeatures(list, this._bufferContext);
        if (!this._showing && performance.now() - this._shown > FIRST_SHOW) {
          var self = this;
          this._showing = setTimeout(function () { self._showing = null; self.show(); }, 0);
        }
      },
      _paintOver: function () {
        var context = this._context;
        this._transform(context);
        if (borders) {
          context.strokeStyle = "#4a5560";
          context.lineWidth = 1 / this._scale;
          context.stroke(borders);
        }
        if (cursor) {
          context.strokeStyle = "#111111";
          context.lineWidth = 3 / this._scale;
          context.stroke(cursor.path);
        }
      },
      // Everything again: at once (a pan, a zoom, the keyboard cursor), or in slices on the
      // buffer, shown when complete (a filter change).
      repaint: function (sliced) {
        if (!this._context) return;
        var generation = ++this._generation;
        var self = this;
        if (!features.length) return; // nothing to draw yet: the canvas stays blank (and unallocated)
        if (!ready) {
          // A move while the outlines load: the buffer again, from what is built.
          this._clear(this._bufferContext);
          this.paintFeatures(features, this._bufferContext);
          this.show();
          return;
        }
        if (!sliced) {
          this._clear(this._context);
          this.paintFeatures(features);
          this._paintOver();
          return;
        }
        var index = 0;
        this._clear(this._bufferContext);
        (function slice() {
          if (generation !== self._generation) return;
          var started = performance.now();
          while (index < features.length && performance.now() - started < SLICE) {
            self.paintFeatures(features.slice(index, index + 25), self._bufferContext);
            index += 25;
          }
          if (index < features.length) { setTimeout(slice, 0); return; }
          self.show();
          self._paintOver();
        })();
      },
      featureAt: function (layerPoint) {
        var point = layerPoint.add(this._map.getPixelOrigin()).divideBy(this._scale);
        for (var i = features.length - 1; i >= 0; i--) {
          var f = features[i];
          if (point.x < f.bbox[0] || point.x > f.bbox[2] || point.y < f.bbox[1] || point.y > f.bbox[3]) continue;
          if (hitContext.isPointInPath(f.path, point.x, point.y)) return f;
        }
        return null;
      },
    });
    var choropleth = new Choropleth({ pane: "overlayPane" }).addTo(map);

    function pathOf(coords, offset, ends, closed) {
      var path = new Path2D();
      var start = offset;
      for (var r = 0; r < ends.length; r++) {
        var end = offset + ends[r];
        path.moveTo(coords[start], coords[start + 1]);
        for (var i = start + 2; i < end; i += 2) path.lineTo(coords[i], coords[i + 1]);
        if (closed) path.closePath();
        start = end;
      }
      return path;
    }

    // Hover names the region; a click opens its page.
    var tooltip = L.tooltip({ direction: "top", offset: [0, -6] });
    var hovered = null;
    map.on("mousemove", function (event) {
      if (!ready) return;
      var feature = choropleth.featureAt(event.layerPoint);
      element.classList.toggle("over-region", !!feature);
      if (!feature) { hovered = null; map.closeTooltip(tooltip); return; }
      if (feature !== hovered) {
        hovered = feature;
        var box = el("div");
        box.appendChild(el("strong", feature.name));
        box.appendChild(el("div", describe(feature.id)));
        tooltip.setContent(box);
      }
      tooltip.setLatLng(event.latlng);
      if (!map.hasLayer(tooltip)) map.openTooltip(tooltip);
    });
    map.on("mouseout", function () { hovered = null; map.closeTooltip(tooltip); });
    map.on("click", function (event) {
      var feature = ready && choropleth.featureAt(event.layerPoint);
      if (feature) openRegion(feature.id);
    });

    // For other scripts on the page (the embed, tests): what a region is painted, and where.
    element.survmap = {
      fillOf: function (fips) { return byFips[fips] ? fillFor(fips) : null; },
      pointOf: function (fips) {
        var f = byFips[fips];
        if (!f) return null;
        var point = map.latLngToContainerPoint(map.unproject(L.point(f.x, f.y), 0));
        return [point.x, point.y];
      },
      featureAtPoint: function (x, y) {
        var f = choropleth.featureAt(map.containerPointToLayerPoint(L.point(x, y)));
        return f ? f.id : null;
      },
      map: map,
    };

    // The worker's slices: outlines are built and painted on the buffer a few per task, and the
    // buffer reaches the screen every FIRST_SHOW ms and once at the end.
    var incoming = [];
    var received = false;
    var building = null;
    function loaded() { return received && !incoming.length; }
    // A few outlines per task, built and painted on the buffer; the last task shows the map.
    function build() {
      building = null;
      var started = performance.now();
      var batch = [];
      while (incoming.length && performance.now() - started < SLICE) {
        var slice = incoming[0];
        var item = slice.items[slice.next++];
        var feature = {
          id: item.id,
          name: item.name,
          bbox: item.bbox,
          x: (item.bbox[0] + item.bbox[2]) / 2,
          y: (item.bbox[1] + item.bbox[3]) / 2,
          path: pathOf(slice.coords, item.offset, item.ends, true),
        };
        features.push(feature);
        byFips[feature.id] = feature;
        batch.push(feature);
        if (batch.length === 10) { choropleth.paintLoading(batch); batch = []; }
        if (slice.next >= slice.items.length) incoming.shift();
      }
      choropleth.paintLoading(batch);
      if (incoming.length) building = setTimeout(build, 0);
      else if (loaded()) setTimeout(finish, 0);
    }
    function take(message) {
      if (message.type === "features") {
        incoming.push({ items: message.items, coords: message.coords, next: 0 });
      } else if (message.type === "borders") {
        borders = pathOf(message.coords, 0, message.ends, false);
      } else if (message.type === "done") {
        received = true;
      } else {
        element.dataset.state = "error";
        return;
      }
      if (!building) building = setTimeout(build, 0);
    }
    function finish() {
      if (ready) return;
      ready = true;
      choropleth.show();
      choropleth._paintOver();
      element.dataset.features = String(features.length);
      if (listStale) drawList();
      if (focusFips) showFocus(focusFips);
      drawTimelineNow();
      element.dataset.query = filterQuery(query());
      element.dataset.state = "ready";
    }

    worker.onmessage = function (event) { take(event.data); };
    early.forEach(take);
    early = null;
  }
})();
